import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cinnItem, startHarness, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.store.putSourceState({ id: 'cinn-industry', lastFetchAt: '2022-03-30T09:50:00+08:00', lastStatus: 200, consecutiveFailures: 0, items: 0 });
});
afterAll(async () => {
  await h.close();
});

describe('home page', () => {
  it('renders each category with its latest items, feed autodiscovery and the sources status', async () => {
    const res = await h.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    expect(res.headers['last-modified']).toMatch(/GMT$/);
    const page = res.body;
    expect(page).toContain('<link rel="alternate" type="application/rss+xml"');
    expect(page).toContain('/feeds/all.xml');
    expect(page).toContain('中国工业报');
    expect(page).toContain('证券时报');
    expect(page).toContain('工业'); // configured title of `industry`
    expect(page).toContain('A股三大指数集体收涨，沪指重回3200点（第23期）');
    // The merged stream holds every item (fewer than site.itemsPerFeed), each once.
    expect(page.match(/（第12期）/g)).toHaveLength(1);
    expect(page.match(/（第1期）/g)).toHaveLength(1);
    expect(page).toContain('cinn-industry');
    expect(page).toContain('paused-source');
  });

  it('is stable between requests, answers 304 to its ETag, and compresses when asked', async () => {
    const first = await h.app.inject({ url: '/' });
    const again = await h.app.inject({ url: '/', headers: { 'if-none-match': first.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    const ims = await h.app.inject({ url: '/', headers: { 'if-modified-since': first.headers['last-modified'] as string } });
    expect(ims.statusCode).toBe(304);

    const br = await h.app.inject({ url: '/', headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.rawPayload).equals(first.rawPayload)).toBe(true);
    const gz = await h.app.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } });
    expect(gunzipSync(gz.rawPayload).equals(first.rawPayload)).toBe(true);
    expect(gz.headers.etag).toBe(first.headers.etag);
  });

  it('changes ETag when a new item arrives', async () => {
    const before = await h.app.inject({ url: '/' });
    const changed = await h.store.saveItem(cinnItem(40, { title: '工信部：加快推进制造业数字化转型' }));
    // As the pipeline does after every save: the changed categories are published.
    await h.publish(changed);
    const after = await h.app.inject({ url: '/', headers: { 'if-none-match': before.headers.etag as string } });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('工信部：加快推进制造业数字化转型');
  });
});

describe('category page', () => {
  it('renders the newest items of a category titled with its publisher', async () => {
    const res = await h.app.inject({ url: '/category/zhongguogongyebao.html' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(res.body).toContain('<title>中国工业报 - 财经新闻聚合</title>');
    expect(res.body).toContain('/feeds/zhongguogongyebao.atom');
    expect(res.body).toContain('（第1期）');
    expect(res.body).not.toContain('A股三大指数');

    const head = await h.app.inject({ method: 'HEAD', url: '/category/zhongguogongyebao.html' });
    expect(head.statusCode).toBe(200);
    expect(head.rawPayload.length).toBe(0);
    expect(head.headers.etag).toBe(res.headers.etag);
    const cond = await h.app.inject({ url: '/category/zhongguogongyebao.html', headers: { 'if-none-match': res.headers.etag as string } });
    expect(cond.statusCode).toBe(304);
  });

  it('honours site.itemsPerFeed', async () => {
    h.config.site.itemsPerFeed = 3;
    try {
      // A reloaded config republishes every category.
      await h.publish(['zhongguogongyebao']);
      const res = await h.app.inject({ url: '/category/zhongguogongyebao.html' });
      expect(res.body.match(/<article/g)).toHaveLength(3);
    } finally {
      h.config.site.itemsPerFeed = 50;
      await h.publish(['zhongguogongyebao']);
    }
  });

  it('is a 404 HTML page for an unknown category', async () => {
    for (const url of ['/category/nosuch.html', '/category/zhongguogongyebao.xml']) {
      const res = await h.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(res.body, url).toContain('404');
    }
  });
});
