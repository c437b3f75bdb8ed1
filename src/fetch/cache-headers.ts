/**
 * Reading the caching and back-off hints a server sends: Retry-After, Cache-Control, Expires.
 */

/** Header lookup by lower-cased name. */
export type HeaderMap = Readonly<Record<string, string | undefined>>;

/**
 * Milliseconds to wait from a Retry-After value: delta-seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2026 07:28:00 GMT"). A date in the past gives 0; anything unparseable gives undefined.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = parseHttpDate(v);
  if (at === undefined) return undefined;
  return Math.max(0, at - now);
}

/**
 * How long a response stays fresh, in milliseconds, from `cache-control` (max-age, else s-maxage;
 * no-store/no-cache give 0) or else `expires` minus `date` (`now` when the response has no Date).
 * Undefined when the server said nothing usable.
 */
export function parseMaxAge(headers: HeaderMap, now: number = Date.now()): number | undefined {
  const cc = headers['cache-control'];
  if (cc !== undefined) {
    const directives = new Map<string, string | undefined>();
    for (const part of cc.split(',')) {
      const [rawName, ...rest] = part.split('=');
      const name = rawName?.trim().toLowerCase();
      if (!name) continue;
      const value = rest.length > 0 ? rest.join('=').trim().replace(/^"(.*)"$/, '$1') : undefined;
      if (!directives.has(name)) directives.set(name, value);
    }
    if (directives.has('no-store') || directives.has('no-cache')) return 0;
    for (const name of ['max-age', 's-maxage']) {
      const value = directives.get(name);
      if (value !== undefined && /^\d+$/.test(value)) return Number(value) * 1000;
    }
  }
  const expires = headers['expires'];
  if (expires !== undefined) {
    // RFC 9111 §5.3: an invalid Expires (e.g. "0") means already expired.
    const exp = parseHttpDate(expires.trim());
    if (exp === undefined) return 0;
    const dateHeader = headers['date'];
    const date = dateHeader === undefined ? undefined : parseHttpDate(dateHeader.trim());
    return Math.max(0, exp - (date ?? now));
  }
  return undefined;
}

/** Epoch milliseconds of an HTTP date (IMF-fixdate, RFC 850 or asctime), or undefined. */
export function parseHttpDate(value: string): number | undefined {
  // Require a weekday-or-month word so plain numbers ("0", "120") are never read as dates.
  if (!/[A-Za-z]{3}/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
