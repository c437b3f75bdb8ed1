import { beforeEach, describe, expect, it } from 'vitest';
import { FinewsError } from '../../../src/errors.js';
import { InvalidCursorError, encodeCursor } from '../../../src/store/cursor.js';
import type { Item } from '../../../src/domain.js';
import type { Store } from '../../../src/store/store.js';
import { isoShanghai, makeItem, newestFirst, newsKey } from '../items.js';
import { allPages, BASE_MS, keysOf, type ContractContext } from './helpers.js';

/** The listing block of the store contract. */
export function listingContract(t: ContractContext): void {
  let store: Store;
  beforeEach(() => {
    store = t.store;
  });

  describe('listItems', () => {
    it('lists newest first by instant, then by key, across zone offsets', async () => {
      const specs: [string, string][] = [
        ['NW-b', '2022-03-30T09:34:12+08:00'],
        ['NW-a', '2022-03-30T01:34:12Z'], // the same instant as NW-b
        ['NW-c', '2022-03-30T10:00:00+08:00'],
        ['NW-d', '2022-03-29T23:59:59+08:00'],
        ['NW-e', '2022-03-30T03:34:12+02:00'], // also the same instant
        ['NW-f', '2022-03-30T01:34:12.500Z'],
      ];
      for (const [key, publishedAt] of specs) await store.saveItem(makeItem(key, { publishedAt }));

      const expected = keysOf(
        specs
          .map(([key, publishedAt]) => makeItem(key, { publishedAt }))
          .sort((a, b) => newestFirst({ ms: Date.parse(a.publishedAt), key: a.key }, { ms: Date.parse(b.publishedAt), key: b.key })),
      );
      expect(expected).toEqual(['NW-c', 'NW-f', 'NW-e', 'NW-b', 'NW-a', 'NW-d']);

      const whole = await store.listItems({ limit: 10 });
      expect(keysOf(whole.items)).toEqual(expected);
      expect(whole.next).toBeNull();
      expect(keysOf(await allPages(store, 2))).toEqual(expected);
      expect(keysOf(await allPages(store, 1))).toEqual(expected);

      const exact = await store.listItems({ limit: 6 });
      expect(exact.next).toBeNull();
      const first = await store.listItems({ limit: 5 });
      expect(first.next).not.toBeNull();
      const rest = await store.listItems({ limit: 5, before: first.next });
      expect(keysOf(rest.items)).toEqual(['NW-d']);
      expect(rest.next).toBeNull();
    });

    it('never skips or repeats an item while 30 items arrive between page requests', async () => {
      // 40 items, three to a timestamp, one minute apart.
      const initial: string[] = [];
      for (let n = 0; n < 40; n++) {
        const key = newsKey(n);
        initial.push(key);
        await store.saveItem(makeItem(key, { publishedAt: isoShanghai(BASE_MS - Math.floor(n / 3) * 60_000) }));
      }

      const seen: Item[] = [];
      let before: string | null = null;
      let arrived = 0;
      for (let guard = 0; guard < 100; guard++) {
        const page = await store.listItems({ limit: 7, before });
        seen.push(...page.items);
        if (page.next === null) break;
        before = page.next;
        const last = page.items.at(-1);
        if (!last) throw new Error('a page with a cursor had no items');
        const lastMs = Date.parse(last.publishedAt);
        // Arrivals on every side of the cursor: newer, same instant above and below its key, older.
        const arrivals: Item[] = [
          makeItem(`Z-new-${arrived}`, { publishedAt: isoShanghai(BASE_MS + 3_600_000 + arrived) }),
          makeItem(`Z-tie-${arrived}`, { publishedAt: last.publishedAt }),
          makeItem(`A-tie-${arrived}`, { publishedAt: last.publishedAt }),
          makeItem(`M-old-${arrived}`, { publishedAt: isoShanghai(lastMs - 90_000) }),
          makeItem(`A-oldest-${arrived}`, { publishedAt: isoShanghai(BASE_MS - 86_400_000) }),
        ];
        for (const item of arrivals) if (arrived < 30) {
          await store.saveItem(item);
          arrived++;
        }
        // A re-save of an already listed item must not move it.
        await store.saveItem(makeItem(initial[0] ?? '', { title: `第${guard}次更新`, publishedAt: '2030-01-01T00:00:00Z' }));
      }
      expect(arrived).toBe(30);

      const seenKeys = keysOf(seen);
      expect(new Set(seenKeys).size).toBe(seenKeys.length);
      for (const key of initial) expect(seenKeys.filter((k) => k === key), key).toHaveLength(1);
      // And the walk itself ran in store order.
      const positions = seen.map((i) => ({ ms: Date.parse(i.publishedAt), key: i.key }));
      expect([...positions].sort(newestFirst)).toEqual(positions);
    });

    it('filters by category; all and no category list everything', async () => {
      await store.saveItem(makeItem('NW-1', { categories: ['zhongguogongyebao', 'industry'], publishedAt: isoShanghai(BASE_MS) }));
      await store.saveItem(makeItem('NW-2', { categories: ['zhengquanshibao'], publishedAt: isoShanghai(BASE_MS + 1000) }));
      await store.saveItem(makeItem('NW-3', { categories: ['industry'], publishedAt: isoShanghai(BASE_MS + 2000) }));

      expect(keysOf((await store.listItems({ category: 'industry', limit: 10 })).items)).toEqual(['NW-3', 'NW-1']);
      expect(keysOf(await allPages(store, 1, 'industry'))).toEqual(['NW-3', 'NW-1']);
      expect(keysOf((await store.listItems({ category: 'zhengquanshibao', limit: 10 })).items)).toEqual(['NW-2']);
      expect(keysOf((await store.listItems({ category: 'all', limit: 10 })).items)).toEqual(['NW-3', 'NW-2', 'NW-1']);
      expect(keysOf((await store.listItems({ limit: 10 })).items)).toEqual(['NW-3', 'NW-2', 'NW-1']);
      expect(await store.listItems({ category: 'nosuchcategory', limit: 10 })).toEqual({ items: [], next: null });
    });

    it('rejects cursors it did not make with an InvalidCursorError', async () => {
      await store.saveItem(makeItem(newsKey(12)));
      const bad = [
        'not a cursor!',
        Buffer.from('no-dot-here').toString('base64url'),
        Buffer.from('12ab.NW1').toString('base64url'),
        Buffer.from('1648604052000.').toString('base64url'),
        `${encodeCursor({ ms: 1648604052000, key: 'NW1' })}==`,
      ];
      for (const before of bad) {
        const err: unknown = await store.listItems({ limit: 10, before }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, before).toBeInstanceOf(InvalidCursorError);
        expect(err, before).toBeInstanceOf(FinewsError);
        expect(err).toMatchObject({ code: 'bad-cursor', kind: 'invalid-cursor', retryable: false });
      }
      // A well-formed cursor past every item is simply the end.
      expect(await store.listItems({ limit: 10, before: encodeCursor({ ms: 0, key: 'A' }) })).toEqual({
        items: [],
        next: null,
      });
    });
  });

  it('counts categories, dates each by its newest item and names its publisher, without all', async () => {
    expect(await store.listCategories()).toEqual([]);
    await store.saveItem(makeItem('NW-1', { categories: ['zhongguogongyebao', 'industry'], publishedAt: '2022-03-30T09:34:12+08:00' }));
    await store.saveItem(
      makeItem('NW-2', { publisher: '证券时报', categories: ['zhengquanshibao', 'industry'], publishedAt: '2022-03-31T10:00:00+08:00' }),
    );
    await store.saveItem(makeItem('NW-3', { categories: ['zhongguogongyebao'], publishedAt: '2022-03-29T01:00:00Z' }));

    const categories = await store.listCategories();
    expect([...categories].sort((a, b) => a.slug.localeCompare(b.slug))).toEqual([
      // Not a publisher's category: its newest item belongs to 证券时报's.
      { slug: 'industry', count: 2, updated: '2022-03-31T10:00:00+08:00' },
      { slug: 'zhengquanshibao', count: 1, updated: '2022-03-31T10:00:00+08:00', publisher: '证券时报' },
      { slug: 'zhongguogongyebao', count: 2, updated: '2022-03-30T09:34:12+08:00', publisher: '中国工业报' },
    ]);
  });

  describe('category facts', () => {
    const bySlug = (list: Awaited<ReturnType<Store['listCategories']>>) => [...list].sort((a, b) => a.slug.localeCompare(b.slug));

    it('follow a claim that merges categories into a stored item, and a newer item after it', async () => {
      // Saved without categories of its own: the first category a claim brings is its own.
      await store.saveItem(makeItem('NW-m1', { publisher: '证券时报', categories: [], publishedAt: '2022-03-30T09:00:00+08:00' }));
      expect(await store.listCategories()).toEqual([]);
      await store.claim('NW-m1', 'stcn-finance', ['finance', 'markets']);
      expect(bySlug(await store.listCategories())).toEqual([
        { slug: 'finance', count: 1, updated: '2022-03-30T09:00:00+08:00', publisher: '证券时报' },
        { slug: 'markets', count: 1, updated: '2022-03-30T09:00:00+08:00' },
      ]);
      // Claiming again changes nothing; the count stays one per item.
      await store.claim('NW-m1', 'stcn-finance', ['finance']);
      await store.saveItem(makeItem('NW-m1', { publisher: '证券时报', categories: ['finance'], publishedAt: '2022-03-30T09:00:00+08:00' }));
      expect((await store.listCategories()).find((c) => c.slug === 'finance')?.count).toBe(1);

      // A newer item of another publisher takes the category's date and its title away.
      await store.saveItem(makeItem('NW-m2', { categories: ['zhongguogongyebao', 'finance'], publishedAt: '2022-03-30T10:00:00+08:00' }));
      expect((await store.listCategories()).find((c) => c.slug === 'finance')).toEqual({
        slug: 'finance',
        count: 2,
        updated: '2022-03-30T10:00:00+08:00',
      });
      // An older item changes neither.
      await store.saveItem(makeItem('NW-m0', { publisher: '证券时报', categories: ['finance'], publishedAt: '2022-03-29T10:00:00+08:00' }));
      expect((await store.listCategories()).find((c) => c.slug === 'finance')).toEqual({
        slug: 'finance',
        count: 3,
        updated: '2022-03-30T10:00:00+08:00',
      });
    });

    it('take the publisher of a re-saved newest item, and break equal dates by key', async () => {
      const at = '2022-03-30T09:00:00+08:00';
      await store.saveItem(makeItem('NW-b', { publisher: '中国工业报', categories: ['zhongguogongyebao'], publishedAt: at }));
      // Same instant, smaller key: older in the store's order, so not the newest.
      await store.saveItem(makeItem('NW-a', { publisher: '工业报', categories: ['zhongguogongyebao'], publishedAt: '2022-03-30T01:00:00Z' }));
      expect(await store.listCategories()).toEqual([{ slug: 'zhongguogongyebao', count: 2, updated: at, publisher: '中国工业报' }]);
      await store.saveItem(makeItem('NW-b', { publisher: '中国工业报社', categories: ['zhongguogongyebao'], publishedAt: at }));
      expect(await store.listCategories()).toEqual([{ slug: 'zhongguogongyebao', count: 2, updated: at, publisher: '中国工业报社' }]);
    });

    it('move to the next newest item when prune removes the newest, and forget emptied categories', async () => {
      const cutoff = new Date('2022-03-01T00:00:00Z');
      const longAgo = new Date('2000-01-01T00:00:00Z');
      // Older by date but stored recently: kept.
      await store.saveItem(
        makeItem('NW-p1', { publisher: '经济参考报', categories: ['industry'], publishedAt: '2022-01-01T08:00:00+08:00', storedAt: '2022-03-30T09:00:00+08:00' }),
      );
      // Newer by date, old by both: pruned, though it is the newest of both its categories.
      await store.saveItem(
        makeItem('NW-p2', { categories: ['zhongguogongyebao', 'industry'], publishedAt: '2022-01-02T08:00:00+08:00', storedAt: '2022-01-02T08:00:00+08:00' }),
      );
      expect(bySlug(await store.listCategories())).toEqual([
        { slug: 'industry', count: 2, updated: '2022-01-02T08:00:00+08:00' },
        { slug: 'zhongguogongyebao', count: 1, updated: '2022-01-02T08:00:00+08:00', publisher: '中国工业报' },
      ]);

      expect((await store.prune(cutoff, longAgo)).removed).toBe(1);
      expect(await store.listCategories()).toEqual([
        { slug: 'industry', count: 1, updated: '2022-01-01T08:00:00+08:00', publisher: '经济参考报' },
      ]);

      // Saving into a forgotten category starts it afresh.
      await store.saveItem(makeItem('NW-p3', { publishedAt: '2022-03-30T09:00:00+08:00' }));
      expect(bySlug(await store.listCategories())).toEqual([
        { slug: 'industry', count: 1, updated: '2022-01-01T08:00:00+08:00', publisher: '经济参考报' },
        { slug: 'zhongguogongyebao', count: 1, updated: '2022-03-30T09:00:00+08:00', publisher: '中国工业报' },
      ]);
    });
  });
}
