import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Item, StoriesConfig } from '../../src/domain.js';
import { assignStories, assignStory } from '../../src/pipeline/story-assign.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { storyCorpus, type CorpusArticle } from '../fixtures/stories/corpus.js';
import { CallCounts } from '../support/counting.js';

const STORIES: StoriesConfig = { enabled: true, windowMs: 72 * 3600_000, maxDistance: 24 };
const corpus = storyCorpus();

/** A corpus article as the pipeline hands it over: its publisher's category first, then `topics`. */
function itemOf(a: CorpusArticle, ...topics: string[]): Item {
  return {
    key: a.key,
    infoCode: a.key,
    title: a.title,
    url: `https://news.example.com/a/${encodeURIComponent(a.key)}.html`,
    publishedAt: a.publishedAt,
    publisher: a.publisher,
    categories: [`pub-${a.publisher}`, ...topics],
    tags: [],
    summary: '',
    contentHtml: a.contentHtml,
    sources: ['s'],
    storedAt: a.publishedAt,
  };
}

function article(key: string): CorpusArticle {
  const a = corpus.find((c) => c.key === key);
  if (a === undefined) throw new Error(`no corpus article ${key}`);
  return a;
}

/** The store, with the calls made through its story index and its getItem counted. */
function counting(store: Store): { store: Pick<Store, 'stories' | 'getItem'>; calls: CallCounts } {
  const calls = new CallCounts();
  const stories = new Proxy(store.stories, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => (calls.note(prop), (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { calls, store: { stories, getItem: (key) => (calls.note('getItem'), store.getItem(key)) } };
}

describe('assignStories', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'finews-assign-stories-'));
    store = openSqliteStore(join(dir, 'finews.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts two reprints saved in one page into the story of the stored original, naming every other member’s topics', async () => {
    const original = itemOf(article('csrc-ipo#0'), 'policy');
    expect(await assignStory(store, STORIES, original)).toEqual([]);
    await store.saveItem(original);
    const page = [itemOf(article('nbs-gdp#0'), 'macro'), itemOf(article('csrc-ipo#1'), 'markets'), itemOf(article('csrc-ipo#2'), 'industry')];
    // Each reprint's feeds list the other now, and the original's too; nbs-gdp#0 is alone.
    expect((await assignStories(store, STORIES, page)).sort()).toEqual(['all', 'industry', 'markets', 'policy']);
    expect(await store.stories.storyOf('csrc-ipo#1')).toBe('csrc-ipo#0');
    expect(await store.stories.storyOf('csrc-ipo#2')).toBe('csrc-ipo#0');
    expect(await store.stories.storyOf('nbs-gdp#0')).toBe('nbs-gdp#0');
  });

  it('joins reprints that are all new in one page, and names nothing when no story has another member', async () => {
    const alone = [itemOf(article('gold-record#0'), 'gold'), itemOf(article('cpi-may#0'), 'macro')];
    expect(await assignStories(store, STORIES, alone)).toEqual([]);
    const page = [itemOf(article('huawei-chip#0'), 'tech'), itemOf(article('huawei-chip#1'), 'industry')];
    expect((await assignStories(store, STORIES, page)).sort()).toEqual(['all', 'industry', 'tech']);
    expect(await store.stories.storyOf('huawei-chip#1')).toBe('huawei-chip#0');
    expect(await assignStories(store, { ...STORIES, enabled: false }, [itemOf(article('oil-price-cut#0'))])).toEqual([]);
    expect(await assignStories(store, STORIES, [])).toEqual([]);
    expect(await store.stories.storyOf('oil-price-cut#0')).toBeNull();
  });

  it('places a page in one index call and reads each touched story and each other stored member once, whatever the page size', async () => {
    // The first copy of every group stored and saved, then every other article of the corpus in one page.
    const firsts = corpus.filter((a) => a.key.endsWith('#0')).map((a) => itemOf(a, `topic-${a.group}`));
    for (const item of firsts) {
      await assignStory(store, STORIES, item);
      await store.saveItem(item);
    }
    const page = corpus.filter((a) => !a.key.endsWith('#0')).map((a) => itemOf(a, `topic-${a.group}`));
    expect(page.length).toBeGreaterThan(50);
    const c = counting(store);
    const changed = await assignStories(c.store, STORIES, page);

    const placed = await Promise.all(page.map((item) => store.stories.storyOf(item.key)));
    const stories = new Set(placed);
    const storedOthers = new Set<string>();
    for (const id of stories) for (const m of await store.stories.members(id ?? '')) if (m.key.endsWith('#0')) storedOthers.add(m.key);
    expect(c.calls.all()).toEqual({ assignMany: 1, getItem: storedOthers.size, members: stories.size });
    // Every joined group's topic changes: its stored original's and its reprints' alike.
    const joined = new Set(page.filter((item, i) => placed[i] !== item.key).map((item) => `topic-${article(item.key).group}`));
    expect(joined.size).toBeGreaterThan(20);
    for (const slug of joined) expect(changed).toContain(slug);
    expect(changed).toContain('all');
    expect(changed.some((slug) => slug.startsWith('pub-'))).toBe(false);
  });
});
