import { parseJsonFeed } from 'feedsmith';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/domain.js';
import type { CategoryView, RenderContext } from '../../src/publish/context.js';
import { itemJson } from '../../src/publish/item-json.js';
import { renderAtom, renderJsonFeed, renderRss } from '../../src/publish/render-feeds.js';
import { renderCategoryPage, renderHomePage } from '../../src/publish/render-html.js';
import { groupStories, storyLineHtml, type ListedItem, type StoryOfItems } from '../../src/publish/stories.js';
import { testSite } from '../support/config.js';
import { xmlProblems } from './xml-check.js';

function item(key: string, publisher: string, slug: string, hour: number, extra: string[] = ['markets']): Item {
  const at = `2024-03-15T${String(hour).padStart(2, '0')}:00:00+08:00`;
  return {
    key,
    infoCode: key,
    title: `${publisher}：证监会发布四项政策文件`,
    url: `https://news.example.com/a/${key}.html`,
    publishedAt: at,
    publisher,
    categories: [slug, ...extra],
    tags: [`${publisher}新闻`],
    summary: '证监会发布四项政策文件。',
    contentHtml: '<p>证监会发布四项政策文件。</p>',
    sources: ['markets'],
    storedAt: at,
  };
}

// The original (证券时报, 19:00), two reprints; 中国证券报's is outside `markets`.
const stcn = item('NW1', '证券时报', 'zhengquanshibao', 19);
const cnstock = item('NW2', '上海证券报', 'shanghaizhengquanbao', 20);
const cs = item('NW3', '中国证券报', 'zhongguozhengquanbao', 21, ['policy']);
const alone = item('NW9', '中证网', 'zhongzhengwang', 22);
const story: StoryOfItems = { id: 'NW1', members: [stcn, cnstock, cs] };
const stories = new Map<string, StoryOfItems>([
  ['NW1', story],
  ['NW2', story],
  ['NW3', story],
]);

describe('groupStories', () => {
  it('keeps the lead of a story in all, listing the other members in lead order, and leaves the others out', () => {
    const listed = groupStories(undefined, [alone, cs, cnstock, stcn], stories);
    expect(listed.map((i) => i.key)).toEqual(['NW9', 'NW1']);
    expect(listed[0]?.story).toBeUndefined();
    expect(listed[1]?.story).toEqual({
      id: 'NW1',
      members: [
        { infoCode: 'NW2', publisher: '上海证券报', url: 'https://news.example.com/a/NW2.html', publishedAt: '2024-03-15T20:00:00+08:00' },
        { infoCode: 'NW3', publisher: '中国证券报', url: 'https://news.example.com/a/NW3.html', publishedAt: '2024-03-15T21:00:00+08:00' },
      ],
    });
  });

  it('in a topic, lets the earliest member in that topic stand for the story, listing every other member', () => {
    expect(groupStories('markets', [cnstock, stcn], stories).map((i) => [i.key, i.story?.members.length])).toEqual([['NW1', 2]]);
    // Only 中国证券报's copy is in `policy`: it stands for the story there.
    expect(groupStories('policy', [cs], stories).map((i) => [i.key, i.story?.members.map((m) => m.infoCode)])).toEqual([['NW3', ['NW1', 'NW2']]]);
  });

  it("keeps a publisher's own copy in its category, ungrouped", () => {
    expect(groupStories('shanghaizhengquanbao', [cnstock], stories)).toEqual([cnstock]);
    expect(groupStories('zhongguozhengquanbao', [cs], stories)).toEqual([cs]);
  });

  it('leaves an item with no story, or alone in it, as it is', () => {
    const single = new Map([['NW9', { id: 'NW9', members: [alone] }]]);
    expect(groupStories(undefined, [alone], single)).toEqual([alone]);
    expect(groupStories(undefined, [alone], new Map())).toEqual([alone]);
  });
});

const lead: ListedItem = groupStories(undefined, [stcn], stories)[0] as ListedItem;

describe('the story line', () => {
  it('names each other publisher once, linked to its copy, leaving out the lead’s own', () => {
    const sameHouse = item('NW4', '证券时报', 'zhengquanshibao', 22);
    const withRepeat: ListedItem = { ...lead, story: { id: 'NW1', members: [...(lead.story?.members ?? []), itemJson(sameHouse)] } };
    const line = '<p class="finews-story">同时由 <a href="https://news.example.com/a/NW2.html">上海证券报</a>、<a href="https://news.example.com/a/NW3.html">中国证券报</a> 报道</p>';
    expect(storyLineHtml(lead)).toBe(line);
    expect(storyLineHtml(withRepeat)).toBe(line);
    expect(storyLineHtml(stcn)).toBe('');
  });

  it('escapes publishers and links, and drops a link that is not http(s)', () => {
    const odd = { ...cnstock, publisher: '<b>上海</b>&证券报', url: 'javascript:alert(1)' };
    const line = storyLineHtml(groupStories(undefined, [stcn], new Map([['NW1', { id: 'NW1', members: [stcn, odd] }]]))[0] as ListedItem);
    expect(line).toBe('<p class="finews-story">同时由 &lt;b&gt;上海&lt;/b&gt;&amp;证券报 报道</p>');
  });

  const ctx: RenderContext = { site: testSite(), generatedAt: new Date('2024-03-16T00:00:00Z') };
  const all: CategoryView = { slug: 'all', title: '财经新闻聚合' };

  it('ends the lead’s content in RSS, Atom and JSON Feed, which stay valid; JSON Feed carries _finews.story', async () => {
    const rss = renderRss(ctx, all, [lead, alone]);
    const atom = renderAtom(ctx, all, [lead, alone]);
    expect(xmlProblems(rss)).toEqual([]);
    expect(xmlProblems(atom)).toEqual([]);
    const parsed = await new Parser().parseString(rss);
    const encoded = parsed.items.map((i) => (i as { 'content:encoded'?: string })['content:encoded'] ?? '');
    expect(encoded[0]).toMatch(/<\/p><p class="finews-story">同时由 <a href="https:\/\/news\.example\.com\/a\/NW2\.html">上海证券报<\/a>、.*中国证券报<\/a> 报道<\/p>$/);
    expect(encoded[1]).not.toContain('同时由');
    expect(atom).toContain('同时由 <a href="https://news.example.com/a/NW2.html">上海证券报</a>');
    const text = renderJsonFeed(ctx, all, [lead, alone]);
    expect(parseJsonFeed(text).items).toHaveLength(2);
    const [first, second] = (JSON.parse(text) as { items: Array<{ content_html: string; _finews: { story?: unknown } }> }).items;
    expect(first?.content_html.endsWith(storyLineHtml(lead))).toBe(true);
    expect(first?._finews.story).toEqual(lead.story);
    expect(second?._finews).not.toHaveProperty('story');
  });

  it('shows the story once with its other publishers on the home page and category pages', () => {
    const home = renderHomePage(ctx, { items: [lead, alone], categories: [] });
    expect(home).toContain('<span class="story">同时由 <a href="https://news.example.com/a/NW2.html">上海证券报</a>、<a href="https://news.example.com/a/NW3.html">中国证券报</a> 报道</span>');
    expect(home.split('class="story"').length - 1).toBe(1);
    const page = renderCategoryPage(ctx, { slug: 'markets', title: 'markets' }, [lead, alone]);
    expect(page).toContain('<p class="story">同时由 <a href="https://news.example.com/a/NW2.html">上海证券报</a>、');
    expect(page.split('<article>').length - 1).toBe(2);
  });
});
