/**
 * The canonical form of an item link, used to key items that have neither an
 * infoCode nor a guid: scheme and host lower-cased, default port, fragment and
 * `utm_*` tracking parameters dropped; other parameters kept as written, in order.
 * A string that is not an absolute URL is returned trimmed.
 *
 * @example canonicalLink('HTTPS://News.Example.com:443/a/1.html?id=7&utm_source=x#top') // 'https://news.example.com/a/1.html?id=7'
 */
export function canonicalLink(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return url.trim();
  }
  // WHATWG URL parsing already lower-cases scheme and host and drops default ports.
  u.hash = '';
  if (u.search !== '') {
    // Filter the raw pairs rather than re-serializing URLSearchParams, which would
    // re-encode the kept parameters (spaces, %-escapes) and change the link.
    const kept = u.search
      .slice(1)
      .split('&')
      .filter((pair) => pair !== '' && !isTracking(pair));
    u.search = kept.length > 0 ? `?${kept.join('&')}` : '';
  }
  return u.href;
}

function isTracking(pair: string): boolean {
  const rawName = pair.split('=', 1)[0] ?? '';
  let name = rawName;
  try {
    name = decodeURIComponent(rawName.replace(/\+/g, ' '));
  } catch {
    // undecodable name: compare it as written
  }
  return name.toLowerCase().startsWith('utm_');
}
