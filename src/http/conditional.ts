/**
 * Conditional request evaluation (RFC 9110 §13) for GET and HEAD.
 */

/** The validators a response carries. */
export interface Validators {
  /** Entity tag including quotes, optionally `W/`-prefixed. */
  etag?: string;
  /** HTTP date. */
  lastModified?: string;
}

/** Request headers that make a GET conditional. */
export interface ConditionalHeaders {
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

const ENTITY_TAG = /(?:W\/)?"[^"]*"/g;

/** The opaque part of an entity tag (quotes kept, `W/` dropped) for weak comparison. */
function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/**
 * True when `If-None-Match` matches `etag` by weak comparison: `*`, or any tag in
 * the list whose opaque part equals the current one (RFC 9110 §13.1.2).
 */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const current = opaque(etag.trim());
  for (const tag of ifNoneMatch.match(ENTITY_TAG) ?? []) {
    if (opaque(tag) === current) return true;
  }
  return false;
}

/**
 * True when the client's copy is current and a `304 Not Modified` is due.
 * `If-None-Match`, when present, decides alone; `If-Modified-Since` is used only
 * without it, compares whole seconds and is ignored when it is not a valid date.
 */
export function isNotModified(headers: ConditionalHeaders, v: Validators): boolean {
  if (headers.ifNoneMatch !== undefined) {
    // A client sending back the very tag it was given is the common case: no parsing.
    if (v.etag !== undefined && headers.ifNoneMatch === v.etag) return true;
    return v.etag !== undefined && etagMatches(headers.ifNoneMatch, v.etag);
  }
  if (headers.ifModifiedSince !== undefined && v.lastModified !== undefined) {
    const since = Date.parse(headers.ifModifiedSince);
    const modified = Date.parse(v.lastModified);
    if (Number.isNaN(since) || Number.isNaN(modified)) return false;
    return Math.floor(modified / 1000) <= Math.floor(since / 1000);
  }
  return false;
}
