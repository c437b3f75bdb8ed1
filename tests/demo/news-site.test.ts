import { readFile } from 'node:fs/promises';
import { load } from 'cheerio';
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
    for (const feed of site.feeds.filter((f) => f.format !== 'json' && f.format !== 'html')) {
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

  it('has a getNewsByColumns-shaped JSON list API whose articles have bodies at GetNewsText.do, some also in RSS feeds', async () => {
    const feed = site.feeds.find((f) => f.format === 'json');
    if (!feed) throw new Error('no json list in demo/site.yaml');
    const body = await get(news.origin + feed.path);
    expect(body.status).toBe(200);
    const parsed = JSON.parse(body.text) as { code: number; data: { page_index: number; list: Array<Record<string, string>> } };
    expect(parsed.code).toBe(1);
    expect(parsed.data.page_index).toBe(1);
    const carried = site.articles.filter((a) => a.in.includes(feed.id));
    expect(parsed.data.list.map((r) => r.code).sort()).toEqual(carried.map((a) => a.code).sort());
    expect(carried.some((a) => a.in.length === 1)).toBe(true);
    expect(carried.some((a) => a.in.some((id) => site.feeds.find((f) => f.id === id)?.format === 'rss'))).toBe(true);
    for (const record of parsed.data.list) {
      expect(Object.keys(record).sort()).toEqual(['code', 'mediaName', 'showTime', 'summary', 'title', 'uniqueUrl']);
      expect(record.showTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(record.uniqueUrl).toBe(`${news.origin}/a/${record.code}.html`);
      const api = await get(`${news.origin}/NewsData/GetNewsText.do?id=NW${record.code}`);
      expect(api.status).toBe(200);
      const content = (JSON.parse(api.text) as { content: string }).content;
      expect(content).toMatch(/^<p>/);
      expect(content).toContain(`（文章来源：${record.mediaName}）`);
    }
    // Articles not in the list have no body there.
    expect((await fetch(`${news.origin}/NewsData/GetNewsText.do?id=NW${SEED_CODE}`)).status).toBe(404);
  });

  it('has a GBK HTML list page with links relative to it and 年月日 dates, overlapping the other lists', async () => {
    const feed = site.feeds.find((f) => f.format === 'html');
    if (!feed) throw new Error('no html list in demo/site.yaml');
    const body = await get(news.origin + feed.path);
    expect(body.charset).toBe('gb18030');
    const $ = load(body.text);
    const records = $('ul.news-list > li')
      .toArray()
      .map((li) => ({ href: $(li).find('a').attr('href') ?? '', title: $(li).find('a').text(), time: $(li).find('span.time').text() }));
    const carried = site.articles.filter((a) => a.in.includes(feed.id));
    expect(records.map((r) => r.title).sort()).toEqual(carried.map((a) => a.title).sort());
    expect(carried.filter((a) => a.in.length > 1).length).toBeGreaterThanOrEqual(2);
    for (const r of records) {
      expect(r.href).not.toMatch(/^(https?:)?\//);
      expect(r.time).toMatch(/^\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}$/);
      const page = await get(new URL(r.href, news.origin + feed.path).href);
      expect(page.text).toContain(r.title);
    }
  });

  it('serves the GBK feed and its pages in GBK, declared in the documents themselves', async () => {
    const feed = site.feeds.find((f) => f.charset === 'gbk' && f.format === 'rss');
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
