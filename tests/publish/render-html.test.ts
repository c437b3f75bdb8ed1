import { readFileSync } from 'node:fs';
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import type { Item, SiteConfig, SourceRow } from '../../src/domain.js';
import type { RenderContext } from '../../src/publish/context.js';
import { html, raw, renderCategoryPage, renderHomePage } from '../../src/publish/render-html.js';
import { escapeHtml } from '../../src/util/html.js';
import { testSite } from '../support/config.js';

const items = JSON.parse(readFileSync(new URL('../fixtures/publish/items.json', import.meta.url), 'utf8')) as Item[];

const site: SiteConfig = testSite({ url: 'https://finews.example.com/' });
const ctx: RenderContext = { site, generatedAt: new Date('2022-03-30T03:00:00Z') };

const xss: Item = {
  ...(items[1] as Item),
  key: 'NW202203302327609999',
  infoCode: 'NW202203302327609999',
  title: '<script>alert(1)</script>',
  url: 'javascript:alert(2)',
  publisher: '<img src=x onerror=alert(3)>',
  author: '"><svg onload=alert(4)>',
  summary: '</p><script>alert(5)</script>',
};

describe('html template', () => {
  it('escapes interpolated values unless marked safe', () => {
    const name = '<b>"A&B"</b>';
    expect(html`<p title="${name}">${name}${raw('<br>')}${[1, '<', null, false]}</p>`.value).toBe(
      '<p title="&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;">&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;<br>1&lt;</p>',
    );
    expect(escapeHtml(`'x'\u0001`)).toBe('&#39;x&#39;');
  });
});

describe('renderCategoryPage', () => {
  const page = renderCategoryPage(ctx, { slug: 'industry', title: '工业' }, [...items, xss], { count: 42 });
  const $ = cheerio.load(page);

  it('is a phone-friendly Chinese page', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect($('html').attr('lang')).toBe('zh-CN');
    expect($('meta[name="viewport"]').attr('content')).toBe('width=device-width, initial-scale=1');
    expect($('meta[charset]').attr('charset')).toBe('utf-8');
    expect($('style').text()).toContain('"PingFang SC"');
    expect($('title').text()).toBe('工业 - 财经新闻聚合');
  });

  it('declares the site language', () => {
    const traditional = renderHomePage({ ...ctx, site: { ...site, language: 'zh-TW' } }, { items: [], categories: [] });
    expect(cheerio.load(traditional)('html').attr('lang')).toBe('zh-TW');
  });

  it('shows each item as an article linking to the original, dated in the site timezone', () => {
    const articles = $('article');
    expect(articles.length).toBe(items.length + 1);
    const first = articles.first();
    expect(first.find('h2 a').text()).toBe('政策引导 重庆推进专精特新企业持续创新');
    expect(first.find('h2 a').attr('href')).toBe('http://finance.eastmoney.com/a/202203302327572513.html');
    expect(first.find('time').text()).toBe('2022-03-30 09:34');
    expect(first.find('time').attr('datetime')).toBe('2022-03-30T09:34:12+08:00');
    expect(first.find('.meta').text()).toContain('中国工业报');
    expect(first.find('.meta').text()).toContain('刘英');
    expect(first.find('.summary').text()).toBe(items[0]?.summary);
    // UTC storedAt of the item with an unreadable date, shown in Asia/Shanghai.
    expect(articles.eq(3).find('time').text()).toBe('2022-03-30 07:10');
    expect($('header').text()).toContain('共 42 篇');
  });

  it('links the category feeds, advertises them for autodiscovery, and links home', () => {
    const alt = $('link[rel="alternate"]')
      .toArray()
      .map((l) => [$(l).attr('type'), $(l).attr('href')]);
    expect(alt).toEqual([
      ['application/rss+xml', '/feeds/industry.xml'],
      ['application/atom+xml', '/feeds/industry.atom'],
      ['application/feed+json', '/feeds/industry.json'],
    ]);
    expect($('.feeds a').toArray().map((a) => $(a).attr('href'))).toEqual(['/feeds/industry.xml', '/feeds/industry.atom', '/feeds/industry.json']);
    expect($('nav a').attr('href')).toBe('/');
  });

  it('escapes hostile titles, publishers, authors and summaries, and drops javascript: links', () => {
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect($('script').length).toBe(0);
    expect($('img, svg').length).toBe(0);
    expect($('[onerror], [onload]').length).toBe(0);
    expect(page).not.toContain('javascript:');
    const last = $('article').last();
    expect(last.find('h2').text()).toBe('<script>alert(1)</script>');
    expect(last.find('h2 a').length).toBe(0);
    expect(last.find('.summary').text()).toBe('</p><script>alert(5)</script>');
  });
});

describe('renderHomePage', () => {
  const row = (r: Pick<SourceRow, 'id' | 'url' | 'state' | 'items'> & Partial<SourceRow>): SourceRow => ({
    kind: 'rss',
    lastFetchAt: null,
    lastStatus: null,
    lastError: null,
    consecutiveFailures: 0,
    nextRunAt: null,
    warnings: [],
    warningCount: 0,
    ...r,
  });
  const sources: SourceRow[] = [
    row({ id: 'cinn-industry', url: 'https://news.example.com/rss/industry.xml', state: 'ok', lastFetchAt: '2022-03-30T01:40:00Z', items: 120, nextRunAt: '2022-03-30T01:45:00Z' }),
    row({ id: 'em-stock', url: 'https://news.example.com/rss/stock.xml', state: 'error', lastFetchAt: '2022-03-30T01:41:00Z', lastError: 'http-status: HTTP 503 <Service Unavailable>', items: 7 }),
    row({ id: 'yicai', url: 'https://www.yicai.com/rss', state: 'pending', items: 0 }),
  ];
  const titles = (slug: string): string => ({ industry: '工业', macro: '宏观经济' })[slug] ?? slug;
  const page = renderHomePage(
    { ...ctx, categoryTitles: titles },
    {
      items: [...items, xss],
      categories: [
        { cat: { slug: 'zhongguogongyebao', title: '中国工业报' }, count: 12, publisher: true },
        { cat: { slug: 'industry', title: '工业' }, count: 3, publisher: false },
        { cat: { slug: 'zhengquanshibao', title: '证券时报' }, count: 2, publisher: true },
      ],
    },
    sources,
  );
  const $ = cheerio.load(page);

  it('leads with the merged stream: each item once, its publisher and categories as links', () => {
    const rows = $('main section.stream li.item');
    expect(rows.length).toBe(items.length + 1);
    expect(rows.toArray().map((li) => $(li).attr('data-key'))).toEqual([...items, xss].map((i) => i.infoCode ?? i.key));
    const first = rows.eq(0);
    expect(first.find('a').first().attr('href')).toBe('http://finance.eastmoney.com/a/202203302327572513.html');
    expect(first.find('a.publisher').attr('href')).toBe('/category/zhongguogongyebao.html');
    expect(first.find('a.publisher').text()).toBe('中国工业报');
    expect(first.find('a.category').toArray().map((a) => [$(a).attr('href'), $(a).text()])).toEqual([['/category/industry.html', '工业']]);
    expect(rows.eq(3).find('a.category').toArray().map((a) => $(a).text())).toEqual(['工业', '宏观经济']);
    expect($('section.stream .more a').attr('href')).toBe('/category/all.html');
    expect($('script').length).toBe(0);
  });

  it('lists the categories as navigation with their counts, publishers apart from topics', () => {
    const groups = $('nav.categories .group');
    expect(groups.length).toBe(2);
    expect(groups.eq(0).find('h2').text()).toBe('来源');
    expect(groups.eq(0).find('li a').toArray().map((a) => $(a).attr('href'))).toEqual(['/category/zhongguogongyebao.html', '/category/zhengquanshibao.html']);
    expect(groups.eq(0).find('li').first().find('.count').text()).toBe('12');
    expect(groups.eq(1).find('h2').text()).toBe('栏目');
    expect(groups.eq(1).find('li').text()).toBe('工业 3');
  });

  it('advertises the merged feeds for autodiscovery', () => {
    expect($('link[rel="alternate"]').toArray().map((l) => [$(l).attr('type'), $(l).attr('href')])).toEqual([
      ['application/rss+xml', '/feeds/all.xml'],
      ['application/atom+xml', '/feeds/all.atom'],
      ['application/feed+json', '/feeds/all.json'],
    ]);
    expect($('header.site a[href="/feeds.opml"]').length).toBe(1);
  });

  it('shows a sources status table', () => {
    const rows = $('section.sources tbody tr');
    expect(rows.length).toBe(3);
    const cells = rows.eq(1).find('td').toArray().map((td) => $(td).text());
    expect(cells).toEqual(['em-stock', '出错', '2022-03-30 09:41:00', '7', '—', 'http-status: HTTP 503 <Service Unavailable>']);
    expect(rows.eq(0).find('a').attr('href')).toBe('https://news.example.com/rss/industry.xml');
    expect(rows.eq(2).find('td').eq(2).text()).toBe('—');
  });

  it('omits the sources section when not given, and says so when there is nothing', () => {
    const bare = cheerio.load(renderHomePage(ctx, { items: [], categories: [] }));
    expect(bare('section.sources').length).toBe(0);
    expect(bare('.empty').text()).toBe('暂无新闻。');
  });
});
