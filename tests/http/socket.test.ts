import { request } from 'node:http';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedDocName } from '../../src/publish/doc-names.js';
import { startServer } from '../../src/http/server.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  h = await startHarness();
  server = await startServer(h.deps, { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close();
  await h.close();
});

/** Raw GET/HEAD over the socket, so the compressed bytes are seen as sent. */
function raw(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('over a real socket', () => {
  it('listens on 127.0.0.1 with an ephemeral port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
  });

  it('serves a feed to fetch, decoded transparently, and a 304 on revalidation', async () => {
    const doc = await h.store.getRendered(feedDocName('all', 'json'));
    const res = await fetch(`${server.url}/feeds/all.json`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    expect(res.headers.get('content-encoding')).toBe('br');
    const feed = (await res.json()) as { version: string; items: { title: string }[] };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.items[0]?.title).toContain('A股三大指数集体收涨');

    const again = await fetch(`${server.url}/feeds/all.json`, { headers: { 'if-none-match': res.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    expect(res.headers.get('etag')).toBe(doc?.etag);
  });

  it('sends the pre-compressed bytes and a body-less HEAD', async () => {
    const doc = await h.store.getRendered(feedDocName('all', 'rss'));
    const get = await raw('GET', '/feeds/all.xml', { 'accept-encoding': 'br' });
    expect(get.headers['content-encoding']).toBe('br');
    expect(get.body.equals(doc?.br ?? Buffer.alloc(0))).toBe(true);
    expect(brotliDecompressSync(get.body).equals(doc?.body ?? Buffer.alloc(0))).toBe(true);

    const head = await raw('HEAD', '/feeds/all.xml', { 'accept-encoding': 'br' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(doc?.br.length));
    expect(head.headers.etag).toBe(doc?.etag);
  });

  it('serves the home page and the API', async () => {
    const home = await fetch(`${server.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('财经新闻聚合');
    const items = await fetch(`${server.url}/api/items?limit=2`);
    const body = (await items.json()) as { items: unknown[]; next: string | null };
    expect(body.items).toHaveLength(2);
    expect(body.next).not.toBeNull();
  });
});
