import type { ParsedFeed, SourceConfig, SourceKind } from '../domain.js';

/* The seam between the refresh use case and the source kinds (INTERFACE §2a); src/sources/reader.ts is the registry. */

/** What a reader knows about the response it reads. */
export interface ReadContext {
  /** The source: kind, record mapping, id, maxItems… */
  source: SourceConfig;
  /** The response's final URL (after redirects): relative links resolve against it, errors name it. */
  url: string;
  /** The response's Content-Type header. */
  contentType?: string;
  /** IANA zone naive dates are read in (site.timezone). */
  timezone: string;
}

/** One source kind: how its list requests are shaped and how a list body becomes items. */
export interface SourceReader {
  readonly kind: SourceKind;
  /** Accept header for this kind's list requests. */
  readonly accept: string;
  /**
   * Raw body → items + warnings (+ skipped count). Decodes the body itself (charset from
   * the Content-Type, BOM, prolog or `<meta>`, GBK and all).
   *
   * @throws FinewsError `not-a-feed` | `not-json` | `items-not-found` | `parse-failed`
   *   (not retryable), naming the URL and the problem.
   */
  read(body: Buffer, ctx: ReadContext): Promise<ParsedFeed>;
}
