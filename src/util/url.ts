/**
 * The one rule for what may stand as an item's URL: an absolute http(s) URL. Feeds put
 * anything in a guid or link (`javascript:`, `data:`, `file:`, `java\tscript:`), and
 * every place that stores, renders or exports an item's URL goes through here.
 */

/** True for an absolute http(s) URL that the WHATWG URL parser accepts. */
export function isHttpUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol } = new URL(url);
  return protocol === 'http:' || protocol === 'https:';
}

/**
 * `raw` as a normalized absolute http(s) URL (WHATWG serialization: lower-cased scheme and
 * host, tabs and newlines removed), or undefined for anything else (other schemes, relative
 * or unparsable text, no host).
 *
 * @example httpUrlOf(' HTTP://News.Example.com/a/1.html ') // 'http://news.example.com/a/1.html'
 * @example httpUrlOf('java\tscript:alert(1)') // undefined
 */
export function httpUrlOf(raw: string | undefined | null): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  return url.href;
}

/** `href` resolved against `base`, when that gives an http(s) URL. */
export function absoluteHttpUrl(href: string, base: string): string | undefined {
  // `&amp;` left in a link is double escaping: no real URL contains it.
  const cleaned = href.trim().replace(/&amp;/g, '&');
  if (cleaned === '') return undefined;
  try {
    const url = new URL(cleaned, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
