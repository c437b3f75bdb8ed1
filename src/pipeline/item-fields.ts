import { truncate } from '../util/html.js';
import { httpUrlOf } from '../util/url.js';

/** Longest title stored, in code points (a 1 MB feed title would bloat every output). */
export const MAX_TITLE_CHARS = 1000;

/**
 * The URL stored for an item: the first of `candidates` (page URL after redirects, feed
 * link, guid) that is an absolute http(s) URL; '' when none is. An item without a URL is
 * still published: feeds link it to its category page, HTML shows its title unlinked, the
 * API and JSON Feed `_finews.url` carry '', and a Jekyll post omits its link line.
 */
export function itemUrl(...candidates: (string | undefined)[]): string {
  for (const c of candidates) {
    const url = httpUrlOf(c);
    if (url !== undefined) return url;
  }
  return '';
}

/** The stored title: at most {@link MAX_TITLE_CHARS} code points, with an ellipsis when cut. */
export function itemTitle(title: string): string {
  // truncate keeps `max` code points and adds '…': one fewer keeps the whole within the cap.
  return truncate(title, MAX_TITLE_CHARS - 1);
}
