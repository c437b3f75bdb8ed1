/**
 * One list page of a source, fetched and read by the source's kind (INTERFACE §2a): the
 * request shaped by the reader (Accept) and the source (`{now}`/`{page}` in its url, its
 * `headers`), the body turned into items by the reader. No claiming and no state: the
 * refresh use case and `preview` both build on this.
 */
import { createHash } from 'node:crypto';
import type { ParsedFeed, SourceConfig } from '../domain.js';
import { listUrl, readerFor } from '../sources/reader.js';
import type { Fetcher, FetchResult } from './ports.js';
import { sourceLimits } from './source-limits.js';

/** What reading one list page needs. */
export interface ReadSourceDeps {
  fetcher: Fetcher;
  now(): Date;
}

export interface ReadPageOptions {
  /** 1-based page number, `{page}` of the url. @defaultValue 1 */
  page?: number;
  /** Validators for a conditional GET (only meaningful for the first page). */
  validators?: { etag?: string; lastModified?: string };
  /** IANA zone for naive dates (site.timezone). */
  timezone: string;
  /**
   * The {@link ListPage.bodyHash} of the last page read: a body that hashes the same is
   * not read again (the page comes back `unchanged`, without a feed).
   */
  unchangedHash?: string;
}

/** One page as fetched and read; `feed` is absent when the server answered 304 or the same bytes. */
export interface ListPage {
  page: number;
  /** The URL asked for, `{now}` and `{page}` filled in. */
  url: string;
  response: FetchResult;
  feed?: ParsedFeed;
  /** A hash of the body and of everything that reads it (the source's config, the zone); absent on a 304. */
  bodyHash?: string;
  /** True when the body hashed as `unchangedHash`: nothing was read. */
  unchanged?: boolean;
}

/**
 * Fetches list page `page` of `source` and reads it with the source kind's reader.
 *
 * @throws FetchError for transport and HTTP failures; FinewsError `not-a-feed`, `not-json`,
 *   `items-not-found`, `parse-failed` from the reader, each naming the URL.
 */
export async function readSourcePage(deps: ReadSourceDeps, source: SourceConfig, opts: ReadPageOptions): Promise<ListPage> {
  const page = opts.page ?? 1;
  const reader = readerFor(source.kind);
  const url = listUrl(source, page, deps.now());
  const response = await deps.fetcher.fetch({
    url,
    origin: 'operator',
    ...sourceLimits(source),
    accept: reader.accept,
    headers: source.headers,
    ...(opts.validators !== undefined ? { validators: opts.validators } : {}),
  });
  if (response.notModified) return { page, url, response };
  const bodyHash = listBodyHash(source, opts.timezone, response.body);
  if (bodyHash === opts.unchangedHash) return { page, url, response, bodyHash, unchanged: true };
  const feed = await reader.read(response.body, {
    source,
    url: response.finalUrl,
    timezone: opts.timezone,
    ...(response.contentType !== undefined ? { contentType: response.contentType } : {}),
  });
  return { page, url, response, feed, bodyHash };
}

/**
 * The hash that tells a list body seen before: the bytes, and the source's config and
 * zone, since a changed mapping, category or infoCode rule reads the same bytes into
 * other claims.
 */
function listBodyHash(source: SourceConfig, timezone: string, body: Buffer): string {
  return createHash('sha256').update(JSON.stringify(source)).update('\u0000').update(timezone).update('\u0000').update(body).digest('base64url');
}

/** Messages of one page's warnings; later pages of a paged source are named. */
export function pageWarnings(page: ListPage): string[] {
  const warnings = page.feed?.warnings ?? [];
  return page.page === 1 ? warnings : warnings.map((w) => `page ${page.page}: ${w}`);
}
