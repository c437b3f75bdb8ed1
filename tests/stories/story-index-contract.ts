import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseStory, DEFAULT_STORY_RULES, numbersAgree, storyEntry, storySpan, textDistance, type StoryEntryOf } from '../../src/stories/index.js';
import { CANDIDATES_PER_BAND, type StoryIndexed, type StoryPlacement } from '../../src/store/stories.js';
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

/** An assignment the way the pipeline builds one: the entry and the span of its lookup. */
function assignmentOf(entry: StoryEntryOf): { entry: StoryEntryOf; span: { sinceMs: number; untilMs: number } } {
  return { entry, span: storySpan(entry.publishedMs, rules) };
}

/** Places a batch the way the pipeline does, noting the candidates each assignment was shown (`key>story`). */
async function placeMany(store: Store, entries: readonly StoryEntryOf[], shown: string[][] = []): Promise<StoryPlacement[]> {
  return store.stories.assignMany(entries.map(assignmentOf), (candidates: StoryIndexed[], a, i) => {
    shown[i] = candidates.map((c) => `${c.key}>${c.storyId}`).sort();
    return chooseStory(a.entry, candidates, rules).storyId;
  });
}

/** The corpus in publication order (then by key): how a day's feeds bring it in. */
function corpusInOrder(): StoryEntryOf[] {
  return [...corpus]
    .sort((a, b) => Date.parse(a.publishedAt) - Date.parse(b.publishedAt) || (a.key < b.key ? -1 : 1))
    .map((a) => entryOf(a.key));
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

    it('applies CANDIDATES_PER_BAND to each band value of a lookup, so a crowded band hides nothing found through another', async () => {
      const base = entryOf('gold-record#0');
      const [crowded, quiet] = base.bands as [string, string];
      const earliest = { ...base, key: 'earliest', bands: [quiet], publishedMs: base.publishedMs };
      await store.stories.assign(earliest, storySpan(earliest.publishedMs, rules), () => earliest.key);
      const copies = Array.from({ length: CANDIDATES_PER_BAND + 10 }, (_, i) => ({ ...base, key: `copy-${i}`, bands: [crowded], publishedMs: base.publishedMs + (i + 1) * 1000 }));
      await store.stories.assignMany(copies.map((entry) => ({ entry, span: storySpan(entry.publishedMs, rules) })), (_, a) => a.entry.key);
      const last = copies.at(-1) as StoryEntryOf;
      const found = await store.stories.candidates([crowded, quiet], storySpan(last.publishedMs, rules));
      expect(found.map((f) => f.key).sort()).toEqual([...copies.slice(-CANDIDATES_PER_BAND).map((c) => c.key), 'earliest'].sort());
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

    it('places a batch in order: a reprint finds the original saved in the same batch, and each placement says where the key was', async () => {
      expect(await store.stories.assignMany([], () => 'never')).toEqual([]);
      await place(store, entryOf('xiaomi-car#0'));
      await place(store, entryOf('xiaomi-car#1'));
      // csrc-ipo#1 and #2 are reprints of csrc-ipo#0, all three new in one batch; xiaomi-car#1
      // comes back with the Huawei reprint's text and moves, in the same batch.
      const moved = { ...entryOf('huawei-chip#1'), key: 'xiaomi-car#1' };
      const placed = await placeMany(store, [entryOf('csrc-ipo#0'), entryOf('huawei-chip#0'), entryOf('csrc-ipo#2'), moved, entryOf('csrc-ipo#1')]);
      expect(placed).toEqual([
        { storyId: 'csrc-ipo#0', previousStoryId: null },
        { storyId: 'huawei-chip#0', previousStoryId: null },
        { storyId: 'csrc-ipo#0', previousStoryId: null },
        { storyId: 'huawei-chip#0', previousStoryId: 'xiaomi-car#0' },
        { storyId: 'csrc-ipo#0', previousStoryId: null },
      ]);
      expect((await store.stories.members('csrc-ipo#0')).map((m) => m.key)).toEqual(['csrc-ipo#0', 'csrc-ipo#1', 'csrc-ipo#2']);
      expect((await store.stories.members('huawei-chip#0')).map((m) => m.key)).toEqual(['huawei-chip#0', 'xiaomi-car#1']);
      expect((await store.stories.members('xiaomi-car#0')).map((m) => m.key)).toEqual(['xiaomi-car#0']);
    });

    it('keeps the last record of a key given twice in one batch, the second replacing the first', async () => {
      const first = entryOf('gold-record#0');
      const again = { ...entryOf('cpi-may#0'), key: first.key };
      const placed = await placeMany(store, [first, entryOf('gold-record#1'), again]);
      expect(placed).toEqual([
        { storyId: first.key, previousStoryId: null },
        { storyId: first.key, previousStoryId: null },
        { storyId: first.key, previousStoryId: first.key },
      ]);
      expect(await store.stories.storyOf(first.key)).toBe(first.key);
      // Its bands are those of its last text: a lookup by the first text finds only the reprint.
      expect((await store.stories.candidates(first.bands, storySpan(first.publishedMs, rules))).map((c) => c.key)).toEqual(['gold-record#1']);
      const found = await store.stories.candidates(again.bands, storySpan(again.publishedMs, rules));
      expect(found).toEqual([{ key: first.key, fingerprint: again.fingerprint, publishedMs: again.publishedMs, storyId: first.key }]);

      // A stored article given other text early in a batch is no longer found by its old text later in it.
      const pboc = entryOf('pboc-rrr#0');
      await place(store, pboc);
      const shown: string[][] = [];
      const later = await placeMany(store, [{ ...entryOf('tourism-mayday#0'), key: pboc.key }, entryOf('pboc-rrr#1')], shown);
      expect(later.map((p) => p.storyId)).toEqual([pboc.key, 'pboc-rrr#1']);
      expect(shown[1]).toEqual([]);
    });

    it('gives each assignment of a batch the candidates and story that assigning one at a time gives', async () => {
      const ordered = corpusInOrder();
      // The same articles twice, ten years apart (the corpus spans less than one) so the two
      // runs never meet: once one at a time, once in batches of 25, each with a second pass
      // giving every tenth article another's text.
      const apart = 10 * 365 * 24 * 3600_000;
      const shifted = (e: StoryEntryOf, tag: string): StoryEntryOf => ({ ...e, key: `${tag}${e.key}`, publishedMs: e.publishedMs + (tag === 'b:' ? apart : 0) });
      const moves = ordered.filter((_, i) => i % 10 === 3).map((e, i) => ({ ...ordered[(i * 7 + 11) % ordered.length]!, key: e.key, publishedMs: e.publishedMs }));
      const runs = [...ordered, ...moves];
      const strip = (id: string): string => id.replace(/(^|>)[sb]:/g, '$1');

      const oneShown: string[][] = [];
      const one: string[] = [];
      for (const e of runs.map((x) => shifted(x, 's:'))) {
        const shown: string[][] = [];
        const [p] = await placeMany(store, [e], shown);
        one.push(strip(p?.storyId ?? ''));
        oneShown.push(shown[0] ?? []);
      }
      const manyShown: string[][] = [];
      const many: string[] = [];
      const batchEntries = runs.map((x) => shifted(x, 'b:'));
      for (let at = 0; at < batchEntries.length; at += 25) {
        const shown: string[][] = [];
        for (const p of await placeMany(store, batchEntries.slice(at, at + 25), shown)) many.push(strip(p.storyId));
        manyShown.push(...shown);
      }
      expect(many).toEqual(one);
      expect(manyShown.map((keys) => keys.map(strip))).toEqual(oneShown.map((keys) => keys.map(strip)));
      expect(new Set(one).size).toBeLessThan(ordered.length / 2);
    });

    it('shows a batch at most CANDIDATES_PER_BAND per band value, those published last, counting the batch’s own', async () => {
      const base = entryOf('gold-record#0');
      const copy = (i: number): StoryEntryOf => ({ ...base, key: `copy-${String(i).padStart(2, '0')}`, publishedMs: base.publishedMs + i * 1000 });
      // Half stored first, half in one batch, the newest stored ones after the batch's first.
      for (let i = 0; i < CANDIDATES_PER_BAND; i += 2) await store.stories.assign(copy(i), storySpan(copy(i).publishedMs, rules), () => copy(i).key);
      const batch = Array.from({ length: CANDIDATES_PER_BAND + 10 }, (_, i) => copy(2 * i + 1));
      const shown: string[][] = [];
      await store.stories.assignMany(
        batch.map((e) => ({ entry: { ...e, bands: e.bands.slice(0, 1) }, span: storySpan(e.publishedMs, rules) })),
        (candidates, a, i) => ((shown[i] = candidates.map((c) => c.key).sort()), a.entry.key),
      );
      const stored = Array.from({ length: CANDIDATES_PER_BAND / 2 }, (_, i) => copy(2 * i).key);
      batch.forEach((e, i) => {
        // Keys sort as they were published, so the last published are the greatest keys.
        const last = [...stored, ...batch.slice(0, i).map((b) => b.key)].sort().slice(-CANDIDATES_PER_BAND);
        expect(shown[i], e.key).toEqual(last);
      });
    });

    it('records nothing of a batch whose choice fails, and names the batch in the error', async () => {
      const original = entryOf('cpi-may#0');
      await place(store, original);
      const batch = [original, entryOf('pboc-rrr#0')].map(assignmentOf);
      const failing = store.stories.assignMany(batch, (_, a, i) => {
        if (i === 1) throw new Error('no story for you');
        return 'moved-story';
      });
      await expect(failing).rejects.toThrow(/cpi-may#0 and 1 more.*no story for you/s);
      expect(await store.stories.storyOf(original.key)).toBe(original.key);
      expect(await store.stories.storyOf('pboc-rrr#0')).toBeNull();
      expect(await place(store, entryOf('cpi-may#1'))).toBe(original.key);
    });

    it('shows one connection what another wrote in the meantime', async () => {
      const other = await fx.openAnother();
      const original = entryOf('gold-record#0');
      expect(await place(store, original)).toBe(original.key);
      // Another connection records the same article again, in another story.
      await other.stories.assign(original, storySpan(original.publishedMs, rules), () => 'gold-story');
      expect(await place(store, entryOf('gold-record#1'))).toBe('gold-story');
      await other.stories.remove(original.key);
      expect(await place(store, entryOf('gold-record#2'))).toBe('gold-story');
      expect((await store.stories.members('gold-story')).map((m) => m.key).sort()).toEqual(['gold-record#1', 'gold-record#2']);
    });

    it('puts reprints of batches assigned at the same moment by different connections into one story', async () => {
      const others = [store, await fx.openAnother(), await fx.openAnother()];
      const groups = orderFreeGroups();
      const copies = groups.map((group) => corpus.filter((a) => a.group === group).slice(0, 3));
      // Connection n assigns copy n of every group in one batch, all three batches at once.
      await Promise.all(others.map((s, n) => placeMany(s, copies.flatMap((c) => (c[n] ? [entryOf(c[n].key)] : [])))));
      for (const [g, group] of groups.entries()) {
        const keys = (copies[g] ?? []).map((a) => a.key);
        const stories = await Promise.all(keys.map((k) => store.stories.storyOf(k)));
        expect(new Set(stories).size, group).toBe(1);
        expect((await store.stories.members(stories[0] ?? '')).map((m) => m.key).sort(), group).toEqual([...keys].sort());
      }
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
