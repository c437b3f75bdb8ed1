import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedDocName } from '../../src/publish/doc-names.js';
import type { RenderedDoc } from '../../src/publish/rendered.js';
import { PUBLISHED_AT, startHarness, type Harness } from './harness.js';

let h: Harness;
let allRss: RenderedDoc;

beforeAll(async () => {
  h = await startHarness();
  const doc = await h.store.getRendered(feedDocName('all', 'rss'));
  if (doc === null) throw new Error('harness did not render feed:all.xml');
  allRss = doc;
});
afterAll(async () => {
  await h.close();
});

describe('feeds', () => {
  it('serves the rendered RSS, Atom and JSON Feed with their content types and cache headers', async () => {
    const cases = [
      ['/feeds/all.xml', 'application/rss+xml; charset=utf-8'],
      ['/feeds/all.atom', 'application/atom+xml; charset=utf-8'],
      ['/feeds/all.json', 'application/feed+json; charset=utf-8'],
      ['/feeds/zhongguogongyebao.xml', 'application/rss+xml; charset=utf-8'],
      ['/feeds.opml', 'text/x-opml; charset=utf-8'],
    ] as const;
    for (const [url, type] of cases) {
      const res = await h.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toBe(type);
      expect(res.headers['cache-control'], url).toBe('public, max-age=60');
      expect(res.headers.etag, url).toMatch(/^"[^"]+"$/);
      expect(res.headers['last-modified'], url).toMatch(/GMT$/);
      expect(res.headers.vary, url).toBe('Accept-Encoding');
      expect(res.headers['content-encoding'], url).toBeUndefined();
    }
    const rss = await h.app.inject({ url: '/feeds/all.xml' });
    expect(rss.rawPayload.equals(allRss.body)).toBe(true);
    expect(rss.body).toContain('工信部：一季度规模以上工业增加值同比增长6.5%');
    expect(rss.body).toContain('A股三大指数集体收涨');
    const json = JSON.parse((await h.app.inject({ url: '/feeds/zhongguogongyebao.json' })).body) as { title: string; items: unknown[] };
    expect(json.title).toContain('中国工业报');
    expect(json.items).toHaveLength(12);
  });

  it('answers 304 with no body to a matching If-None-Match (exact, in a list, weak)', async () => {
    for (const inm of [allRss.etag, `"stale", ${allRss.etag}`, `W/${allRss.etag}`, '*']) {
      const res = await h.app.inject({ url: '/feeds/all.xml', headers: { 'if-none-match': inm } });
      expect(res.statusCode, inm).toBe(304);
      expect(res.rawPayload.length, inm).toBe(0);
      expect(res.headers.etag).toBe(allRss.etag);
      expect(res.headers['cache-control']).toBe('public, max-age=60');
    }
    const stale = await h.app.inject({ url: '/feeds/all.xml', headers: { 'if-none-match': '"stale"' } });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.equals(allRss.body)).toBe(true);
  });

  it('sends the time the feed was published as Last-Modified', async () => {
    for (const url of ['/feeds/all.xml', '/feeds/zhongguogongyebao.json', '/feeds.opml']) {
      const res = await h.app.inject({ url });
      expect(res.headers['last-modified'], url).toBe(PUBLISHED_AT.toUTCString());
    }
  });

  it('answers 304 to If-Modified-Since at or after Last-Modified, 200 before it', async () => {
    const notModified = await h.app.inject({ url: '/feeds/all.xml', headers: { 'if-modified-since': allRss.lastModified } });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.rawPayload.length).toBe(0);
    const earlier = new Date(Date.parse(allRss.lastModified) - 1000).toUTCString();
    const modified = await h.app.inject({ url: '/feeds/all.xml', headers: { 'if-modified-since': earlier } });
    expect(modified.statusCode).toBe(200);
    expect(modified.rawPayload.equals(allRss.body)).toBe(true);
  });

  it('serves the pre-compressed bodies: br preferred, gzip when br is refused, both decode to the same bytes', async () => {
    const br = await h.app.inject({ url: '/feeds/all.xml', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.rawPayload.equals(allRss.br)).toBe(true);
    expect(brotliDecompressSync(br.rawPayload).equals(allRss.body)).toBe(true);

    const gz = await h.app.inject({ url: '/feeds/all.xml', headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(allRss.body)).toBe(true);
    expect(Number(gz.headers['content-length'])).toBe(gz.rawPayload.length);
    expect(gz.rawPayload.length).toBeLessThan(allRss.body.length);

    const none = await h.app.inject({ url: '/feeds/all.xml', headers: { 'accept-encoding': 'identity, gzip;q=0, br;q=0' } });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.rawPayload.equals(allRss.body)).toBe(true);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const get = await h.app.inject({ url: '/feeds/all.atom', headers: { 'accept-encoding': 'gzip' } });
    const head = await h.app.inject({ method: 'HEAD', url: '/feeds/all.atom', headers: { 'accept-encoding': 'gzip' } });
    expect(head.statusCode).toBe(200);
    expect(head.rawPayload.length).toBe(0);
    for (const name of ['content-type', 'etag', 'last-modified', 'cache-control', 'content-encoding', 'vary', 'content-length']) {
      expect(head.headers[name], name).toBe(get.headers[name]);
    }
  });

  it('is a 404 with a JSON error for an unknown slug or extension, never an empty feed', async () => {
    for (const url of ['/feeds/no-such-category.xml', '/feeds/nosuch.json', '/feeds/all.rss', '/feeds/all']) {
      const res = await h.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toBe('application/json; charset=utf-8');
      const body = JSON.parse(res.body) as { error: { code: string; message: string } };
      expect(body.error.code, url).toMatch(/not-found|unknown-category/);
      expect(body.error.message.length, url).toBeGreaterThan(0);
    }
  });

  it('is a 503 with Retry-After for a known category whose feeds are not rendered yet', async () => {
    for (const url of ['/feeds/zhengquanshibao.xml', '/feeds/industry.atom']) {
      const res = await h.app.inject({ url });
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['retry-after'], url).toBe('5');
      expect((JSON.parse(res.body) as { error: { code: string } }).error.code).toBe('not-rendered');
    }
  });
});
