import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FinewsError } from '../../src/errors.js';
import { InvalidCursorError, encodeCursor } from '../../src/store/cursor.js';
import type { Item } from '../../src/domain.js';
import type { PendingWork, RenderedDoc, SourceState, Store } from '../../src/store/store.js';
import { isoShanghai, makeItem, newestFirst, newsKey } from './items.js';

/** What a backend's test file hands the contract suite for each test. */
export interface StoreFixture {
  store: Store;
  /**
   * Opens another Store on the same data: a second connection to the same SQLite
   * file, or a new adapter object on the same Redis prefix. Closed by cleanup.
   */
  openAnother(): Promise<Store>;
  /** Closes every store opened and removes the test's data. */
  cleanup(): Promise<void>;
}

const BASE_MS = Date.parse('2022-03-30T01:34:12Z');

/** The article work a refresh records on a claim: a feed item of 中国工业报 as parsed. */
function workFor(key: string, sourceId = 'cinn-industry'): PendingWork {
  return {
    infoCode: key,
    sourceId,
    categories: ['industry'],
    feedTitle: '中国工业报 - 工业经济',
    item: {
      guid: key,
      link: `https://finance.eastmoney.com/a/${key.replace(/^NW/, '')}.html`,
      title: `工信部：一季度规模以上工业增加值同比增长6.5%（${key}）`,
      summary: '3月30日，工业和信息化部召开新闻发布会。',
      contentHtml: '<p>3月30日，工业和信息化部召开新闻发布会。</p>',
      categories: ['工业经济'],
      publishedAt: '2022-03-30T09:34:12+08:00',
    },
  };
}

const later = (ms: number): Date => new Date(Date.now() + ms);

/** All pages of a listing, following `next` to the end. */
async function allPages(store: Store, limit: number, category?: string): Promise<Item[]> {
  const out: Item[] = [];
  let before: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await store.listItems({ limit, before, ...(category === undefined ? {} : { category }) });
    out.push(...page.items);
    if (page.next === null) return out;
    before = page.next;
  }
  throw new Error('listing never ended');
}

function keysOf(items: Item[]): string[] {
  return items.map((i) => i.key);
}

/**
 * The one behaviour suite every Store adapter must pass. `make` builds a fresh,
 * empty store per test.
 */
export function storeContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`${name} store contract`, () => {
    let fx: StoreFixture;
    let store: Store;

    beforeEach(async () => {
      fx = await make();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
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

    it('round-trips source state and keeps items counted by claims', async () => {
      expect(await store.getSourceState('cinn-industry')).toBeNull();
      await store.claim(newsKey(13), 'cinn-industry', []);
      await store.claim(newsKey(14), 'cinn-industry', []);

      const state: SourceState = {
        id: 'cinn-industry',
        etag: '"5f2a-1648604052"',
        lastModified: 'Wed, 30 Mar 2022 01:34:12 GMT',
        lastFetchAt: '2022-03-30T09:35:00+08:00',
        lastStatus: 500,
        lastError: 'http-status: 500 from https://news.example.com/rss/industry.xml',
        consecutiveFailures: 3,
        nextRunAt: '2022-03-30T09:45:00+08:00',
        items: 999,
        warningCount: 14,
        warnings: ['record 3: no title; skipped', 'item 5: invalid date "2022-13-01"'],
      };
      await store.putSourceState(state);
      expect(await store.getSourceState('cinn-industry')).toEqual({ ...state, items: 2 });

      // A success clears the error: fields left out are gone.
      const ok: SourceState = { id: 'cinn-industry', lastFetchAt: '2022-03-30T09:45:01+08:00', lastStatus: 304, consecutiveFailures: 0, items: 0 };
      await store.putSourceState(ok);
      expect(await store.getSourceState('cinn-industry')).toEqual({ ...ok, items: 2 });

      await store.putSourceState({ id: 'a-first', consecutiveFailures: 0, items: 5 });
      expect(await store.listSourceStates()).toEqual([
        { id: 'a-first', consecutiveFailures: 0, items: 0 },
        { ...ok, items: 2 },
      ]);
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

    describe('leases', () => {
      it('lets one holder at a time take a lease, across store objects, until it is released', async () => {
        const other = await fx.openAnother();
        const token = await store.acquireLease('refresh:cinn-industry', 60_000);
        expect(token).toEqual(expect.any(String));
        expect(await other.acquireLease('refresh:cinn-industry', 60_000)).toBeNull();
        expect(await other.acquireLease('refresh:eastmoney-finance', 60_000)).toEqual(expect.any(String));
        // A stranger's token does not release it.
        await other.releaseLease('refresh:cinn-industry', 'not-the-token');
        expect(await other.acquireLease('refresh:cinn-industry', 60_000)).toBeNull();
        await store.releaseLease('refresh:cinn-industry', token ?? '');
        expect(await other.acquireLease('refresh:cinn-industry', 60_000)).toEqual(expect.any(String));
      });

      it('gives a lease back to the owner that already holds it (a retried job), and to no one else', async () => {
        expect(await store.acquireLease('refresh:caixin', 60_000, 'refresh-job:17')).toBe('refresh-job:17');
        expect(await store.acquireLease('refresh:caixin', 60_000, 'refresh-job:18')).toBeNull();
        expect(await store.acquireLease('refresh:caixin', 60_000)).toBeNull();
        expect(await store.acquireLease('refresh:caixin', 60_000, 'refresh-job:17')).toBe('refresh-job:17');
      });

      it('frees a lease whose holder never gave it back once its time is up', async () => {
        const lapsed = await store.acquireLease('refresh:stcn', 50);
        expect(lapsed).toEqual(expect.any(String));
        expect(await store.acquireLease('refresh:stcn', 50)).toBeNull();
        await new Promise((r) => setTimeout(r, 80));
        expect(await store.acquireLease('refresh:stcn', 60_000)).toEqual(expect.any(String));
        // The lapsed holder's late release does not free the new holder's lease.
        await store.releaseLease('refresh:stcn', lapsed ?? '');
        expect(await store.acquireLease('refresh:stcn', 60_000)).toBeNull();
      });
    });

    it('forgets a deleted rendered document, and deleting a missing one is harmless', async () => {
      const body = Buffer.from('<rss/>', 'utf8');
      const doc: RenderedDoc = { contentType: 'application/rss+xml; charset=utf-8', body, gzip: gzipSync(body), br: brotliCompressSync(body), etag: '"x"', lastModified: 'Wed, 30 Mar 2022 01:34:12 GMT' };
      await store.putRendered('feed:policy.xml', doc);
      await store.putRendered('feed:all.xml', doc);
      await store.deleteRendered('feed:policy.xml');
      await store.deleteRendered('feed:never-there.xml');
      expect(await store.getRendered('feed:policy.xml')).toBeNull();
      expect(await store.getRendered('feed:all.xml')).toEqual(doc);
    });

    it('keeps rendered documents byte for byte', async () => {
      const xml =
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>财经新闻聚合 · 中国工业报</title>' +
        '<item><title>工信部：一季度规模以上工业增加值同比增长6.5%</title></item></channel></rss>';
      const body = Buffer.from(xml, 'utf8');
      const doc: RenderedDoc = {
        contentType: 'application/rss+xml; charset=utf-8',
        body,
        gzip: gzipSync(body),
        br: brotliCompressSync(body),
        etag: '"a1b2c3"',
        lastModified: 'Wed, 30 Mar 2022 01:34:12 GMT',
      };
      await store.putRendered('feeds/zhongguogongyebao.xml', doc);
      const got = await store.getRendered('feeds/zhongguogongyebao.xml');
      expect(got).toEqual(doc);
      expect(got?.gzip.equals(doc.gzip)).toBe(true);
      expect(gunzipSync(got?.gzip ?? Buffer.alloc(0)).toString('utf8')).toBe(xml);

      // Every byte value survives, and a new render replaces the old.
      const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const replaced: RenderedDoc = { ...doc, body: allBytes, gzip: gzipSync(allBytes), br: Buffer.alloc(0), etag: '"d4"' };
      await store.putRendered('feeds/zhongguogongyebao.xml', replaced);
      expect(await store.getRendered('feeds/zhongguogongyebao.xml')).toEqual(replaced);
      expect(await store.getRendered('feeds/nosuch.xml')).toBeNull();
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
  });
}
