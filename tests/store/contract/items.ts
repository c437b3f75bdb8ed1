import { brotliCompressSync, gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { FinewsError } from '../../../src/errors.js';
import type { Item } from '../../../src/domain.js';
import type { RenderedDoc, Store } from '../../../src/store/store.js';
import { makeItem, newsKey } from '../items.js';
import { allPages, keysOf, later, workFor, type ContractContext, type StoreFixture } from './helpers.js';

/** The items and claims block of the store contract. */
export function itemsContract(t: ContractContext): void {
  let fx: StoreFixture;
  let store: Store;
  beforeEach(() => {
    fx = t.fx;
    store = t.store;
  });

  describe('claim', () => {
    it('answers isNew to exactly one of 200 concurrent claims of a key', async () => {
      const key = newsKey(1);
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => store.claim(key, `source-${i % 10}`, ['industry'])),
      );
      expect(results.filter((r) => r.isNew)).toHaveLength(1);
      expect(results.every((r) => r.changedCategories.length === 0)).toBe(true);
      // Nothing is saved yet, so every loser sees the work pending; the winner never does.
      expect(results.filter((r) => r.isNew || !r.pending)).toEqual([{ isNew: true, changedCategories: [], pending: false }]);
      // Ten sources carried the key twenty times each: one item apiece.
      const states = await store.listSourceStates();
      expect(states.map((s) => [s.id, s.items])).toEqual(
        Array.from({ length: 10 }, (_, i) => [`source-${i}`, 1]),
      );
    });

    it('lets exactly one of two store objects on the same data win each key', async () => {
      const other = await fx.openAnother();
      const keys = Array.from({ length: 60 }, (_, i) => newsKey(100 + i));
      const results = await Promise.all(
        keys.flatMap((key) => [store.claim(key, 'eastmoney-finance', []), other.claim(key, 'cinn-industry', [])]),
      );
      for (let i = 0; i < keys.length; i++) {
        const pair = [results[2 * i], results[2 * i + 1]];
        expect(pair.filter((r) => r?.isNew), keys[i]).toHaveLength(1);
        // The loser came second to a claim whose item is not saved yet.
        expect(pair.map((r) => r?.isNew !== r?.pending), keys[i]).toEqual([true, true]);
      }
      expect((await other.getSourceState('eastmoney-finance'))?.items).toBe(60);
      expect((await store.getSourceState('cinn-industry'))?.items).toBe(60);
    });

    it('merges every claimant into the item saved afterwards, publisher category first', async () => {
      const key = newsKey(2);
      expect(await store.claim(key, 'cinn-industry', ['industry'])).toEqual({ isNew: true, changedCategories: [], pending: false });
      // The item is not saved yet: the second claim sees its work pending.
      expect(await store.claim(key, 'eastmoney-finance', ['finance', 'industry'])).toEqual({
        isNew: false,
        changedCategories: [],
        pending: true,
      });
      const changed = await store.saveItem(
        makeItem(key, { categories: ['zhongguogongyebao', 'industry'], sources: ['cinn-industry'] }),
      );
      expect(new Set(changed)).toEqual(new Set(['zhongguogongyebao', 'industry', 'finance', 'all']));

      const saved = await store.getItem(key);
      expect(saved?.categories).toEqual(['zhongguogongyebao', 'industry', 'finance']);
      expect(saved?.sources).toEqual(['cinn-industry', 'eastmoney-finance']);
      expect(keysOf((await store.listItems({ category: 'finance', limit: 10 })).items)).toEqual([key]);
    });

    it('merges a later claimant into the stored item and its category feeds', async () => {
      const key = newsKey(3);
      await store.claim(key, 'cinn-industry', []);
      await store.saveItem(makeItem(key, { categories: ['zhongguogongyebao'], sources: ['cinn-industry'] }));

      const later = await store.claim(key, 'eastmoney-finance', ['finance']);
      expect(later.isNew).toBe(false);
      expect(new Set(later.changedCategories)).toEqual(new Set(['zhongguogongyebao', 'finance', 'all']));
      const saved = await store.getItem(key);
      expect(saved?.categories).toEqual(['zhongguogongyebao', 'finance']);
      expect(saved?.sources).toEqual(['cinn-industry', 'eastmoney-finance']);
      expect(keysOf((await store.listItems({ category: 'finance', limit: 10 })).items)).toEqual([key]);
      expect(await store.listCategories()).toContainEqual({
        slug: 'finance',
        count: 1,
        updated: '2022-03-30T09:34:12+08:00',
      });

      // Nothing new: nothing changed.
      expect(await store.claim(key, 'eastmoney-finance', ['finance'])).toEqual({ isNew: false, changedCategories: [], pending: false });
      expect(await store.claim(key, 'cinn-industry', [])).toEqual({ isNew: false, changedCategories: [], pending: false });
    });

    describe('pending work', () => {
      it('is pending on every claim before its item is saved, and never after', async () => {
        const key = newsKey(30);
        expect(await store.claim(key, 'cinn-industry', ['industry'])).toEqual({ isNew: true, changedCategories: [], pending: false });
        // The article work of the first claim was lost: each later claim asks for it again.
        expect(await store.claim(key, 'cinn-industry', ['industry'])).toEqual({ isNew: false, changedCategories: [], pending: true });
        expect(await store.claim(key, 'eastmoney-finance', [])).toEqual({ isNew: false, changedCategories: [], pending: true });

        await store.saveItem(makeItem(key, { categories: ['zhongguogongyebao'], sources: ['cinn-industry'] }));
        expect(await store.claim(key, 'cinn-industry', ['industry'])).toEqual({ isNew: false, changedCategories: [], pending: false });
        expect((await store.claim(key, 'sina-finance', ['finance'])).pending).toBe(false);
      });

      it('is not pending for an item saved without a claim, nor for another store object on the data', async () => {
        await store.saveItem(makeItem(newsKey(31)));
        expect(await store.claim(newsKey(31), 'cinn-industry', [])).toEqual({ isNew: false, changedCategories: [], pending: false });

        await store.claim(newsKey(32), 'cinn-industry', []);
        const other = await fx.openAnother();
        expect((await other.claim(newsKey(32), 'cinn-industry', [])).pending).toBe(true);
        await other.saveItem(makeItem(newsKey(32)));
        expect((await store.claim(newsKey(32), 'cinn-industry', [])).pending).toBe(false);
      });

      it('is not pending once the saved item was pruned: a pruned item is not ingested again', async () => {
        const old = '2022-01-01T08:00:00+08:00';
        await store.claim('NW-pruned', 'cinn-industry', []);
        await store.saveItem(makeItem('NW-pruned', { publishedAt: old, storedAt: old }));
        await store.claim('NW-lost', 'cinn-industry', []);
        expect((await store.prune(new Date('2022-03-01T00:00:00Z'), new Date('2000-01-01T00:00:00Z'))).removed).toBe(1);
        expect(await store.getItem('NW-pruned')).toBeNull();

        expect(await store.claim('NW-pruned', 'cinn-industry', [])).toEqual({ isNew: false, changedCategories: [], pending: false });
        expect(await store.claim('NW-pruned', 'eastmoney-finance', ['finance'])).toEqual({
          isNew: false,
          changedCategories: [],
          pending: false,
        });
        // Pruning does not settle work that was never saved.
        expect((await store.claim('NW-lost', 'cinn-industry', [])).pending).toBe(true);
      });

      it('starts afresh when a forgotten claim is claimed again', async () => {
        await store.claim('NW-forgotten', 'cinn-industry', []);
        await store.prune(new Date('2000-01-01T00:00:00Z'), new Date(Date.now() + 60_000));
        expect(await store.claim('NW-forgotten', 'cinn-industry', [])).toEqual({ isNew: true, changedCategories: [], pending: false });
        expect((await store.claim('NW-forgotten', 'cinn-industry', [])).pending).toBe(true);
      });

      it('answers a race on a saved key with neither isNew nor pending', async () => {
        const key = newsKey(33);
        await store.claim(key, 'cinn-industry', []);
        await store.saveItem(makeItem(key));
        const other = await fx.openAnother();
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).claim(key, `source-${i % 4}`, [])),
        );
        expect(results.every((r) => !r.isNew && !r.pending)).toBe(true);
      });
    });

    describe('pending work handed back', () => {
      it('hands back work claimed and never saved once it is old enough, oldest first, then moves on', async () => {
        const [a, b] = [newsKey(40), newsKey(41)];
        await store.claim(a, 'cinn-industry', ['industry'], workFor(a));
        await store.claim(b, 'eastmoney-finance', ['finance'], workFor(b, 'eastmoney-finance'));
        // Just handed out: nothing is old enough yet.
        expect(await store.takePendingClaims(new Date(Date.now() - 60_000), 10, new Date())).toEqual([]);

        const t1 = later(1000);
        expect(await store.takePendingClaims(t1, 1, t1)).toEqual([{ key: a, work: workFor(a) }]);
        // a was just handed out at t1; the next call moves on to b.
        expect(await store.takePendingClaims(t1, 10, t1)).toEqual([{ key: b, work: workFor(b, 'eastmoney-finance') }]);
        expect(await store.takePendingClaims(t1, 10, t1)).toEqual([]);
        const t2 = new Date(t1.getTime() + 1);
        expect((await store.takePendingClaims(t2, 10, t2)).map((c) => c.key)).toEqual([a, b]);
      });

      it('forgets the work once its item is saved, and records none for saved keys or without work', async () => {
        const [saved, plain, lost, old] = [newsKey(42), newsKey(43), newsKey(44), newsKey(45)];
        await store.claim(saved, 'cinn-industry', [], workFor(saved));
        await store.saveItem(makeItem(saved));
        // Claimed again with work after the save: not pending, nothing recorded.
        await store.claim(saved, 'eastmoney-finance', [], workFor(saved, 'eastmoney-finance'));
        await store.claim(plain, 'cinn-industry', []);
        // A pending claim made again with work records it.
        await store.claim(lost, 'cinn-industry', []);
        expect((await store.claim(lost, 'cinn-industry', [], workFor(lost))).pending).toBe(true);
        await store.claim(old, 'cinn-industry', [], workFor(old));

        const t = later(1000);
        expect((await store.takePendingClaims(t, 10, new Date())).map((c) => c.key).sort()).toEqual([lost, old].sort());
        // Forgotten claims take their work with them.
        await store.prune(new Date('2000-01-01T00:00:00Z'), later(60_000));
        expect(await store.takePendingClaims(later(120_000), 10, new Date())).toEqual([]);
      });

      it('hands each claim to only one of two store objects taking at once', async () => {
        const keys = Array.from({ length: 30 }, (_, i) => newsKey(200 + i));
        for (const key of keys) await store.claim(key, 'cinn-industry', ['industry'], workFor(key));
        const other = await fx.openAnother();
        const t = later(1000);
        const batches = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : other).takePendingClaims(t, 10, t)),
        );
        const taken = batches.flat().map((c) => c.key);
        expect(taken.sort()).toEqual([...keys].sort());
      });
    });

    it('counts each key once per source that carries it', async () => {
      await store.claim(newsKey(4), 'cinn-industry', []);
      await store.claim(newsKey(4), 'cinn-industry', []);
      await store.claim(newsKey(5), 'cinn-industry', []);
      await store.claim(newsKey(4), 'eastmoney-finance', []);
      // A saved item's own sources count too, once.
      await store.saveItem(makeItem(newsKey(5), { sources: ['cinn-industry', 'sina-finance'] }));
      await store.saveItem(makeItem(newsKey(5), { sources: ['sina-finance'] }));

      expect((await store.getSourceState('cinn-industry'))?.items).toBe(2);
      expect((await store.getSourceState('eastmoney-finance'))?.items).toBe(1);
      expect((await store.getSourceState('sina-finance'))?.items).toBe(1);
    });
  });

  describe('saveItem', () => {
    it('keeps the first publishedAt and storedAt, takes new content, unions categories', async () => {
      const key = newsKey(6);
      const first = makeItem(key, { categories: ['zhongguogongyebao'] });
      expect(new Set(await store.saveItem(first))).toEqual(new Set(['zhongguogongyebao', 'all']));
      await store.saveItem(makeItem(newsKey(7), { publishedAt: '2022-03-30T09:00:00+08:00' }));

      const changed = await store.saveItem(
        makeItem(key, {
          title: '更正：工信部一季度数据发布会',
          publishedAt: '2022-04-02T08:00:00+08:00',
          storedAt: '2022-04-02T08:05:00+08:00',
          categories: ['industry', 'zhongguogongyebao'],
          sources: ['eastmoney-finance'],
        }),
      );
      expect(new Set(changed)).toEqual(new Set(['zhongguogongyebao', 'industry', 'all']));

      const saved = await store.getItem(key);
      expect(saved).toMatchObject({
        title: '更正：工信部一季度数据发布会',
        publishedAt: first.publishedAt,
        storedAt: first.storedAt,
        categories: ['zhongguogongyebao', 'industry'],
        sources: ['cinn-industry', 'eastmoney-finance'],
      });
      // Still ordered by the original date: newsKey(7) at 09:00 stays older.
      expect(keysOf((await store.listItems({ limit: 10 })).items)).toEqual([key, newsKey(7)]);
    });

    it('returns the item exactly as saved, Chinese text and optional fields included', async () => {
      const item = makeItem(newsKey(8));
      await store.saveItem(item);
      expect(await store.getItem(item.key)).toEqual(item);
      const anonymous: Item = { ...makeItem(newsKey(9), { infoCode: null }) };
      delete anonymous.author;
      await store.saveItem(anonymous);
      expect(await store.getItem(anonymous.key)).toEqual(anonymous);
      expect(await store.getItem('no-such-key')).toBeNull();
    });

    it('never lists an item under the reserved all category of its own', async () => {
      await store.saveItem(makeItem(newsKey(10), { categories: ['zhongguogongyebao', 'all'] }));
      expect((await store.getItem(newsKey(10)))?.categories).toEqual(['zhongguogongyebao']);
      expect((await store.listCategories()).map((c) => c.slug)).toEqual(['zhongguogongyebao']);
    });

    it('refuses an item whose publishedAt is not a date', async () => {
      await expect(store.saveItem(makeItem(newsKey(11), { publishedAt: '2022年3月30日' }))).rejects.toMatchObject({
        code: 'invalid-date',
      });
      expect(await store.getItem(newsKey(11))).toBeNull();
    });
  });

  describe('saveItems', () => {
    /** Everything a reader of the store can see of `keys`: items, listings, categories, pending work, source counts. */
    const observe = async (s: Store, keys: string[]): Promise<unknown> => ({
      items: await Promise.all(keys.map((key) => s.getItem(key))),
      all: keysOf(await allPages(s, 7)),
      finance: keysOf(await allPages(s, 7, 'finance')),
      categories: [...(await s.listCategories())].sort((a, b) => a.slug.localeCompare(b.slug)),
      pending: (await s.takePendingClaims(later(60_000), 100, new Date())).map((c) => c.key).sort(),
      sources: (await s.listSourceStates()).map((st) => [st.id, st.items]),
    });

    /** Claims and earlier saves both stores start from: pending work, a second claimant, a stored item. */
    const prepare = async (s: Store, keys: string[]): Promise<void> => {
      const [fresh, twice, stored, lost] = keys as [string, string, string, string];
      await s.claimMany([
        { key: fresh, sourceId: 'cinn-industry', categories: ['industry'], work: workFor(fresh) },
        { key: twice, sourceId: 'cinn-industry', categories: ['industry'], work: workFor(twice) },
        { key: twice, sourceId: 'eastmoney-finance', categories: ['finance'] },
        { key: stored, sourceId: 'cinn-industry', categories: ['industry'] },
        { key: lost, sourceId: 'cinn-industry', categories: ['industry'], work: workFor(lost) },
      ]);
      await s.saveItem(makeItem(stored, { categories: ['zhongguogongyebao', 'industry'], sources: ['cinn-industry'] }));
    };

    it('stores a batch exactly as the same saves one by one: content, listings, counts, pending work, changed categories', async () => {
      const keys = [newsKey(70), newsKey(71), newsKey(72), newsKey(73), newsKey(74)];
      const [fresh, twice, stored, , unclaimed] = keys as [string, string, string, string, string];
      const batch = [
        makeItem(fresh, { categories: ['zhongguogongyebao', 'industry'], sources: ['cinn-industry'] }),
        makeItem(twice, { categories: ['zhongguogongyebao', 'industry'], sources: ['cinn-industry'], publishedAt: '2022-03-30T10:00:00+08:00' }),
        makeItem(stored, { title: '更正：工信部一季度数据发布会', categories: ['zhongguogongyebao', 'finance'], sources: ['sina-finance'], publishedAt: '2022-04-02T08:00:00+08:00' }),
        makeItem(unclaimed, { publisher: '证券时报', categories: ['zhengquanshibao'], sources: ['stcn'], updatedAt: '2022-03-30T11:00:00+08:00' }),
      ];
      const single = await t.make();
      try {
        await prepare(store, keys);
        await prepare(single.store, keys);
        const changed = await store.saveItems(batch);
        const oneByOne = new Set<string>();
        for (const item of batch) for (const slug of await single.store.saveItem(item)) oneByOne.add(slug);

        expect([...changed].sort()).toEqual([...oneByOne].sort());
        expect(new Set(changed)).toEqual(new Set(['all', 'zhongguogongyebao', 'industry', 'finance', 'zhengquanshibao']));
        const seen = await observe(store, keys);
        expect(seen).toEqual(await observe(single.store, keys));
        // What both show: the claimants merged in, the stored copy's date kept, only the unsaved key still pending.
        expect(seen).toMatchObject({
          items: [
            { key: fresh, categories: ['zhongguogongyebao', 'industry'] },
            { key: twice, categories: ['zhongguogongyebao', 'industry', 'finance'], sources: ['cinn-industry', 'eastmoney-finance'] },
            { key: stored, title: '更正：工信部一季度数据发布会', publishedAt: makeItem(stored).publishedAt, sources: ['cinn-industry', 'sina-finance'] },
            null,
            { key: unclaimed, updatedAt: '2022-03-30T11:00:00+08:00' },
          ],
          pending: [keys[3]],
        });
      } finally {
        await single.cleanup();
      }
    });

    it('merges a key given twice in one batch as two saves in a row: the later content, both sources, the first date', async () => {
      const key = newsKey(75);
      await store.claim(key, 'cinn-industry', ['industry'], workFor(key));
      const changed = await store.saveItems([
        makeItem(key, { categories: ['zhongguogongyebao', 'industry'], sources: ['cinn-industry'] }),
        makeItem(key, { title: '第二稿', categories: ['zhongguogongyebao', 'finance'], sources: ['eastmoney-finance'], publishedAt: '2022-04-01T08:00:00+08:00' }),
      ]);
      expect(new Set(changed)).toEqual(new Set(['all', 'zhongguogongyebao', 'industry', 'finance']));
      expect(await store.getItem(key)).toMatchObject({
        title: '第二稿',
        publishedAt: makeItem(key).publishedAt,
        categories: ['zhongguogongyebao', 'industry', 'finance'],
        sources: ['cinn-industry', 'eastmoney-finance'],
      });
      expect((await store.listItems({ category: 'finance', limit: 10 })).items.map((i) => i.key)).toEqual([key]);
      expect(await store.listCategories()).toContainEqual({ slug: 'industry', count: 1, updated: makeItem(key).publishedAt });
      expect((await store.listSourceStates()).map((st) => [st.id, st.items])).toEqual([
        ['cinn-industry', 1],
        ['eastmoney-finance', 1],
      ]);
      expect(await store.takePendingClaims(later(60_000), 10, new Date())).toEqual([]);
    });

    it('answers nothing and writes nothing for an empty batch', async () => {
      expect(await store.saveItems([])).toEqual([]);
      expect(await store.listCategories()).toEqual([]);
      expect((await store.listItems({ limit: 10 })).items).toEqual([]);
    });

    it('merges a batch over stored items: sources and categories unioned, first dates kept, new categories listed', async () => {
      const [a, b, c] = [newsKey(76), newsKey(77), newsKey(78)];
      await store.saveItems([
        makeItem(a, { categories: ['zhongguogongyebao', 'industry'], sources: ['cinn-industry'] }),
        makeItem(b, { categories: ['zhongguogongyebao', 'industry'], sources: ['cinn-industry'], publishedAt: '2022-03-30T08:00:00+08:00' }),
      ]);
      const changed = await store.saveItems([
        makeItem(a, { categories: ['zhongguogongyebao', 'finance'], sources: ['eastmoney-finance'], publishedAt: '2022-04-05T08:00:00+08:00', storedAt: '2022-04-05T08:00:00+08:00' }),
        makeItem(b, { categories: ['zhongguogongyebao', 'industry'], sources: ['cinn-industry'], publishedAt: '2022-03-30T08:00:00+08:00' }),
        makeItem(c, { categories: ['zhongguogongyebao', 'finance'], sources: ['eastmoney-finance'], publishedAt: '2022-03-29T08:00:00+08:00' }),
      ]);
      expect(new Set(changed)).toEqual(new Set(['all', 'zhongguogongyebao', 'industry', 'finance']));
      expect(await store.getItem(a)).toMatchObject({
        publishedAt: makeItem(a).publishedAt,
        storedAt: makeItem(a).storedAt,
        categories: ['zhongguogongyebao', 'industry', 'finance'],
        sources: ['cinn-industry', 'eastmoney-finance'],
      });
      expect(keysOf(await allPages(store, 2, 'finance'))).toEqual([a, c]);
      expect(keysOf(await allPages(store, 2))).toEqual([a, b, c]);
      expect(await store.listCategories()).toContainEqual({ slug: 'finance', count: 2, updated: makeItem(a).publishedAt });
      expect((await store.getSourceState('eastmoney-finance'))?.items).toBe(2);
    });

    it('refuses a batch holding an item whose publishedAt is not a date, writing none of it', async () => {
      await expect(
        store.saveItems([makeItem(newsKey(79)), makeItem(newsKey(80), { publishedAt: '2022年3月30日' })]),
      ).rejects.toMatchObject({ code: 'invalid-date' });
      expect(await store.getItem(newsKey(79))).toBeNull();
    });

    it('loses nothing when two store objects save overlapping batches at once', async () => {
      const other = await fx.openAnother();
      const keys = Array.from({ length: 80 }, (_, i) => newsKey(300 + i));
      await Promise.all([
        store.saveItems(keys.map((key) => makeItem(key, { categories: ['zhongguogongyebao', 'industry'], sources: ['cinn-industry'] }))),
        other.saveItems([...keys].reverse().map((key) => makeItem(key, { categories: ['zhongguogongyebao', 'finance'], sources: ['eastmoney-finance'] }))),
        ...keys.slice(0, 10).map((key) => store.saveItem(makeItem(key, { categories: ['zhongguogongyebao'], sources: ['sina-finance'] }))),
      ]);
      for (const [i, key] of keys.entries()) {
        const item = await store.getItem(key);
        expect(new Set(item?.categories), key).toEqual(new Set(['zhongguogongyebao', 'industry', 'finance']));
        expect(new Set(item?.sources), key).toEqual(new Set(['cinn-industry', 'eastmoney-finance', ...(i < 10 ? ['sina-finance'] : [])]));
      }
      expect((await store.listSourceStates()).map((st) => [st.id, st.items])).toEqual([
        ['cinn-industry', 80],
        ['eastmoney-finance', 80],
        ['sina-finance', 10],
      ]);
      expect(await store.listCategories()).toContainEqual({ slug: 'finance', count: 80, updated: makeItem(keys[0] as string).publishedAt });
    });
  });

  describe('prune', () => {
    const old = '2022-01-01T08:00:00+08:00';
    const recent = '2022-03-30T09:00:00+08:00';
    const cutoff = new Date('2022-03-01T00:00:00Z');
    const longAgo = new Date('2000-01-01T00:00:00Z');

    it('removes items old by date and by storage time from every index, and remembers their claims', async () => {
      await store.claim('NW-gone', 'cinn-industry', ['industry']);
      await store.saveItem(makeItem('NW-gone', { publishedAt: old, storedAt: old, categories: ['zhongguogongyebao', 'industry'] }));
      await store.saveItem(makeItem('NW-late', { publishedAt: old, storedAt: recent, categories: ['zhongguogongyebao'] }));
      await store.saveItem(makeItem('NW-kept', { publisher: '证券时报', publishedAt: recent, storedAt: recent, categories: ['zhengquanshibao'] }));

      const result = await store.prune(cutoff, longAgo);
      expect(result.removed).toBe(1);
      expect(new Set(result.changedCategories)).toEqual(new Set(['zhongguogongyebao', 'industry', 'all']));

      expect(await store.getItem('NW-gone')).toBeNull();
      expect(keysOf(await allPages(store, 10))).toEqual(['NW-kept', 'NW-late']);
      expect(keysOf((await store.listItems({ category: 'industry', limit: 10 })).items)).toEqual([]);
      const categories = await store.listCategories();
      expect([...categories].sort((a, b) => a.slug.localeCompare(b.slug))).toEqual([
        { slug: 'zhengquanshibao', count: 1, updated: recent, publisher: '证券时报' },
        { slug: 'zhongguogongyebao', count: 1, updated: old, publisher: '中国工业报' },
      ]);

      // The claim outlives the item: the article is not ingested again.
      expect(await store.claim('NW-gone', 'eastmoney-finance', ['finance'])).toEqual({
        isNew: false,
        changedCategories: [],
        pending: false,
      });
      expect(await store.getItem('NW-gone')).toBeNull();

      expect(await store.prune(cutoff, longAgo)).toEqual({ removed: 0, changedCategories: [] });
    });

    it('forgets old claims only of items that are not stored', async () => {
      await store.claim('NW-never-saved', 'cinn-industry', []);
      await store.claim('NW-saved', 'cinn-industry', []);
      await store.saveItem(makeItem('NW-saved', { publishedAt: recent, storedAt: recent }));

      const future = new Date(Date.now() + 60_000);
      expect(await store.prune(longAgo, future)).toEqual({ removed: 0, changedCategories: [] });
      expect((await store.claim('NW-never-saved', 'cinn-industry', [])).isNew).toBe(true);
      expect((await store.claim('NW-saved', 'cinn-industry', [])).isNew).toBe(false);
      expect(await store.getItem('NW-saved')).not.toBeNull();

      // Once the item is pruned too, an old enough claim goes with it.
      await store.prune(new Date(Date.now() + 60_000), future);
      expect(await store.getItem('NW-saved')).toBeNull();
      expect((await store.claim('NW-saved', 'cinn-industry', [])).isNew).toBe(true);
    });
  });

  it('keeps everything across close and reopen', async () => {
    await store.claim(newsKey(20), 'cinn-industry', ['industry']);
    await store.saveItem(makeItem(newsKey(20), { categories: ['zhongguogongyebao', 'industry'] }));
    await store.claim(newsKey(21), 'cinn-industry', []);
    await store.putSourceState({ id: 'cinn-industry', lastStatus: 200, consecutiveFailures: 0, items: 0 });
    const doc: RenderedDoc = {
      contentType: 'text/html; charset=utf-8',
      body: Buffer.from('<h1>财经新闻聚合</h1>'),
      gzip: gzipSync('<h1>财经新闻聚合</h1>'),
      br: brotliCompressSync('<h1>财经新闻聚合</h1>'),
      etag: '"home"',
      lastModified: 'Wed, 30 Mar 2022 01:34:12 GMT',
    };
    await store.putRendered('index.html', doc);
    const item = await store.getItem(newsKey(20));
    await store.close();
    await expect(store.ping()).rejects.toBeInstanceOf(FinewsError);

    const reopened = await fx.openAnother();
    await reopened.ping();
    expect(await reopened.getItem(newsKey(20))).toEqual(item);
    expect((await reopened.claim(newsKey(21), 'cinn-industry', [])).isNew).toBe(false);
    expect((await reopened.claim(newsKey(20), 'cinn-industry', [])).isNew).toBe(false);
    expect(await reopened.getSourceState('cinn-industry')).toEqual({
      id: 'cinn-industry',
      lastStatus: 200,
      consecutiveFailures: 0,
      items: 2,
    });
    expect(await reopened.listCategories()).toHaveLength(2);
    expect(await reopened.getRendered('index.html')).toEqual(doc);
  });

  describe('claimMany', () => {
    it('answers each entry as claim would: new, pending, merged into a stored item, a repeated key new once', async () => {
      const [stored, unsaved, fresh, other] = [newsKey(40), newsKey(41), newsKey(42), newsKey(43)];
      await store.claim(stored, 'cinn-industry', ['industry']);
      await store.saveItem(makeItem(stored, { categories: ['zhongguogongyebao'], sources: ['cinn-industry'] }));
      await store.claim(unsaved, 'cinn-industry', []);

      const results = await store.claimMany([
        { key: fresh, sourceId: 'eastmoney-finance', categories: ['finance'], work: workFor(fresh, 'eastmoney-finance') },
        { key: fresh, sourceId: 'cinn-industry', categories: ['industry'] },
        { key: unsaved, sourceId: 'eastmoney-finance', categories: ['finance'], work: workFor(unsaved, 'eastmoney-finance') },
        { key: stored, sourceId: 'eastmoney-finance', categories: ['finance'] },
        { key: other, sourceId: 'eastmoney-finance', categories: [] },
      ]);
      expect(results.map((r) => ({ ...r, changedCategories: [...r.changedCategories].sort() }))).toEqual([
        { isNew: true, changedCategories: [], pending: false },
        { isNew: false, changedCategories: [], pending: true },
        { isNew: false, changedCategories: [], pending: true },
        { isNew: false, changedCategories: ['all', 'finance', 'industry', 'zhongguogongyebao'], pending: false },
        { isNew: true, changedCategories: [], pending: false },
      ]);
      expect(await store.getItem(stored)).toMatchObject({
        categories: ['zhongguogongyebao', 'industry', 'finance'],
        sources: ['cinn-industry', 'eastmoney-finance'],
      });
      // Both sources are recorded on the repeated key, so its item joins both categories.
      await store.saveItem(makeItem(fresh, { categories: ['zhongguogongyebao'], sources: [] }));
      expect(await store.getItem(fresh)).toMatchObject({
        categories: ['zhongguogongyebao', 'finance', 'industry'],
        sources: ['eastmoney-finance', 'cinn-industry'],
      });
      // The work of the unsaved key was recorded as the claims handed it out.
      const taken = await store.takePendingClaims(later(60_000), 10, new Date());
      expect(taken.map((c) => c.key)).toEqual([unsaved]);
      expect(taken[0]?.work).toEqual(workFor(unsaved, 'eastmoney-finance'));
      expect((await store.getSourceState('eastmoney-finance'))?.items).toBe(4);
      expect(await store.claimMany([])).toEqual([]);
    });

    it('lets exactly one of two store objects claiming the same feed at once win each key', async () => {
      const other = await fx.openAnother();
      const keys = Array.from({ length: 120 }, (_, i) => newsKey(200 + i));
      const [mine, theirs, single] = await Promise.all([
        store.claimMany(keys.map((key) => ({ key, sourceId: 'eastmoney-finance', categories: ['finance'] }))),
        other.claimMany([...keys].reverse().map((key) => ({ key, sourceId: 'cinn-industry', categories: ['industry'] }))),
        Promise.all(keys.slice(0, 20).map((key) => store.claim(key, 'sina-finance', []))),
      ]);
      keys.forEach((key, i) => {
        const answers = [mine[i], theirs[keys.length - 1 - i], ...(i < 20 ? [single[i]] : [])];
        expect(answers.filter((r) => r?.isNew), key).toHaveLength(1);
        // Nothing is saved, so every loser sees the work pending.
        expect(answers.every((r) => r?.isNew !== r?.pending), key).toBe(true);
      });
      expect((await store.getSourceState('cinn-industry'))?.items).toBe(120);
      expect((await other.getSourceState('eastmoney-finance'))?.items).toBe(120);
    });
  });

  describe('item hashes', () => {
    it('answers changed when a stored key comes back from the same source with another hash, and keeps its work until saved', async () => {
      const key = newsKey(60);
      const work = workFor(key, 'cinn-industry');
      expect(await store.claimMany([{ key, sourceId: 'cinn-industry', categories: ['industry'], work, hash: 'h1' }])).toEqual([
        { isNew: true, changedCategories: [], pending: false },
      ]);
      await store.saveItem(makeItem(key, { categories: ['zhongguogongyebao'], sources: ['cinn-industry'] }));
      // The same hash again, and a first hash from another source: nothing changed.
      const again = await store.claimMany([
        { key, sourceId: 'cinn-industry', categories: ['industry'], hash: 'h1' },
        { key, sourceId: 'eastmoney-finance', categories: [], hash: 'other wording' },
        { key, sourceId: 'sina-finance', categories: [] },
      ]);
      expect(again.map((r) => [r.isNew, r.pending, r.changed])).toEqual([
        [false, false, undefined],
        [false, false, undefined],
        [false, false, undefined],
      ]);
      expect(await store.takePendingClaims(later(60_000), 10, new Date())).toEqual([]);

      const changedWork = { ...work, item: { ...work.item, title: '工信部：一季度工业增加值同比增长6.5%（更新）' } };
      expect(await store.claimMany([{ key, sourceId: 'cinn-industry', categories: ['industry'], work: changedWork, hash: 'h2' }])).toEqual([
        { isNew: false, changedCategories: [], pending: false, changed: true },
      ]);
      // Recorded at once: the next poll of the same wording is no change.
      expect(await store.claim(key, 'cinn-industry', ['industry'])).toEqual({ isNew: false, changedCategories: [], pending: false });
      expect((await store.claimMany([{ key, sourceId: 'cinn-industry', categories: [], hash: 'h2' }]))[0]).not.toHaveProperty('changed');
      // The update's work waits on the claim, for the sweep, until the item is saved again.
      const taken = await store.takePendingClaims(later(60_000), 10, new Date());
      expect(taken).toEqual([{ key, work: { ...changedWork, changed: true } }]);
      await store.saveItem(makeItem(key, { title: '更新', categories: ['zhongguogongyebao'], sources: ['cinn-industry'], updatedAt: '2022-03-30T10:00:00+08:00' }));
      expect(await store.takePendingClaims(later(120_000), 10, later(60_000))).toEqual([]);
      expect(await store.getItem(key)).toMatchObject({ title: '更新', updatedAt: '2022-03-30T10:00:00+08:00', publishedAt: makeItem(key).publishedAt });
      // A later save without an update keeps the update's time.
      await store.saveItem(makeItem(key, { title: '更新', categories: ['zhongguogongyebao'], sources: ['cinn-industry'] }));
      expect((await store.getItem(key))?.updatedAt).toBe('2022-03-30T10:00:00+08:00');
      // Per source: the other source's wording is its own, never a change of this one.
      expect((await store.claimMany([{ key, sourceId: 'eastmoney-finance', categories: [], hash: 'other wording' }]))[0]).not.toHaveProperty('changed');
    });

    it('never answers changed for a key not stored yet', async () => {
      const key = newsKey(61);
      await store.claimMany([{ key, sourceId: 'cinn-industry', categories: [], work: workFor(key), hash: 'h1' }]);
      const [again] = await store.claimMany([{ key, sourceId: 'cinn-industry', categories: [], work: workFor(key), hash: 'h2' }]);
      expect(again).toEqual({ isNew: false, changedCategories: [], pending: true });
    });
  });

  describe('clock', () => {
    it('dates claims and handed-out work by the clock it is given', async () => {
      let clock = new Date('2020-01-01T00:00:00Z');
      const clocked = await t.make({ now: () => clock });
      try {
        const s = clocked.store;
        await s.claim('NW-clocked', 'cinn-industry', [], workFor('NW-clocked'));
        // Handed out at the store's time, long before the real one.
        const taken = await s.takePendingClaims(new Date('2020-01-01T00:00:01Z'), 10, new Date('2020-01-01T00:00:02Z'));
        expect(taken.map((c) => c.key)).toEqual(['NW-clocked']);
        // Last seen at the store's time too: a prune of claims older than 2020-06 forgets it.
        clock = new Date('2020-03-01T00:00:00Z');
        await s.claim('NW-clocked', 'cinn-industry', []);
        // Seen again on 2020-03-01: a prune of claims older than February keeps it.
        await s.prune(new Date('2000-01-01T00:00:00Z'), new Date('2020-02-01T00:00:00Z'));
        expect((await s.claim('NW-clocked', 'cinn-industry', [])).isNew).toBe(false);
        await s.prune(new Date('2000-01-01T00:00:00Z'), new Date('2020-06-01T00:00:00Z'));
        expect((await s.claim('NW-clocked', 'cinn-industry', [])).isNew).toBe(true);
      } finally {
        await clocked.cleanup();
      }
    });
  });
}
