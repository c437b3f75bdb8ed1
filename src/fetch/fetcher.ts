/**
 * fetch: the one HTTP client every stage uses — source feeds and article pages alike.
 *
 * Redirects are followed here, hop by hop, so each hop is checked against the address policy
 * (INTERFACE §7); the policy itself is enforced inside the connection's DNS lookup so the address
 * that was checked is the address that is connected to.
 */
import { Agent, type Dispatcher } from 'undici';
import {
  BlockedAddressError,
  guardedLookup,
  ipLiteralOf,
  isPublicAddress,
  systemResolver,
  type Resolver,
} from './address-policy.js';
import { abandonBody, BodyTooLargeError, readBody, UnsupportedEncodingError } from './body-reader.js';
import { parseMaxAge, parseRetryAfter } from './cache-headers.js';
import { FetchError, type FetchRequest, type FetchResult, type FetchUrl } from '../pipeline/ports.js';
import { isRetryableStatus } from './fetch-error.js';
import { withExtraHeaders } from './request-headers.js';

export { FetchError, type FetchErrorCode, type FetchRequest, type FetchResult, type FetchUrl } from '../pipeline/ports.js';
export { isRetryableStatus } from './fetch-error.js';
export { parseMaxAge, parseRetryAfter } from './cache-headers.js';
export { isPublicAddress, type Resolver, type ResolvedAddress } from './address-policy.js';

export interface HttpClientOptions {
  /**
   * Name resolver used for every connection. Tests point names at 127.0.0.1 with it.
   * @defaultValue the system resolver (getaddrinfo)
   */
  resolver?: Resolver;
  /** @defaultValue 10_000 */
  connectTimeoutMs?: number;
  /** Idle keep-alive sockets are closed after this long. @defaultValue 10_000 */
  keepAliveTimeoutMs?: number;
  /** Max sockets per origin. @defaultValue 8 */
  connectionsPerOrigin?: number;
}

/** An HTTP client with its own connection pools; the composition root owns and closes it. */
export interface HttpClient {
  fetchUrl: FetchUrl;
  /** Closes the pooled connections; pending requests finish first. */
  close(): Promise<void>;
}

/** At most this many redirects are followed; one more is an error. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * Builds a fetcher with its own connection pools: one for trusted hops (operator URLs, the
 * source's own host, or allowPrivateNetworks) and one whose DNS lookup refuses any name with a
 * non-public address. Keeping the pools apart means a socket opened without the check is never
 * reused for a hop that needs it.
 */
export function createHttpClient(opts: HttpClientOptions = {}): HttpClient {
  const resolver = opts.resolver ?? systemResolver;
  const agentOptions = (publicOnly: boolean): Agent.Options => ({
    connect: { lookup: guardedLookup(resolver, publicOnly), timeout: opts.connectTimeoutMs ?? 10_000 },
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 10_000,
    connections: opts.connectionsPerOrigin ?? 8,
  });
  const trusted = new Agent(agentOptions(false));
  const publicOnly = new Agent(agentOptions(true));

  return {
    fetchUrl: (req) => fetchWith({ trusted, publicOnly }, req),
    close: async () => {
      await Promise.all([trusted.close(), publicOnly.close()]);
    },
  };
}

interface Agents {
  trusted: Agent;
  publicOnly: Agent;
}

/** Why the request was cut short, if it was. */
type AbortCause = 'timeout' | 'caller' | undefined;

async function fetchWith(agents: Agents, req: FetchRequest): Promise<FetchResult> {
  const controller = new AbortController();
  let aborted: AbortCause;
  const timer = setTimeout(() => {
    aborted ??= 'timeout';
    controller.abort(new Error(`timed out after ${req.timeoutMs} ms`));
  }, req.timeoutMs);
  const onCallerAbort = (): void => {
    aborted ??= 'caller';
    controller.abort(req.signal?.reason);
  };
  if (req.signal?.aborted) onCallerAbort();
  else req.signal?.addEventListener('abort', onCallerAbort, { once: true });

  let hopUrl = req.url;
  try {
    return await followRedirects(agents, req, controller.signal, (u) => (hopUrl = u));
  } catch (err) {
    throw toFetchError(err, req, hopUrl, aborted);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onCallerAbort);
  }
}

async function followRedirects(
  agents: Agents,
  req: FetchRequest,
  signal: AbortSignal,
  onHop: (url: string) => void,
): Promise<FetchResult> {
  let url = parseHttpUrl(req.url, req.url);
  let permanentRedirect = false;
  const trustedOrigin = req.origin === 'operator' ? url.origin : originOf(req.sourceOrigin);

  for (let redirects = 0; ; redirects++) {
    onHop(url.href);
    const agent = agentForHop(agents, req, url, redirects === 0, trustedOrigin);
    const res = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: requestHeaders(req),
      signal,
    });
    const headers = flattenHeaders(res.headers);
    const status = res.statusCode;

    if (REDIRECT_STATUSES.has(status) && headers['location'] !== undefined) {
      await discard(res.body);
      if (redirects >= MAX_REDIRECTS) {
        throw new FetchError('too-many-redirects', `fetch ${req.url}: more than ${MAX_REDIRECTS} redirects (last to ${url.href})`, {
          url: req.url,
          status,
        });
      }
      if (status === 301 || status === 308) permanentRedirect = true;
      url = parseHttpUrl(headers['location'], req.url, url);
      continue;
    }

    const now = Date.now();
    const retryAfterMs = parseRetryAfter(headers['retry-after'], now);

    if (status === 304) {
      await discard(res.body);
      return buildResult(req, url, status, headers, Buffer.alloc(0), permanentRedirect, retryAfterMs, true);
    }

    if (status < 200 || status > 299) {
      await discard(res.body);
      const where = url.href === req.url ? '' : ` (at ${url.href})`;
      throw new FetchError('http-status', `fetch ${req.url}: HTTP ${status}${where}`, {
        url: req.url,
        status,
        retryable: isRetryableStatus(status),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }

    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > req.maxBytes) {
      abandonBody(res.body);
      throw new FetchError('too-large', `fetch ${req.url}: Content-Length ${declared} exceeds the ${req.maxBytes}-byte limit`, {
        url: req.url,
      });
    }
    const body = await readBody(res.body, headers['content-encoding'], req.maxBytes, signal);
    return buildResult(req, url, status, headers, body, permanentRedirect, retryAfterMs, false);
  }
}

function buildResult(
  req: FetchRequest,
  url: URL,
  status: number,
  headers: Record<string, string>,
  body: Buffer,
  permanentRedirect: boolean,
  retryAfterMs: number | undefined,
  notModified: boolean,
): FetchResult {
  const validators: FetchResult['validators'] = {};
  const etag = headers['etag'] ?? (notModified ? req.validators?.etag : undefined);
  const lastModified = headers['last-modified'] ?? (notModified ? req.validators?.lastModified : undefined);
  if (etag !== undefined) validators.etag = etag;
  if (lastModified !== undefined) validators.lastModified = lastModified;
  const maxAgeMs = parseMaxAge(headers);
  const result: FetchResult = {
    url: req.url,
    finalUrl: url.href,
    status,
    notModified,
    permanentRedirect,
    body,
    validators,
    headers,
  };
  if (headers['content-type'] !== undefined) result.contentType = headers['content-type'];
  if (maxAgeMs !== undefined) result.maxAgeMs = maxAgeMs;
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  return result;
}

function requestHeaders(req: FetchRequest): Record<string, string> {
  const h: Record<string, string> = {
    'user-agent': req.userAgent,
    accept: req.accept ?? '*/*',
    'accept-encoding': ACCEPT_ENCODING,
  };
  if (req.validators?.etag) h['if-none-match'] = req.validators.etag;
  if (req.validators?.lastModified) h['if-modified-since'] = req.validators.lastModified;
  return withExtraHeaders(h, req.headers);
}

/**
 * Chooses the pool for one hop, refusing it outright when its host is an address literal we may
 * not reach (sockets to literals skip the DNS lookup, so the lookup guard cannot see them). Only
 * an operator's URL itself, hops on the trusted origin, and anything with allowPrivateNetworks
 * skip the check: a source that redirects to a private address is refused like a content URL.
 */
function agentForHop(agents: Agents, req: FetchRequest, url: URL, firstHop: boolean, trustedOrigin: string | undefined): Agent {
  if (req.allowPrivateNetworks || (req.origin === 'operator' && firstHop)) return agents.trusted;
  if (trustedOrigin !== undefined && sameOrigin(url, trustedOrigin)) return agents.trusted;
  const literal = ipLiteralOf(normalizeHost(url.hostname));
  if (literal !== undefined && !isPublicAddress(literal)) {
    throw new BlockedAddressError(url.host, literal);
  }
  return agents.publicOnly;
}

/** The serialized origin of a URL or origin string; undefined when it has none. */
function originOf(text: string | undefined): string | undefined {
  if (text === undefined || !URL.canParse(text)) return undefined;
  const origin = new URL(text).origin;
  return origin === 'null' ? undefined : origin;
}

/**
 * True when `url` is on `origin` (scheme, host and port; WHATWG serialization lower-cases the
 * host and drops default ports), or is that origin's plain upgrade from http on port 80 to
 * https on port 443 — the redirect most sites send, not a way to reach another service.
 */
function sameOrigin(url: URL, origin: string): boolean {
  if (url.origin === origin) return true;
  const o = new URL(origin);
  return o.protocol === 'http:' && o.port === '' && url.protocol === 'https:' && url.port === '' && url.hostname === o.hostname;
}

/** Lower-cased host name without a trailing dot or IPv6 brackets. */
function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) h = h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

function parseHttpUrl(raw: string, requested: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch (err) {
    const what = base === undefined ? 'invalid URL' : `invalid redirect Location "${raw}"`;
    throw new FetchError('bad-url', `fetch ${requested}: ${what}`, { url: requested, cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const what = base === undefined ? `unsupported scheme ${url.protocol}` : `redirect to unsupported scheme ${url.protocol}`;
    throw new FetchError('bad-url', `fetch ${requested}: ${what} (only http and https)`, { url: requested });
  }
  if (url.hostname === '') {
    throw new FetchError('bad-url', `fetch ${requested}: URL has no host`, { url: requested });
  }
  return url;
}

function flattenHeaders(raw: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Drains a body we do not need (so the socket can be reused), giving up on large ones. */
async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump({ limit: 64 * 1024 });
  } catch {
    // A body we were throwing away anyway; the socket is simply not reused.
  }
}

const DNS_TEMPORARY = new Set(['EAI_AGAIN']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Every error reachable through `cause` and AggregateError's `errors`. */
function errorChain(err: unknown): unknown[] {
  const out: unknown[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 20) {
    const e = queue.shift();
    if (e === undefined || e === null || out.includes(e)) continue;
    out.push(e);
    if (e instanceof Error) {
      if (e.cause !== undefined) queue.push(e.cause);
      if (e instanceof AggregateError) queue.push(...(e.errors as unknown[]));
    }
  }
  return out;
}

function codeOf(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}

function toFetchError(err: unknown, req: FetchRequest, hopUrl: string, aborted: AbortCause): FetchError {
  if (err instanceof FetchError) return err;
  const url = req.url;
  const at = hopUrl === url ? '' : ` (at ${hopUrl})`;
  const chain = errorChain(err);
  const find = <T>(pred: (e: unknown) => e is T): T | undefined => chain.find(pred) as T | undefined;

  const tooLarge = find((e): e is BodyTooLargeError => e instanceof BodyTooLargeError);
  if (tooLarge) return new FetchError('too-large', `fetch ${url}: ${tooLarge.message}${at}`, { url, cause: err });

  if (aborted === 'timeout') {
    return new FetchError('timeout', `fetch ${url}: no complete response within ${req.timeoutMs} ms${at}`, {
      url,
      retryable: true,
      cause: err,
    });
  }
  if (aborted === 'caller') {
    return new FetchError('network', `fetch ${url}: aborted${at}`, { url, retryable: true, cause: err });
  }

  const blocked = find((e): e is BlockedAddressError => e instanceof BlockedAddressError);
  if (blocked) {
    return new FetchError(
      'blocked-address',
      `fetch ${url}: refused to connect, ${blocked.message}; content URLs must be on the source's host or public (set allowPrivateNetworks: true on a source on your own network)${at}`,
      { url, cause: err },
    );
  }
  const unsupported = find((e): e is UnsupportedEncodingError => e instanceof UnsupportedEncodingError);
  if (unsupported) return new FetchError('network', `fetch ${url}: ${unsupported.message}${at}`, { url, retryable: false, cause: err });

  const codes = chain.map(codeOf).filter((c): c is string => c !== undefined);
  const detail = err instanceof Error ? err.message : String(err);
  const dns = codes.find((c) => DNS_CODES.has(c));
  if (dns) {
    return new FetchError('dns', `fetch ${url}: cannot resolve host (${dns})${at}`, {
      url,
      retryable: DNS_TEMPORARY.has(dns),
      cause: err,
    });
  }
  if (codes.includes('ECONNREFUSED')) {
    return new FetchError('refused', `fetch ${url}: connection refused${at}`, { url, retryable: true, cause: err });
  }
  if (codes.some((c) => TIMEOUT_CODES.has(c))) {
    return new FetchError('timeout', `fetch ${url}: timed out (${detail})${at}`, { url, retryable: true, cause: err });
  }
  if (codes.some((c) => c.startsWith('Z_') || c.startsWith('ERR__ERROR_FORMAT') || c.startsWith('ERR_BROTLI'))) {
    return new FetchError('network', `fetch ${url}: cannot decompress body (${detail})${at}`, { url, retryable: false, cause: err });
  }
  if (codes.includes('UND_ERR_INVALID_ARG')) {
    return new FetchError('bad-url', `fetch ${url}: ${detail}${at}`, { url, cause: err });
  }
  return new FetchError('network', `fetch ${url}: ${detail}${at}`, { url, retryable: true, cause: err });
}

