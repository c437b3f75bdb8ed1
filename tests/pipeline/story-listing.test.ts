import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Item, StoriesConfig } from '../../src/domain.js';
import { assignStory } from '../../src/pipeline/story-assign.js';
import { listStoryItems, MAX_LISTING_ROUNDS, type StoryListingStore } from '../../src/pipeline/story-listing.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { writeOldSqliteFile } from '../store/bulk.js';
import { scaleItems } from '../store/scale-items.js';
import { STORY_MEMBERS, wrapAfter } from '../support/story-fixtures.js';

const STORIES: StoriesConfig = { enabled: true, windowMs: 72 * 3600_000, maxDistance: 24 };
const config = { stories: STORIES };

/** The listing's store with every call counted by method. */
type Calls = Record<'listItems' | 'getItem' | 'storyOf' | 'members', number>;

function counting(store: Store): { store: StoryListingStore; calls: Calls } {
  const calls: Calls = { listItems: 0, getItem: 0, storyOf: 0, members: 0 };
  const count = (name: keyof Calls): void => {
    calls[name]++;
  };
  const stories = Object.create(store.stories) as Store['stories'];
  stories.storyOf = (key) => (count('storyOf'), store.stories.storyOf(key));
  stories.members = (id) => (count('members'), store.stories.members(id));
  return {
    calls,
    store: {
      listItems: (q) => (count('listItems'), store.listItems(q)),
      getItem: (k) => (count('getItem'), store.getItem(k)),
      stories,
    },
  };
}

describe('listStoryItems at volume (10,000 stored items, 1,000 stories of three)', () => {
  const ITEMS = 10_000;
  let dir: string;
  let store: Store;
  const items = [...scaleItems(ITEMS)];
  // Items 10k, 10k+1, 10k+2 are one story; the last of them, the oldest, is its lead.
  const leadOf = (n: number): number => (n % 10 < 3 ? n - (n % 10) + 2 : n);
  const grouped = (n: number): boolean => n % 10 < 3;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'finews-story-listing-'));
    const file = join(dir, 'finews.db');
    writeOldSqliteFile(file, items);
    store = openSqliteStore(file);
    for (let n = 0; n < ITEMS; n++) {
      if (!grouped(n)) continue;
      const item = items[n] as Item;
      const entry = { key: item.key, fingerprint: '0', bands: [], publishedMs: Date.parse(item.publishedAt) };
      await store.stories.assign(entry, { sinceMs: 0, untilMs: 0 }, () => (items[leadOf(n)] as Item).key);
    }
  }, 120_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists a feed of 10,000 with each story once at its lead, reading each item’s story once and no item twice', async () => {
    const c = counting(store);
    const page = await listStoryItems(c.store, config, { limit: ITEMS });
    expect(page.items).toHaveLength(ITEMS - 2 * (ITEMS / 10));
    expect(new Set(page.items.map((i) => i.key)).size).toBe(page.items.length);
    const leads = page.items.filter((i) => i.story !== undefined);
    expect(leads).toHaveLength(ITEMS / 10);
    for (const lead of leads) expect(lead.story?.members).toHaveLength(2);
    // Bounded work per listed item: one story lookup each, one member list per story, and
    // no item read again (every member is on the page).
    expect(c.calls.listItems).toBeLessThanOrEqual(MAX_LISTING_ROUNDS);
    expect(c.calls.storyOf).toBe(ITEMS);
    expect(c.calls.members).toBe(ITEMS / 10);
    expect(c.calls.getItem).toBe(0);
  });

  it('pages through all by cursor showing every story exactly once', async () => {
    const seen = new Set<string>();
    let before: string | null = null;
    let pages = 0;
    let full = 0;
    let storiesRead = 0;
    do {
      const c = counting(store);
      const page = await listStoryItems(c.store, config, { limit: 50, before });
      for (const item of page.items) {
        expect(seen.has(item.key), item.key).toBe(false);
        seen.add(item.key);
      }
      expect(page.items.length).toBeLessThanOrEqual(50);
      if (page.next !== null) expect(page.items.length).toBeGreaterThan(0);
      if (page.items.length === 50) full++;
      // A page reads a few store pages at most, and only the members of the stories on it.
      expect(c.calls.listItems).toBeLessThanOrEqual(MAX_LISTING_ROUNDS);
      expect(c.calls.getItem).toBeLessThanOrEqual(2 * c.calls.members);
      storiesRead += c.calls.storyOf;
      before = page.next;
      pages++;
    } while (before !== null);
    expect(seen.size).toBe(ITEMS - 2 * (ITEMS / 10));
    // Pages are filled from further store pages: short ones are the rare exception.
    expect(full).toBeGreaterThanOrEqual(Math.floor(seen.size / 50) - 2);
    expect(pages).toBeLessThanOrEqual(Math.ceil(seen.size / 50) + 2);
    expect(storiesRead).toBe(ITEMS);
  });

  it('groups a topic by its own members, and lists everything ungrouped with stories=false or stories disabled', async () => {
    const industry = await listStoryItems(store, config, { category: 'industry', limit: 200 });
    expect(new Set(industry.items.map((i) => i.key)).size).toBe(industry.items.length);
    expect(industry.items.every((i) => i.categories.includes('industry'))).toBe(true);
    const plain = await store.listItems({ limit: 200 });
    expect((await listStoryItems(store, config, { limit: 200, stories: false })).items).toEqual(plain.items);
    expect((await listStoryItems(store, { stories: { ...STORIES, enabled: false } }, { limit: 200 })).items).toEqual(plain.items);
  });
});

describe('assignStory', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'finews-story-assign-'));
    store = openSqliteStore(join(dir, 'finews.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function articleItem(a: (typeof STORY_MEMBERS)[number], slug: string, extra: string[]): Item {
    const at = new Date(a.pubDate).toISOString();
    return {
      key: `NW${a.code}`,
      infoCode: `NW${a.code}`,
      title: a.title,
      url: `https://news.example.com/a/${a.code}.html`,
      publishedAt: at,
      publisher: a.publisher,
      categories: [slug, ...extra],
      tags: [],
      summary: '',
      contentHtml: a.paragraphs.map((p) => `<p>${p}</p>`).join(''),
      sources: ['s'],
      storedAt: at,
    };
  }

  it('places reprints in one story, names the other members’ topics as changed, and moves a rewritten article out', async () => {
    const [original, reprint] = STORY_MEMBERS;
    const first = articleItem(original!, 'zhengquanshibao', ['policy']);
    const second = articleItem(reprint!, 'shanghaizhengquanbao', ['markets']);
    expect(await assignStory(store, STORIES, first)).toEqual([]);
    await store.saveItem(first);
    // The original's feeds list the reprint now: all and its topic, not its publisher's.
    expect((await assignStory(store, STORIES, second)).sort()).toEqual(['all', 'policy']);
    await store.saveItem(second);
    expect(await store.stories.storyOf(second.key)).toBe(first.key);

    // Saved again with other text, the reprint is fingerprinted again and leaves the story.
    const rewritten = { ...second, title: wrapAfter.title, contentHtml: wrapAfter.paragraphs.map((p) => `<p>${p}</p>`).join('') };
    expect((await assignStory(store, STORIES, rewritten)).sort()).toEqual(['all', 'policy']);
    expect(await store.stories.storyOf(second.key)).toBe(second.key);
    expect((await store.stories.members(first.key)).map((m) => m.key)).toEqual([first.key]);
  });

  it('fingerprints nothing when stories are disabled', async () => {
    const item = articleItem(STORY_MEMBERS[0]!, 'zhengquanshibao', []);
    expect(await assignStory(store, { ...STORIES, enabled: false }, item)).toEqual([]);
    expect(await store.stories.storyOf(item.key)).toBeNull();
  });
});
