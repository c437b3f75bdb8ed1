import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_TYPES } from '../../src/publish/formats.js';
import { toRenderedDoc, type RenderedDoc } from '../../src/publish/rendered.js';

const body = `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>财经新闻聚合 📈</title>${'<item><title>政策引导 重庆推进专精特新企业持续创新</title></item>'.repeat(50)}</channel></rss>`;
const modified = new Date('2022-03-30T01:34:12.345Z');

describe('toRenderedDoc', () => {
  let doc: RenderedDoc;
  beforeAll(async () => {
    doc = await toRenderedDoc(body, CONTENT_TYPES.rss, modified);
  });

  it('keeps the UTF-8 body and compressed copies that decode back to it', () => {
    expect(doc.body.toString('utf8')).toBe(body);
    expect(gunzipSync(doc.gzip).equals(doc.body)).toBe(true);
    expect(brotliDecompressSync(doc.br).equals(doc.body)).toBe(true);
    expect(doc.gzip.length).toBeLessThan(doc.body.length / 5);
    expect(doc.br.length).toBeLessThan(doc.gzip.length);
    expect(doc.contentType).toBe('application/rss+xml; charset=utf-8');
  });

  it('decodes back from brotli at every size, across the window the encoder sizes to the body', async () => {
    // Sizes either side of a window (1 << bits, less 16) and past brotli's default window (4 MB);
    // the second half repeats the first, so the encoder copies from as far back as the body is long.
    let seed = 7;
    const text = (n: number): string => {
      let s = '';
      while (s.length < n) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        s += seed.toString(36);
      }
      return s.slice(0, n);
    };
    for (const n of [0, 1, 1008, 1009, 65_520, 65_521, 300_000, 5_000_000]) {
      const half = text(Math.floor(n / 2));
      const b = half + half + text(n % 2);
      const d = await toRenderedDoc(b, CONTENT_TYPES.rss, modified);
      expect(brotliDecompressSync(d.br).equals(d.body), `${n} bytes`).toBe(true);
    }
  });

  it('sends Last-Modified as an HTTP date', async () => {
    expect(doc.lastModified).toBe('Wed, 30 Mar 2022 01:34:12 GMT');
    expect((await toRenderedDoc('x', CONTENT_TYPES.html, new Date(Number.NaN))).lastModified).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
  });

  it('has a strong ETag that changes exactly when the body changes', async () => {
    expect(doc.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect((await toRenderedDoc(Buffer.from(body), CONTENT_TYPES.atom, new Date())).etag).toBe(doc.etag);
    expect((await toRenderedDoc(body.replace('📈', '📉'), CONTENT_TYPES.rss, modified)).etag).not.toBe(doc.etag);
    expect((await toRenderedDoc(`${body} `, CONTENT_TYPES.rss, modified)).etag).not.toBe(doc.etag);
  });

  it('exports the INTERFACE §5 content types', () => {
    expect(CONTENT_TYPES).toEqual({
      rss: 'application/rss+xml; charset=utf-8',
      atom: 'application/atom+xml; charset=utf-8',
      json: 'application/feed+json; charset=utf-8',
      opml: 'text/x-opml; charset=utf-8',
      html: 'text/html; charset=utf-8',
    });
  });
});
