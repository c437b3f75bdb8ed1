import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { beforeEach, expect, it } from 'vitest';
import type { RenderedDoc, Store } from '../../../src/store/store.js';
import { type ContractContext } from './helpers.js';

/** The rendered documents block of the store contract. */
export function renderedContract(t: ContractContext): void {
  let store: Store;
  beforeEach(() => {
    store = t.store;
  });

  it('forgets a deleted rendered document, and deleting a missing one is harmless', async () => {
    const body = Buffer.from('<rss/>', 'utf8');
    const doc: RenderedDoc = { contentType: 'application/rss+xml; charset=utf-8', body, gzip: gzipSync(body), br: brotliCompressSync(body), etag: '"x"', lastModified: 'Wed, 30 Mar 2022 01:34:12 GMT' };
    await store.putRendered('feed:policy.xml', doc);
    await store.putRendered('feed:all.xml', doc);
    await store.deleteRendered('feed:policy.xml');
    await store.deleteRendered('feed:never-there.xml');
    expect(await store.getRendered('feed:policy.xml')).toBeNull();
    expect(await store.getRendered('feed:all.xml')).toEqual(doc);
  });

  it('keeps rendered documents byte for byte', async () => {
    const xml =
      '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>财经新闻聚合 · 中国工业报</title>' +
      '<item><title>工信部：一季度规模以上工业增加值同比增长6.5%</title></item></channel></rss>';
    const body = Buffer.from(xml, 'utf8');
    const doc: RenderedDoc = {
      contentType: 'application/rss+xml; charset=utf-8',
      body,
      gzip: gzipSync(body),
      br: brotliCompressSync(body),
      etag: '"a1b2c3"',
      lastModified: 'Wed, 30 Mar 2022 01:34:12 GMT',
    };
    await store.putRendered('feeds/zhongguogongyebao.xml', doc);
    const got = await store.getRendered('feeds/zhongguogongyebao.xml');
    expect(got).toEqual(doc);
    expect(got?.gzip.equals(doc.gzip)).toBe(true);
    expect(gunzipSync(got?.gzip ?? Buffer.alloc(0)).toString('utf8')).toBe(xml);

    // Every byte value survives, and a new render replaces the old.
    const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const replaced: RenderedDoc = { ...doc, body: allBytes, gzip: gzipSync(allBytes), br: Buffer.alloc(0), etag: '"d4"' };
    await store.putRendered('feeds/zhongguogongyebao.xml', replaced);
    expect(await store.getRendered('feeds/zhongguogongyebao.xml')).toEqual(replaced);
    expect(await store.getRendered('feeds/nosuch.xml')).toBeNull();
  });

  it('lists the ETag of every rendered document by name, following puts and deletes', async () => {
    const doc = (etag: string): RenderedDoc => {
      const body = Buffer.from(`<rss>${etag}</rss>`, 'utf8');
      return { contentType: 'application/rss+xml; charset=utf-8', body, gzip: gzipSync(body), br: brotliCompressSync(body), etag, lastModified: 'Wed, 30 Mar 2022 01:34:12 GMT' };
    };
    expect(await store.renderedEtags()).toEqual(new Map());
    await store.putRendered('feed:all.xml', doc('"a1"'));
    await store.putRendered('opml', doc('"o1"'));
    await store.putRendered('feed:all.xml', doc('"a2"'));
    expect(await store.renderedEtags()).toEqual(new Map([['feed:all.xml', '"a2"'], ['opml', '"o1"']]));
    await store.deleteRendered('opml');
    expect(await store.renderedEtags()).toEqual(new Map([['feed:all.xml', '"a2"']]));
  });
}
