import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/fetch/decode.js';
import {
  createHttpClient,
  FetchError,
  type FetchRequest,
  type HttpClient,
  type ResolvedAddress,
} from '../../src/fetch/fetcher.js';
import { closedPort, startServer, streamingHandler, type TestServer } from './test-server.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/fetch');
const UA = 'finews/1 (+https://finews.example.com)';

/** Test names: some point at this machine, the rest fail like real DNS does. */
async function resolver(hostname: string): Promise<ResolvedAddress[]> {
  switch (hostname) {
    case 'feed.example.test':
    case 'intranet.example.test':
    case 'localhost':
      return [{ address: '127.0.0.1', family: 4 }];
    case 'flaky.example.test':
      throw Object.assign(new Error(`getaddrinfo EAI_AGAIN ${hostname}`), { code: 'EAI_AGAIN' });
    default:
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  }
}

let server: TestServer;
let fetcher: HttpClient;

function req(url: string, extra: Partial<FetchRequest> = {}): FetchRequest {
  return {
    url,
    timeoutMs: 5_000,
    maxBytes: 1024 * 1024,
    userAgent: UA,
    origin: 'operator',
    allowPrivateNetworks: false,
    ...extra,
  };
}

/** The FetchError a fetch fails with (the test fails if it succeeds). */
async function failure(r: FetchRequest): Promise<FetchError> {
  try {
    await fetcher.fetchUrl(r);
  } catch (err) {
    expect(err).toBeInstanceOf(FetchError);
    return err as FetchError;
  }
  throw new Error(`expected ${r.url} to fail`);
}

const seen = (path: string) => server.requests.filter((r) => r.path === path);

beforeAll(async () => {
  server = await startServer();
  fetcher = createHttpClient({ resolver });
  server.route('/ok', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('沪指收涨0.5%');
  });
  server.route('/hop/', (request, res) => {
    const n = Number(request.url?.slice('/hop/'.length));
    if (n > 0) res.writeHead(302, { location: `./${n - 1}` }).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('arrived');
  });
  for (const status of [301, 302, 303, 307, 308]) {
    server.route(`/status-redirect/${status}`, (_req, res) => res.writeHead(status, { location: '/hop/0' }).end());
  }
  server.route('/a/b/start', (_req, res) => res.writeHead(302, { location: '../landing?x=1' }).end());
  server.route('/a/landing', (request, res) => res.writeHead(200).end(`landed at ${request.url}`));
  server.route('/temp-then-perm', (_req, res) => res.writeHead(307, { location: '/status-redirect/308' }).end());
  server.route('/to-file', (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
  server.route('/status/', (request, res) => {
    res.writeHead(Number(request.url?.slice('/status/'.length))).end('error page');
  });
  server.route('/limited-seconds', (_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
  server.route('/limited-date', (_req, res) =>
    res.writeHead(429, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }).end(),
  );
  server.route('/unavailable', (_req, res) => res.writeHead(503, { 'retry-after': '5' }).end());
  server.route('/cond', (request, res) => {
    const etag = '"feed-v7"';
    const lastModified = 'Wed, 30 Mar 2022 01:34:12 GMT';
    if (request.headers['if-none-match'] === etag || request.headers['if-modified-since'] === lastModified) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { etag, 'last-modified': lastModified, 'content-type': 'application/rss+xml' }).end('<rss/>');
  });
  server.route('/cache/max-age', (_req, res) =>
    res.writeHead(200, { 'cache-control': 'public, max-age=300' }).end('x'),
  );
  server.route('/cache/expires', (_req, res) => {
    const now = Date.now();
    res
      .writeHead(200, { date: new Date(now).toUTCString(), expires: new Date(now + 600_000).toUTCString() })
      .end('x');
  });
  server.route('/hang', () => {
    // Never answers.
  });
  server.route('/hang-body', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.write('<html><body><p>央行今日开展');
  });
  server.route('/weird-encoding', (_req, res) => res.writeHead(200, { 'content-encoding': 'compress' }).end('x'));
});

afterAll(async () => {
  await fetcher.close();
  await server.close();
});

describe('fetchUrl basics', () => {
  it('returns body, status, content type and headers, and sends the User-Agent', async () => {
    const res = await fetcher.fetchUrl(req(server.url('/ok')));
    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe('沪指收涨0.5%');
    expect(res.contentType).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.url).toBe(server.url('/ok'));
    expect(res.finalUrl).toBe(server.url('/ok'));
    expect(res.notModified).toBe(false);
    expect(res.permanentRedirect).toBe(false);
    const seenReq = seen('/ok').at(-1);
    expect(seenReq?.headers['user-agent']).toBe(UA);
    expect(seenReq?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it("sends a source's configured headers, but never lets them replace Host, framing or validators", async () => {
    await fetcher.fetchUrl(
      req(server.url('/ok'), {
        headers: { Referer: 'https://finance.eastmoney.com/', Host: 'evil.example', 'Content-Length': '5', 'If-None-Match': '"x"', 'X-Bad': 'a\r\nInjected: 1' },
      }),
    );
    const headers = seen('/ok').at(-1)?.headers;
    expect(headers?.referer).toBe('https://finance.eastmoney.com/');
    expect(headers?.host).toBe(new URL(server.url('/')).host);
    expect(headers?.['if-none-match']).toBeUndefined();
    expect(headers?.['content-length']).toBeUndefined();
    expect(headers?.['x-bad']).toBeUndefined();
    expect(headers?.injected).toBeUndefined();
  });

  it('sends the caller\'s Accept header', async () => {
    const res = await fetcher.fetchUrl(req(server.url('/ok'), { accept: 'text/plain' }));
    expect(res.body.toString('utf8')).toBe('沪指收涨0.5%');
    expect(seen('/ok').at(-1)?.headers.accept).toBe('text/plain');
  });
});

describe('redirects', () => {
  it('follows a chain of 5 relative redirects, sending the User-Agent on every hop', async () => {
    const before = server.requests.length;
    const res = await fetcher.fetchUrl(req(server.url('/hop/5')));
    expect(res.body.toString()).toBe('arrived');
    expect(res.finalUrl).toBe(server.url('/hop/0'));
    expect(res.permanentRedirect).toBe(false);
    const hops = server.requests.slice(before);
    expect(hops.map((h) => h.path)).toEqual(['/hop/5', '/hop/4', '/hop/3', '/hop/2', '/hop/1', '/hop/0']);
    expect(hops.every((h) => h.headers['user-agent'] === UA)).toBe(true);
  });

  it('fails on the 6th redirect', async () => {
    const before = server.requests.length;
    const err = await failure(req(server.url('/hop/6')));
    expect(err.code).toBe('too-many-redirects');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(server.url('/hop/6'));
    // The 6th Location (/hop/0) is never requested.
    expect(server.requests.slice(before).map((h) => h.path)).toEqual(['/hop/6', '/hop/5', '/hop/4', '/hop/3', '/hop/2', '/hop/1']);
  });

  it('resolves ../ Locations against the current URL', async () => {
    const res = await fetcher.fetchUrl(req(server.url('/a/b/start')));
    expect(res.finalUrl).toBe(server.url('/a/landing?x=1'));
    expect(res.body.toString()).toBe('landed at /a/landing?x=1');
  });

  it.each([
    [301, true],
    [308, true],
    [302, false],
    [303, false],
    [307, false],
  ])('a %i redirect sets permanentRedirect=%s', async (status, permanent) => {
    const res = await fetcher.fetchUrl(req(server.url(`/status-redirect/${status}`)));
    expect(res.status).toBe(200);
    expect(res.permanentRedirect).toBe(permanent);
  });

  it('flags a permanent redirect anywhere in the chain', async () => {
    const res = await fetcher.fetchUrl(req(server.url('/temp-then-perm')));
    expect(res.permanentRedirect).toBe(true);
    expect(res.finalUrl).toBe(server.url('/hop/0'));
  });

  it('refuses a redirect to a non-http scheme', async () => {
    const err = await failure(req(server.url('/to-file')));
    expect(err.code).toBe('bad-url');
    expect(err.message).toContain('file:');
  });
});

describe('conditional requests and caching hints', () => {
  it('sends If-None-Match and reports 304 as notModified with an empty body', async () => {
    const first = await fetcher.fetchUrl(req(server.url('/cond')));
    expect(first.validators).toEqual({ etag: '"feed-v7"', lastModified: 'Wed, 30 Mar 2022 01:34:12 GMT' });
    const res = await fetcher.fetchUrl(req(server.url('/cond'), { validators: { etag: first.validators.etag! } }));
    expect(seen('/cond').at(-1)?.headers['if-none-match']).toBe('"feed-v7"');
    expect(res.status).toBe(304);
    expect(res.notModified).toBe(true);
    expect(res.body.length).toBe(0);
    expect(res.validators.etag).toBe('"feed-v7"');
  });

  it('sends If-Modified-Since and keeps the sent validators when a 304 omits them', async () => {
    const lastModified = 'Wed, 30 Mar 2022 01:34:12 GMT';
    const res = await fetcher.fetchUrl(req(server.url('/cond'), { validators: { lastModified } }));
    expect(seen('/cond').at(-1)?.headers['if-modified-since']).toBe(lastModified);
    expect(res.notModified).toBe(true);
    expect(res.validators.lastModified).toBe(lastModified);
  });

  it('reads Cache-Control max-age', async () => {
    const res = await fetcher.fetchUrl(req(server.url('/cache/max-age')));
    expect(res.maxAgeMs).toBe(300_000);
  });

  it('reads Expires relative to Date', async () => {
    const res = await fetcher.fetchUrl(req(server.url('/cache/expires')));
    expect(res.maxAgeMs).toBeGreaterThanOrEqual(599_000);
    expect(res.maxAgeMs).toBeLessThanOrEqual(601_000);
  });
});

describe('HTTP errors', () => {
  it('429 with Retry-After seconds is retryable and carries the delay', async () => {
    const err = await failure(req(server.url('/limited-seconds')));
    expect(err.code).toBe('http-status');
    expect(err.status).toBe(429);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(120_000);
  });

  it('429 with an HTTP-date Retry-After', async () => {
    const err = await failure(req(server.url('/limited-date')));
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBeGreaterThan(28_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('503 is retryable with its Retry-After', async () => {
    const err = await failure(req(server.url('/unavailable')));
    expect(err.status).toBe(503);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(5_000);
  });

  it.each([
    [404, false],
    [403, false],
    [410, false],
    [408, true],
    [425, true],
    [500, true],
    [502, true],
  ])('HTTP %i → http-status, retryable=%s, message names the URL', async (status, retryable) => {
    const url = server.url(`/status/${status}`);
    const err = await failure(req(url));
    expect(err.code).toBe('http-status');
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(retryable);
    expect(err.url).toBe(url);
    expect(err.message).toContain(url);
    expect(err.message).toContain(String(status));
  });
});

describe('compressed bodies', () => {
  const feed = readFileSync(join(fixtures, 'gbk-feed-prolog.xml'));
  const golden = readFileSync(join(fixtures, 'source', 'gbk-feed-prolog.xml'), 'utf8');
  const encoders: Record<string, { header: string; encode: (b: Buffer) => Buffer }> = {
    gzip: { header: 'gzip', encode: (b) => zlib.gzipSync(b) },
    deflate: { header: 'deflate', encode: (b) => zlib.deflateSync(b) },
    'raw-deflate': { header: 'deflate', encode: (b) => zlib.deflateRawSync(b) },
    br: { header: 'br', encode: (b) => zlib.brotliCompressSync(b) },
  };

  beforeAll(() => {
    for (const [name, { header, encode }] of Object.entries(encoders)) {
      const body = encode(feed);
      server.route(`/enc/${name}`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': header }).end(body);
      });
    }
  });

  it.each(Object.keys(encoders))('undoes %s and the GBK feed decodes to the golden text', async (name) => {
    const res = await fetcher.fetchUrl(req(server.url(`/enc/${name}`)));
    expect(res.body.equals(feed)).toBe(true);
    expect(decodeBody(res.body, res.contentType)).toEqual({ text: golden, charset: 'gb18030' });
  });

  it('fails clearly on an encoding it cannot undo', async () => {
    const err = await failure(req(server.url('/weird-encoding')));
    expect(err.code).toBe('network');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('compress');
  });
});

describe('limits', () => {
  it('times out on a server that never answers', async () => {
    const started = Date.now();
    const err = await failure(req(server.url('/hang'), { timeoutMs: 300 }));
    expect(err.code).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(server.url('/hang'));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('times out on a body that never finishes (the timeout covers the body)', async () => {
    const started = Date.now();
    const err = await failure(req(server.url('/hang-body'), { timeoutMs: 300 }));
    expect(err.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops an endless body at maxBytes and closes the connection', async () => {
    const { handler, done } = streamingHandler(Infinity);
    server.route('/endless', handler);
    const err = await failure(req(server.url('/endless'), { maxBytes: 256 * 1024 }));
    expect(err.code).toBe('too-large');
    expect(err.retryable).toBe(false);
    const stats = await done;
    expect(stats.finished).toBe(false);
  });

  it('stops a big body mid-stream: the server never gets to send it all', async () => {
    const total = 64 * 1024 * 1024;
    const { handler, done } = streamingHandler(total);
    server.route('/big', handler);
    const err = await failure(req(server.url('/big'), { maxBytes: 512 * 1024 }));
    expect(err.code).toBe('too-large');
    const stats = await done;
    expect(stats.finished).toBe(false);
    expect(stats.sent).toBeLessThan(total / 4);
  });

  it('refuses a Content-Length over the cap before reading the body', async () => {
    const { handler, done } = streamingHandler(8 * 1024 * 1024, { 'content-length': 8 * 1024 * 1024 });
    server.route('/declared-big', handler);
    const err = await failure(req(server.url('/declared-big'), { maxBytes: 1024 * 1024 }));
    expect(err.code).toBe('too-large');
    expect(err.message).toContain('Content-Length');
    expect((await done).finished).toBe(false);
  });

  it('caps a gzip bomb by its decompressed size', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(128 * 1024);
    server.route('/bomb', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb);
    });
    const err = await failure(req(server.url('/bomb'), { maxBytes: 1024 * 1024 }));
    expect(err.code).toBe('too-large');
    expect(err.message).toContain('after decompression');
  });

  it('a caller abort ends the request', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await failure(req(server.url('/hang'), { signal: ac.signal }));
    expect(err.code).toBe('network');
    expect(err.message).toContain('aborted');
  });
});

describe('connection errors', () => {
  it('a closed port is refused (retryable)', async () => {
    const port = await closedPort();
    const err = await failure(req(`http://127.0.0.1:${port}/rss.xml`));
    expect(err.code).toBe('refused');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  it('an unknown host is a dns error, not retryable', async () => {
    const err = await failure(req('http://gone.example.test/rss.xml'));
    expect(err.code).toBe('dns');
    expect(err.retryable).toBe(false);
  });

  it('a temporary DNS failure is retryable', async () => {
    const err = await failure(req('http://flaky.example.test/rss.xml'));
    expect(err.code).toBe('dns');
    expect(err.retryable).toBe(true);
  });

  it.each(['file:///etc/passwd', 'javascript:alert(1)', 'ftp://ftp.example.com/feed.xml', 'not a url', 'http://'])(
    '%s is a bad-url',
    async (url) => {
      const err = await failure(req(url));
      expect(err.code).toBe('bad-url');
      expect(err.retryable).toBe(false);
    },
  );
});

describe('address policy for content URLs', () => {
  const content = (url: string, extra: Partial<FetchRequest> = {}): FetchRequest =>
    req(url, { origin: 'content', sourceOrigin: 'https://news.example.com', ...extra });

  it('blocks 127.0.0.1 from another source host; the server never hears of it', async () => {
    const before = { requests: server.requests.length, connections: server.connections() };
    const err = await failure(content(server.url('/ok?blocked-literal')));
    expect(err.code).toBe('blocked-address');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(server.url('/ok?blocked-literal'));
    expect(err.message).toContain('allowPrivateNetworks');
    expect(server.requests.length).toBe(before.requests);
    expect(server.connections()).toBe(before.connections);
  });

  it('blocks a name that resolves to a private address, checked in the connection lookup', async () => {
    const before = { requests: server.requests.length, connections: server.connections() };
    const err = await failure(content(`http://intranet.example.test:${server.port}/ok`));
    expect(err.code).toBe('blocked-address');
    expect(err.message).toContain('127.0.0.1');
    expect(server.requests.length).toBe(before.requests);
    expect(server.connections()).toBe(before.connections);
  });

  it('blocks IPv4-mapped, integer, hex and other private literals', async () => {
    for (const host of ['[::ffff:127.0.0.1]', '[::1]', '10.0.0.8', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '2130706433', '0x7f.0.0.1']) {
      const err = await failure(content(`http://${host}:${server.port}/ok`));
      expect(err.code, host).toBe('blocked-address');
    }
  });

  it('allows the same URL with allowPrivateNetworks', async () => {
    const res = await fetcher.fetchUrl(content(server.url('/ok?allowed'), { allowPrivateNetworks: true }));
    expect(res.status).toBe(200);
    expect(seen('/ok?allowed')).toHaveLength(1);
  });

  it("allows a private content URL on the source's own host", async () => {
    const res = await fetcher.fetchUrl(content(server.url('/ok?same-host'), { sourceOrigin: server.url('/rss.xml') }));
    expect(res.status).toBe(200);
    const named = await fetcher.fetchUrl(
      content(`http://feed.example.test:${server.port}/ok?same-name`, { sourceOrigin: `http://FEED.example.test:${server.port}` }),
    );
    expect(named.body.toString()).toBe('沪指收涨0.5%');
  });

  it('trusts operator URLs', async () => {
    const res = await fetcher.fetchUrl(req(`http://localhost:${server.port}/ok?operator`));
    expect(res.status).toBe(200);
  });

  it('re-checks every redirect hop: source host → private other host is blocked', async () => {
    server.route('/leave', (_req, res) =>
      res.writeHead(302, { location: `http://intranet.example.test:${server.port}/secret` }).end(),
    );
    server.route('/secret', (_req, res) => res.writeHead(200).end('internal'));
    const err = await failure(
      content(`http://feed.example.test:${server.port}/leave`, { sourceOrigin: `http://feed.example.test:${server.port}` }),
    );
    expect(err.code).toBe('blocked-address');
    expect(seen('/leave')).toHaveLength(1);
    expect(seen('/secret')).toHaveLength(0);

    const allowed = await fetcher.fetchUrl(
      content(`http://feed.example.test:${server.port}/leave`, { sourceOrigin: `http://feed.example.test:${server.port}`, allowPrivateNetworks: true }),
    );
    expect(allowed.body.toString()).toBe('internal');
  });

  describe('with a canary listener on 127.0.0.2', () => {
    let canary: http.Server;
    let canaryPort = 0;
    let canaryConnections = 0;
    beforeAll(async () => {
      canary = http.createServer((_req, res) => res.writeHead(200).end('canary'));
      canary.on('connection', () => canaryConnections++);
      await new Promise<void>((resolve) => canary.listen(0, '127.0.0.2', resolve));
      canaryPort = (canary.address() as AddressInfo).port;
    });
    afterAll(async () => {
      canary.closeAllConnections();
      await new Promise<void>((resolve) => canary.close(() => resolve()));
    });

    it('refuses a source feed that redirects to a private address; only the configured URL is trusted', async () => {
      server.route('/rss/moved', (_req, res) => void res.writeHead(302, { location: `http://127.0.0.2:${canaryPort}/admin` }).end());
      const before = canaryConnections;
      const err = await failure(req(server.url('/rss/moved')));
      expect(err.code).toBe('blocked-address');
      expect(err.message).toContain(`127.0.0.2:${canaryPort}`);
      expect(canaryConnections).toBe(before);

      // A redirect within the source's own origin is still followed, and allowPrivateNetworks opens the rest.
      server.route('/rss/here', (_req, res) => void res.writeHead(301, { location: '/ok' }).end());
      expect((await fetcher.fetchUrl(req(server.url('/rss/here')))).status).toBe(200);
      const allowed = await fetcher.fetchUrl(req(server.url('/rss/moved'), { allowPrivateNetworks: true }));
      expect(allowed.body.toString()).toBe('canary');
    });

    it("refuses a content link to another port of the source's host", async () => {
      const before = canaryConnections;
      const other = await failure(content(`http://127.0.0.2:${canaryPort}/a/1.html`, { sourceOrigin: `http://127.0.0.2:${server.port}/rss.xml` }));
      expect(other.code).toBe('blocked-address');
      const named = await failure(content(`http://feed.example.test:${canaryPort}/a/1.html`, { sourceOrigin: `http://feed.example.test:${server.port}` }));
      expect(named.code).toBe('blocked-address');
      expect(canaryConnections).toBe(before);
      expect((await fetcher.fetchUrl(content(`http://127.0.0.2:${canaryPort}/a/1.html`, { sourceOrigin: `http://127.0.0.2:${canaryPort}/rss.xml` }))).status).toBe(200);
    });
  });
});
