import { readFileSync } from 'node:fs';
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import type { Item, SiteConfig } from '../../src/domain.js';
import type { CategoryView, RenderContext } from '../../src/publish/context.js';
import { itemJson } from '../../src/publish/item-json.js';
import { itemId, renderAtom, renderJsonFeed, renderRss } from '../../src/publish/render-feeds.js';
import { xmlProblems } from './xml-check.js';
import { testSite } from '../support/config.js';

const items = JSON.parse(readFileSync(new URL('../fixtures/publish/items.json', import.meta.url), 'utf8')) as Item[];

const site: SiteConfig = testSite({ url: 'https://finews.example.com/' });
const generatedAt = new Date('2022-03-30T03:00:00Z');
const ctx: RenderContext = { site, generatedAt };
const all: CategoryView = { slug: 'all', title: site.title };
const industry: CategoryView = { slug: 'industry', title: '工业' };

/** What a reader must get back for each fixture item, worked out independently of the renderer. */
const expected = items.map((item) => ({
  // eslint-disable-next-line no-control-regex -- the fixture's control characters are dropped
  title: item.title.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, ''),
  link: new URL(item.url).href,
  id: `tag:finews.example.com,2022:${item.infoCode ?? item.key}`,
  // The fourth item's publishedAt is "not a date": its storedAt stands in.
  date: Number.isNaN(Date.parse(item.publishedAt)) ? Date.parse(item.storedAt) : Date.parse(item.publishedAt),
}));

const rssParser = new Parser();

function decodeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('renderRss', () => {
  const xml = renderRss(ctx, all, items);

  it('is well-formed XML', () => {
    expect(xmlProblems(xml)).toEqual([]);
  });

  it('re-parses with rss-parser to the same items, in order', async () => {
    const feed = await rssParser.parseString(xml);
    expect(feed.items.map((i) => ({ title: i.title, link: i.link, id: i.guid, date: Date.parse(i.isoDate ?? '') }))).toEqual(expected);
  });

  it('re-parses with feedsmith to the same items, in order', () => {
    const feed = parseRssFeed(xml);
    expect(
      (feed.items ?? []).map((i) => ({
        title: i.title,
        link: i.link,
        id: i.guid?.value,
        date: Date.parse(i.pubDate ?? ''),
      })),
    ).toEqual(expected);
    expect(feed.items?.every((i) => i.guid?.isPermaLink === false)).toBe(true);
  });

  it('carries author, categories, summary and full content of each item', async () => {
    const feed = await rssParser.parseString(xml);
    const first = feed.items[0] as Record<string, unknown>;
    expect(first.creator).toBe('刘英');
    expect(first.categories).toEqual(['中国工业报', 'industry']);
    expect(first['content:encoded']).toBe(items[0]?.contentHtml);
    const second = feed.items[1] as Record<string, unknown>;
    // The plain-text summary is escaped into HTML, so readers show it as written.
    expect(decodeHtml(String(second.content))).toBe(items[1]?.summary);
    // Publisher of an item with no author stands in for dc:creator.
    expect((feed.items[2] as Record<string, unknown>).creator).toBe('新华社');
  });

  it('describes the feed: title, links, language, generator, newest date', async () => {
    const feed = await rssParser.parseString(renderRss(ctx, industry, items));
    expect(feed.title).toBe('工业 - 财经新闻聚合');
    expect(feed.link).toBe('https://finews.example.com/category/industry.html');
    expect(feed.feedUrl).toBe('https://finews.example.com/feeds/industry.xml');
    expect(feed.language).toBe('zh-CN');
    expect(feed.generator).toBe('finews');
    expect(Date.parse(String(feed.lastBuildDate))).toBe(Date.parse('2022-03-30T10:05:00+08:00'));
    const whole = await rssParser.parseString(xml);
    expect(whole.title).toBe('财经新闻聚合');
    expect(whole.link).toBe('https://finews.example.com/');
  });

  it('never writes an invalid date, even with no usable date anywhere', () => {
    const broken = { ...items[3], publishedAt: 'not a date', storedAt: '' } as Item;
    const out = renderRss(ctx, all, [broken]);
    expect(out).not.toContain('Invalid');
    expect(Date.parse(parseRssFeed(out).items?.[0]?.pubDate ?? '')).toBe(generatedAt.getTime());
  });

  it("writes dates with site.timezone's offset, as feeds.yaml says output dates are", () => {
    const out = renderRss(ctx, all, items.slice(0, 1));
    expect(out).toContain('<pubDate>Wed, 30 Mar 2022 09:34:12 +0800</pubDate>');
    expect(out).toMatch(/<lastBuildDate>[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0800<\/lastBuildDate>/);
  });
});

describe('renderAtom', () => {
  const xml = renderAtom(ctx, all, items);

  it('is well-formed XML', () => {
    expect(xmlProblems(xml)).toEqual([]);
  });

  it('re-parses with rss-parser and feedsmith to the same items (titles are type="html")', async () => {
    const viaRssParser = await rssParser.parseString(xml);
    expect(
      viaRssParser.items.map((i) => ({ title: decodeHtml(i.title ?? ''), link: i.link, id: i.id, date: Date.parse(i.isoDate ?? '') })),
    ).toEqual(expected);

    const viaFeedsmith = parseAtomFeed(xml);
    expect(
      (viaFeedsmith.entries ?? []).map((e) => ({
        title: e.title?.type === 'html' ? decodeHtml(e.title.value ?? '') : e.title?.value,
        link: e.links?.[0]?.href,
        id: e.id,
        date: Date.parse(e.published ?? ''),
      })),
    ).toEqual(expected);
  });

  it('identifies entries by tag: URIs that do not change between renders', () => {
    const ids = (parseAtomFeed(xml).entries ?? []).map((e) => e.id);
    for (const id of ids) expect(id).toMatch(/^tag:finews\.example\.com,\d{4}:[A-Za-z0-9._~%-]+$/);
    // Later, another order, fewer items: same ids.
    const again = renderAtom({ site, generatedAt: new Date('2023-01-01T00:00:00Z') }, industry, [...items].reverse().slice(1));
    const againIds = new Map((parseAtomFeed(again).entries ?? []).map((e) => [e.links?.[0]?.href, e.id]));
    for (const [i, item] of items.entries()) {
      if (againIds.has(new URL(item.url).href)) expect(againIds.get(new URL(item.url).href)).toBe(ids[i]);
    }
    expect(againIds.size).toBe(items.length - 1);
  });

  it('describes the feed: self and alternate links, language, updated, author, categories', () => {
    const feed = parseAtomFeed(renderAtom(ctx, industry, items));
    expect(feed.title?.value).toBe('工业 - 财经新闻聚合');
    expect(feed.links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rel: 'self', href: 'https://finews.example.com/feeds/industry.atom' }),
        expect.objectContaining({ rel: 'alternate', href: 'https://finews.example.com/category/industry.html' }),
      ]),
    );
    expect(feed.updated).toBe('2022-03-30T02:05:00.000Z');
    expect(feed.generator?.text).toBe('finews');
    const first = feed.entries?.[0];
    expect(first?.authors?.[0]?.name).toBe('刘英');
    expect(first?.categories).toEqual([
      { term: 'zhongguogongyebao', label: '中国工业报' },
      { term: 'industry', label: 'industry' },
    ]);
    expect(first?.content?.type).toBe('html');
    expect(first?.content?.value).toBe(items[0]?.contentHtml);
    expect(renderAtom(ctx, industry, items)).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">');
  });

  it('labels extra categories with their titles when the context knows them', () => {
    const titles = new Map([['industry', '工业'], ['macro', '宏观']]);
    const feed = parseAtomFeed(renderAtom({ ...ctx, categoryTitles: (s) => titles.get(s) ?? s }, all, [items[3] as Item]));
    expect(feed.entries?.[0]?.categories?.map((c) => c.label)).toEqual(['21世纪经济报道', '工业', '宏观']);
  });
});

describe('renderJsonFeed', () => {
  const text = renderJsonFeed(ctx, all, items);
  const json = JSON.parse(text) as {
    version: string;
    language: string;
    authors: { name: string }[];
    items: { id: string; title: string; url: string; date_published: string; authors: { name: string }[]; language: string; _finews: unknown }[];
  };

  it('is JSON Feed 1.1 with authors and language at the top and per item', () => {
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.language).toBe('zh-CN');
    expect(json.authors).toEqual([{ name: '财经新闻聚合', url: 'https://finews.example.com/' }]);
    // No JSON Feed 1.0 leftovers.
    expect('author' in json).toBe(false);
    for (const item of json.items) {
      expect('author' in item).toBe(false);
      expect(item.language).toBe('zh-CN');
      expect(item.authors.length).toBe(1);
    }
  });

  it('re-parses with feedsmith to the same items', () => {
    const feed = parseJsonFeed(json);
    expect(
      (feed.items ?? []).map((i) => ({ title: i.title, link: i.url, id: i.id, date: Date.parse(i.date_published ?? '') })),
    ).toEqual(expected);
  });

  it('keeps the zone of each item date', () => {
    expect(json.items[0]?.date_published).toBe('2022-03-30T09:34:12+08:00');
  });

  it('carries the INTERFACE §3 item JSON as _finews', () => {
    expect(json.items[0]?._finews).toEqual({
      infoCode: 'NW202203302327572513',
      title: '政策引导 重庆推进专精特新企业持续创新',
      url: 'http://finance.eastmoney.com/a/202203302327572513.html',
      publishedAt: '2022-03-30T09:34:12+08:00',
      publisher: '中国工业报',
      author: '刘英',
      categories: ['zhongguogongyebao', 'industry'],
      tags: ['中国工业报新闻'],
      summary: items[0]?.summary,
      contentHtml: items[0]?.contentHtml,
      sources: ['cinn-industry', 'em-industry'],
    });
    // The item with an unreadable date reports its storedAt instead.
    expect((json.items[3]?._finews as { publishedAt: string }).publishedAt).toBe('2022-03-29T23:10:00Z');
    expect((json.items[4]?._finews as { infoCode: unknown; author: unknown })).toMatchObject({ infoCode: null, author: null });
  });

  it('uses the same ids as RSS and Atom', () => {
    expect(json.items.map((i) => i.id)).toEqual(items.map((i) => itemId(site, i)));
  });
});

describe('escaping and hostile text', () => {
  const nasty: Item = {
    key: 'NW202203312330000001',
    infoCode: 'NW202203312330000001',
    title: '“新规”落地]]>券商<b>加仓</b> & 银行 ]]> 观望 AT&amp;T \u0001\u001f',
    url: 'https://finance.eastmoney.com/a/202203312330000001.html?a=1&b="2"',
    publishedAt: '2022-03-31T08:00:00+08:00',
    publisher: '<中国>证券报 & "中证网"',
    author: '张&amp;三',
    categories: ['p-1a2b3c4d', 'industry'],
    tags: ['<中国>证券报 & "中证网"新闻'],
    summary: '摘要 ]]> 含 <标签> & \u0008 控制字符',
    contentHtml: '<p>正文 ]]> 一</p><p>正文 ]]> 二 \uFFFE</p>',
    sources: ['cs'],
    storedAt: '2022-03-31T00:01:00.000Z',
  };

  it('keeps every format well-formed', () => {
    for (const out of [renderRss(ctx, all, [nasty, ...items]), renderAtom(ctx, all, [nasty, ...items])]) {
      expect(xmlProblems(out)).toEqual([]);
    }
    expect(() => JSON.parse(renderJsonFeed(ctx, all, [nasty]))).not.toThrow();
    expect(renderJsonFeed(ctx, all, [nasty])).not.toMatch(/\\u000[18]|\\u001f/);
  });

  it('does not lose a literal "&amp;" or mangle the publisher', async () => {
    const rss = await rssParser.parseString(renderRss(ctx, all, [nasty]));
    const item = rss.items[0] as Record<string, unknown>;
    expect(item.creator).toBe('张&amp;三');
    expect(item.categories).toEqual(['<中国>证券报 & "中证网"', 'industry']);
    const atom = parseAtomFeed(renderAtom(ctx, all, [nasty]));
    expect(atom.entries?.[0]?.authors?.[0]?.name).toBe('张&amp;三');
  });

  it('renders itemJson without control characters but otherwise unchanged', () => {
    const j = itemJson(nasty);
    expect(j.title).toBe('“新规”落地]]>券商<b>加仓</b> & 银行 ]]> 观望 AT&amp;T ');
    expect(j.contentHtml).toBe('<p>正文 ]]> 一</p><p>正文 ]]> 二 </p>');
  });
});

describe('categories', () => {
  it('renders an item in two categories in both category feeds', async () => {
    const inCategory = (slug: string) => items.filter((i) => i.categories.includes(slug));
    const publisherFeed = await rssParser.parseString(
      renderRss(ctx, { slug: 'zhongguogongyebao', title: '中国工业报' }, inCategory('zhongguogongyebao')),
    );
    const industryFeed = await rssParser.parseString(renderRss(ctx, industry, inCategory('industry')));
    const id = itemId(site, items[0] as Item);
    expect(publisherFeed.items.map((i) => i.guid)).toContain(id);
    expect(industryFeed.items.map((i) => i.guid)).toContain(id);
    expect(publisherFeed.title).toBe('中国工业报 - 财经新闻聚合');
  });

  it('renders an empty feed dated at generation time', () => {
    const atom = renderAtom(ctx, industry, []);
    expect(xmlProblems(atom)).toEqual([]);
    expect(parseAtomFeed(atom).updated).toBe(generatedAt.toISOString());
    expect(JSON.parse(renderJsonFeed(ctx, industry, [])).items).toEqual([]);
  });
});

describe('determinism', () => {
  it('renders the same bytes for the same items at a later time, so ETags hold', () => {
    const later: RenderContext = { site, generatedAt: new Date('2022-04-02T00:00:00Z') };
    expect(renderRss(later, all, items)).toBe(renderRss(ctx, all, items));
    expect(renderAtom(later, all, items)).toBe(renderAtom(ctx, all, items));
    expect(renderJsonFeed(later, all, items)).toBe(renderJsonFeed(ctx, all, items));
  });
});

describe('site URLs', () => {
  it('gives absolute https links for a protocol-relative site.url', async () => {
    const rel = { site: { ...site, url: '//finews.withounder.com' }, generatedAt };
    const feed = await rssParser.parseString(renderRss(rel, industry, items.slice(0, 1)));
    expect(feed.link).toBe('https://finews.withounder.com/category/industry.html');
    expect(feed.items[0]?.guid).toBe('tag:finews.withounder.com,2022:NW202203302327572513');
  });

  it('falls back to the category page for an item link that is not http(s)', async () => {
    const bad = { ...items[0], url: 'javascript:alert(1)' } as Item;
    const feed = await rssParser.parseString(renderRss(ctx, industry, [bad]));
    expect(feed.items[0]?.link).toBe('https://finews.example.com/category/industry.html');
  });
});

describe('why the workarounds exist', () => {
  it('the feed package alone writes ill-formed XML for the same hostile item', async () => {
    const { Feed } = await import('feed');
    const raw = new Feed({ title: 't', id: 'https://finews.example.com/', link: 'https://finews.example.com/' });
    raw.addItem({
      title: 'a ]]> b ]]> c \u0001',
      link: 'https://finews.example.com/a',
      date: new Date('2022-03-30T01:34:12Z'),
      category: [{ term: '<中国>证券报', name: '<中国>证券报' }],
    });
    const problems = xmlProblems(raw.atom1());
    expect(problems).toContain('character not allowed in XML 1.0');
    expect(problems.some((p) => p.includes('"<" in an attribute value'))).toBe(true);
    expect(problems.some((p) => p.includes('"]]>" in text'))).toBe(true);
    expect(() => raw.addItem({ title: 'x', link: 'https://finews.example.com/b', date: new Date('nope') })).not.toThrow();
    // An invalid date: RSS says "Invalid Date", Atom throws.
    expect(raw.rss2()).toContain('<pubDate>Invalid Date</pubDate>');
    expect(() => raw.atom1()).toThrow(RangeError);
  });
});
