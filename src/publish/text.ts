/**
 * URL checks shared by the renderers.
 */

/** True for an absolute http(s) URL that the WHATWG URL parser accepts. */
export function isHttpUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol } = new URL(url);
  return protocol === 'http:' || protocol === 'https:';
}
