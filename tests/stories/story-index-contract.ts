import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseStory, DEFAULT_STORY_RULES, numbersAgree, storyEntry, storySpan, textDistance, type StoryEntryOf } from '../../src/stories/index.js';
import { CANDIDATES_PER_BAND } from '../../src/store/stories.js';
import type { Store } from '../../src/store/store.js';
import type { StoreFixture } from '../store/contract.js';
import { storyCorpus } from '../fixtures/stories/corpus.js';

const rules = DEFAULT_STORY_RULES;
const corpus = storyCorpus();

/** The corpus article `key` as an index entry. */
function entryOf(key: string, publishedMs?: number): StoryEntryOf {
  const a = corpus.find((c) => c.key === key);
  if (a === undefined) throw new Error(`no corpus article ${key}`);
  return storyEntry(a.key, a.title, a.contentHtml, publishedMs ?? Date.parse(a.publishedAt));
}

/**
 * Groups whose first three copies are each within the threshold of one another, so
 * they are one story in whatever order they arrive (the rule is single-link: a far pair
 * joins only through a third member placed before them). The races use these.
 */
export function orderFreeGroups(): string[] {
  const out: string[] = [];
  for (const group of new Set(corpus.map((a) => a.group))) {
    const copies = corpus.filter((a) => a.group === group).slice(0, 3).map((a) => entryOf(a.key));
    if (copies.length < 2) continue;
    const near = copies.every((x) =>
      copies.every((y) => x === y || (textDistance(x.fingerprint, y.fingerprint) <= rules.maxDistance && numbersAgree(x.fingerprint, y.fingerprint))),
    );
    if (near) out.push(group);
  }
  return out;
}

/** Places an entry the way the pipeline does: lookup, chooseStory, record, atomically. */
function place(store: Store, entry: StoryEntryOf): Promise<string> {
  return store.stories.assign(entry, storySpan(entry.publishedMs, rules), (candidates) => chooseStory(entry, candidates, rules).storyId);
}

/** The behaviour every store's story index must show. */
export function storyIndexContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`${name} story index contract`, () => {
    let fx: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fx = await make();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('starts a story for an article with no near neighbour and puts its reprints in it, lead first', async () => {
      expect(await place(store, entryOf('csrc-ipo#0'))).toBe('csrc-ipo#0');
      expect(await place(store, entryOf('nbs-gdp#0'))).toBe('nbs-gdp#0');
      expect(await place(store, entryOf('csrc-ipo#2'))).toBe('csrc-ipo#0');
      expect(await place(store, entryOf('csrc-ipo#1'))).toBe('csrc-ipo#0');
      expect(await store.stories.storyOf('csrc-ipo#2')).toBe('csrc-ipo#0');
      expect(await store.stories.storyOf('unknown')).toBeNull();
      const members = await store.stories.members('csrc-ipo#0');
      expect(members.map((m) => m.key)).toEqual(['csrc-ipo#0', 'csrc-ipo#1', 'csrc-ipo#2']);
      expect(members[0]?.publishedMs).toBe(entryOf('csrc-ipo#0').publishedMs);
      expect(await store.stories.members('nobody')).toEqual([]);
    });

    it('finds candidates by shared band within the span only', async () => {
      const original = entryOf('gold-record#0');
      await place(store, original);
      await place(store, entryOf('cpi-may#0'));
      const reprint = entryOf('gold-record#1');
      const found = await store.stories.candidates(reprint.bands, storySpan(reprint.publishedMs, rules));
      expect(found).toEqual([{ key: original.key, fingerprint: original.fingerprint, publishedMs: original.publishedMs, storyId: original.key }]);
      expect(await store.stories.candidates(reprint.bands, { sinceMs: original.publishedMs + 1, untilMs: original.publishedMs + 10 })).toEqual([]);
      expect(await store.stories.candidates(['f:0000000000000000'], storySpan(reprint.publishedMs, rules))).toEqual([]);
    });

    it('reads at most CANDIDATES_PER_BAND entries per band value, those published last in the span', async () => {
      const base = entryOf('gold-record#0');
      const copies = Array.from({ length: CANDIDATES_PER_BAND + 10 }, (_, i) => ({ ...base, key: `copy-${i}`, publishedMs: base.publishedMs + i * 1000 }));
      // The same fingerprint each time: every copy shares every band value with the others.
      for (const copy of copies) await store.stories.assign(copy, storySpan(copy.publishedMs, rules), () => copy.key);
      const last = copies.at(-1) as StoryEntryOf;
      const found = await store.stories.candidates(base.bands.slice(0, 1), storySpan(last.publishedMs, rules));
      expect(found.map((f) => f.key).sort()).toEqual(copies.slice(-CANDIDATES_PER_BAND).map((c) => c.key).sort());
    });

    it('moves a re-fingerprinted article with its new bands, out of its old story', async () => {
      await place(store, entryOf('xiaomi-car#0'));
      await place(store, entryOf('xiaomi-car#1'));
      await place(store, entryOf('huawei-chip#0'));
      // xiaomi-car#1's text is replaced by a reprint of the Huawei piece.
      const changed = { ...entryOf('huawei-chip#1'), key: 'xiaomi-car#1' };
      expect(await place(store, changed)).toBe('huawei-chip#0');
      expect((await store.stories.members('xiaomi-car#0')).map((m) => m.key)).toEqual(['xiaomi-car#0']);
      expect((await store.stories.members('huawei-chip#0')).map((m) => m.key)).toEqual(['huawei-chip#0', 'xiaomi-car#1']);
      const old = entryOf('xiaomi-car#1');
      const found = await store.stories.candidates(old.bands, storySpan(old.publishedMs, rules));
      expect(found.map((c) => c.key)).toEqual(['xiaomi-car#0']);
    });

    it('forgets a removed article', async () => {
      const e = entryOf('oil-price-cut#0');
      await place(store, e);
      await store.stories.remove(e.key);
      await store.stories.remove('never-indexed');
      expect(await store.stories.storyOf(e.key)).toBeNull();
      expect(await store.stories.members(e.key)).toEqual([]);
      expect(await store.stories.candidates(e.bands, storySpan(e.publishedMs, rules))).toEqual([]);
    });

    it('prunes entries by the items rule: published and recorded both before the cut, also when the store prunes', async () => {
      const old = entryOf('tourism-mayday#0');
      await place(store, old);
      // Published long ago but recorded now: kept by a cut between the two.
      expect(await store.stories.prune(new Date(old.publishedMs + 1))).toBe(0);
      expect(await store.stories.storyOf(old.key)).toBe(old.key);
      expect(await store.stories.prune(new Date(Date.now() + 60_000))).toBe(1);
      expect(await store.stories.storyOf(old.key)).toBeNull();

      await place(store, old);
      await store.prune(new Date(Date.now() + 60_000), new Date(0));
      expect(await store.stories.storyOf(old.key)).toBeNull();
      expect(await store.stories.candidates(old.bands, storySpan(old.publishedMs, rules))).toEqual([]);
    });

    it('puts reprints assigned at the same moment by different connections into one story', async () => {
      const others = [store, await fx.openAnother(), await fx.openAnother()];
      const groups = orderFreeGroups();
      expect(groups.length).toBeGreaterThanOrEqual(20);
      for (const group of groups) {
        const copies = corpus.filter((a) => a.group === group).slice(0, 3);
        expect(copies.length).toBeGreaterThanOrEqual(2);
        const stories = await Promise.all(copies.map((a, i) => place(others[i % others.length] as Store, entryOf(a.key))));
        expect(new Set(stories).size, group).toBe(1);
        const members = await store.stories.members(stories[0] ?? '');
        expect(members.map((m) => m.key).sort()).toEqual(copies.map((a) => a.key).sort());
      }
    });
  });
}
