/**
 * Names under which the publisher stores pre-rendered documents (Store.putRendered)
 * and the HTTP server looks them up (Store.getRendered). Both sides import these so
 * the names cannot drift apart.
 */

/** Output formats of a category feed, by file extension. */
export type FeedFormat = 'xml' | 'atom' | 'json';

/** Every feed format, in the order feeds are listed. */
export const FEED_FORMATS: readonly FeedFormat[] = ['xml', 'atom', 'json'];

/** Name of the rendered OPML document served at `/feeds.opml`. */
const OPML_DOC_NAME = 'opml';

/** Name of the rendered feed of `slug` (a category slug or `all`) in `format`, e.g. `feed:all.atom`. */
export function feedDocName(slug: string, format: FeedFormat): string {
  return `feed:${slug}.${format}`;
}

/** Name of the rendered OPML document. */
export function opmlDocName(): string {
  return OPML_DOC_NAME;
}

/** True when `ext` is a feed format's file extension. */
export function isFeedFormat(ext: string): ext is FeedFormat {
  return ext === 'xml' || ext === 'atom' || ext === 'json';
}
