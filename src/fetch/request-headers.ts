/**
 * Extra request headers from feeds.yaml (a source's `headers`, `article.api.headers`):
 * which names an operator may set, and how they join the fetcher's own.
 */

/** An HTTP field name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers the fetcher owns: the connection and message framing (Host, Content-Length…),
 * the encodings it can decode, and conditional GET, whose validators it keeps per source.
 * An operator header of these names would break the request or its safety checks.
 */
const RESERVED = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'expect',
  'accept-encoding',
  'if-none-match',
  'if-modified-since',
]);

/** Why `name` cannot be a configured request header, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (!TOKEN.test(name)) return `"${name}" is not a valid HTTP header name`;
  if (RESERVED.has(name.toLowerCase())) return `header "${name}" is set by finews itself and cannot be configured`;
  return undefined;
}

/**
 * `base` (the fetcher's own headers, lower-case names) with `extra` added: extra names are
 * lower-cased, reserved ones and values with line breaks are dropped, and an extra
 * User-Agent or Accept replaces the fetcher's.
 */
export function withExtraHeaders(base: Record<string, string>, extra: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (extra === undefined) return base;
  const out = { ...base };
  for (const [name, value] of Object.entries(extra)) {
    if (headerNameProblem(name) !== undefined || /[\r\n\0]/.test(value)) continue;
    out[name.toLowerCase()] = value;
  }
  return out;
}
