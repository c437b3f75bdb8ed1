import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNewsSite, type NewsSite } from '../../src/demo/news-site.js';
import { demoDir, loadDemoSite, type DemoSite } from '../../src/demo/site-model.js';
import { decodeBody } from '../../src/fetch/decode.js';
import { identify } from '../../src/identity/index.js';
import { parseFeed } from '../../src/sources/parse-feed.js';
import { slugOf } from '../../src/tagging/slug.js';
import { REPO_ROOT } from '../support/harness.js';
import { SEED_CODE } from '../support/news-fixtures.js';

describe('the demo news site', () => {
  let site: DemoSite;
  let news: NewsSite;
  beforeAll(async () => {
    site = await loadDemoSite();
    news = await startNewsSite(site, 0);
  });
  afterAll(() => news.close());

  const get = async (url: string): Promise<{ status: number; text: string; charset: string; bytes: Buffer }> => {
    const res = await fetch(url);
    const bytes = Buffer.from(await res.arrayBuffer());
    const decoded = decodeBody(bytes, res.headers.get('content-type') ?? undefined);
    return { status: res.status, bytes, ...decoded };
  };

  it('has a few dozen articles from several publishers, one needing context-aware pinyin', () => {
    expect(site.articles.length).toBeGreaterThanOrEqual(30);
    const publishers = new Set(site.articles.map((a) => a.publisher));
    expect(publishers.size).toBeGreaterThanOrEqual(6);
    expect(publishers).toContain('证券时报网');
    expect(slugOf('重庆日报')).toBe('chongqingribao');
    expect(publishers).toContain('重庆日报');
  });

  it('publishes every article once per feed that carries it, the seed in three feeds in three link forms', async () => {
    const seedLinks: string[] = [];
    for (const feed of site.feeds) {
      const body = await get(news.origin + feed.path);
      expect(body.status).toBe(200);
      const parsed = await parseFeed(body.text, { feedUrl: news.origin + feed.path, timezone: 'Asia/Shanghai' });
      expect(parsed.warnings, feed.id).toEqual([]);
      const codes = parsed.items.map((i) => identify(i, { param: 'infoCode' }).infoCode);
      const expected = site.articles.filter((a) => a.in.includes(feed.id)).map((a) => `NW${a.code}`);
      expect(codes.sort(), feed.id).toEqual(expected.sort());
      for (const item of parsed.items) {
        if (identify(item, { param: 'infoCode' }).infoCode === `NW${SEED_CODE}`) seedLinks.push(item.link ?? '');
      }
    }
    expect(new Set(seedLinks.map((l) => new URL(l).pathname)).size).toBe(3);
    for (const link of seedLinks) {
      const page = await get(link);
      expect(page.text).toContain('（文章来源：中国工业报）');
    }
  });

  it('serves the GBK feed and its pages in GBK, declared in the documents themselves', async () => {
    const feed = site.feeds.find((f) => f.charset === 'gbk');
    if (!feed) throw new Error('no GBK feed in demo/site.yaml');
    const body = await get(news.origin + feed.path);
    expect(body.charset).toBe('gb18030');
    expect(body.bytes.toString('utf8')).not.toContain('证券');
    expect(body.text).toContain('沪指震荡走高收涨1.86%');
    const article = site.articles.find((a) => a.charset === 'gbk' && a.in.includes(feed.id));
    const page = await get(`${news.origin}/a/${article?.code}.html`);
    expect(page.charset).toBe('gb18030');
    expect(page.text).toContain(`（文章来源：${article?.publisher}）`);
  });

  it('serves the seed article page as the fixture has it', async () => {
    const fixture = await readFile(path.join(REPO_ROOT, 'tests/fixtures/articles/seed-article.html'), 'utf8');
    expect(await readFile(path.join(demoDir(), 'static/a', `${SEED_CODE}.html`), 'utf8')).toBe(fixture);
    const res = await fetch(`${news.origin}/news.html?infoCode=NW${SEED_CODE}&utm_source=rss`);
    expect(await res.text()).toBe(fixture);
    // Its third-party CSS and scripts are not loaded by a browser.
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('answers a conditional GET with 304 and an unknown path with 404', async () => {
    const url = news.origin + (site.feeds[0]?.path ?? '/');
    const first = await fetch(url);
    const etag = first.headers.get('etag') ?? '';
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${news.origin}/nothing-here.xml`)).status).toBe(404);
  });
});
