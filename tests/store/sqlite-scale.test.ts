/**
 * The SQLite store at a busy site's volume (issue: a quadratic category listing froze
 * the daemon). Work is bounded by query plan, not by timing: no statement the store
 * runs on a request path or on publish may scan all items.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../src/domain.js';
import { buildServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics.js';
import type { PipelineDeps } from '../../src/pipeline/ports.js';
import { publishCategories } from '../../src/pipeline/publish.js';
import { feedDocName } from '../../src/publish/doc-names.js';
import { categoryPublisher } from '../../src/store/category-facts.js';
import { CATEGORY_FACTS_SQL } from '../../src/store/sqlite-category-facts.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { openSqliteStore, SQLITE_STORE_SQL } from '../../src/store/sqlite.js';
import type { CategoryInfo, Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/log.js';
import { testConfig } from '../support/config.js';
import { writeOldSqliteFile } from './bulk.js';
import { LEGACY_CATEGORIES_SQL, legacyCategory } from './legacy-categories.js';
import { scaleItems } from './scale-items.js';

const ITEMS = 100_000;

/** What listCategories must answer for `items`, computed the slow, obvious way. */
function expectedCategories(items: Iterable<Item>): CategoryInfo[] {
  const byKey = new Map<string, { count: number; newest: Item }>();
  const newer = (a: Item, b: Item): boolean => {
    const am = Date.parse(a.publishedAt);
    const bm = Date.parse(b.publishedAt);
    return am !== bm ? am > bm : Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) > 0;
  };
  for (const item of items) {
    for (const slug of item.categories) {
      const seen = byKey.get(slug);
      if (!seen) byKey.set(slug, { count: 1, newest: item });
      else {
        seen.count++;
        if (newer(item, seen.newest)) seen.newest = item;
      }
    }
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map(([slug, { count, newest }]) => {
      const publisher = categoryPublisher(newest, slug);
      return { slug, count, updated: newest.publishedAt, ...(publisher ? { publisher } : {}) };
    });
}

/** The query plan of `sql` on `db`, one detail line per step. */
function planOf(db: Database.Database, sql: string): string[] {
  const params = (sql.match(/\?/g) ?? []).length;
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...new Array<null>(params).fill(null)) as { detail: string }[];
  return rows.map((r) => r.detail);
}

/** Plan steps that would visit every row of items or item_categories (or sort them all). */
function unboundedSteps(sql: string, plan: string[]): string[] {
  return plan.filter((step) => {
    if (/USE TEMP B-TREE FOR (ORDER BY|DISTINCT)/.test(step)) return true;
    const scan = /^SCAN (\S+)/.exec(step);
    if (!scan || !['items', 'item_categories', 'i', 'c', 'c2'].includes(scan[1] ?? '')) return false;
    // Walking an index in its order and stopping at LIMIT reads only the rows returned.
    return !(/USING (COVERING )?INDEX/.test(step) && /\bLIMIT\b/.test(sql));
  });
}

describe(`sqlite store with ${ITEMS.toLocaleString('en-US')} items`, () => {
  let dir: string;
  let file: string;
  let store: Store;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'finews-scale-'));
    file = join(dir, 'finews.db');
    // A file as schema 3 left it, written in one transaction; opening it migrates it.
    writeOldSqliteFile(file, scaleItems(ITEMS));
    store = openSqliteStore(file);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs no statement that scans every item, on any path but migrating', () => {
    const db = new Database(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const statements = { ...SQLITE_STORE_SQL, ...CATEGORY_FACTS_SQL } as Record<string, string>;
      delete statements.rebuildCounts; // one pass when a file is migrated, never again
      const offenders = Object.entries(statements)
        .map(([name, sql]) => ({ name, steps: unboundedSteps(sql, planOf(db, sql)) }))
        .filter((o) => o.steps.length > 0);
      expect(offenders).toEqual([]);
      // Listing categories reads the facts table: one row per category.
      expect(planOf(db, CATEGORY_FACTS_SQL.list)).toEqual(['SCAN categories']);
      // A category page walks that category's index from the newest and stops at the limit.
      expect(planOf(db, SQLITE_STORE_SQL.newestIn).join(' | ')).toMatch(
        /^SEARCH c USING COVERING INDEX item_categories_newest \(category=\?\) \| SEARCH i USING INDEX \S+ \(key=\?\)$/,
      );
      // The legacy listing, for contrast, visits item_categories once per row.
      expect(planOf(db, LEGACY_CATEGORIES_SQL).some((s) => /^SCAN (c|c2)\b/.test(s))).toBe(true);
    } finally {
      db.close();
    }
  });

  it('lists every category with its count, newest date and publisher after migrating', async () => {
    expect(await store.listCategories()).toEqual(expectedCategories(scaleItems(ITEMS)));
  });

  it('answers /api/categories and a category page from the facts', async () => {
    const config = testConfig([]);
    const app = buildServer({ config: () => config, store, metrics: createMetrics(), log: silentLogger(), ready: () => store.ping() });
    try {
      const res = await app.inject({ url: '/api/categories' });
      expect(res.statusCode).toBe(200);
      const listed = res.json<{ categories: { slug: string; count: number }[] }>().categories;
      expect(listed.find((c) => c.slug === 'gold')?.count).toBe(Math.ceil(ITEMS / 7));
      const page = await app.inject({ url: '/category/gold.html' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain([...scaleItems(1)][0]?.title);
    } finally {
      await app.close();
    }
  });

  it('publishes a category from its newest items', async () => {
    const config = testConfig([], { site: { ...testConfig([]).site, itemsPerFeed: 50 } });
    const deps: PipelineDeps = {
      config: () => config,
      store,
      fetcher: { fetch: () => Promise.reject(new Error('nothing is fetched here')) },
      jobs: { enqueueArticles: async () => undefined, requestPublish: async () => undefined },
      log: silentLogger(),
      metrics: createMetrics(),
      now: () => new Date('2026-12-01T00:00:00Z'),
    };
    await publishCategories(deps, ['gold', 'all']);
    const doc = await store.getRendered(feedDocName('gold', 'json'));
    const feed = JSON.parse(doc?.body.toString('utf8') ?? '{}') as { items?: { id: string }[] };
    const newestGold = [...scaleItems(350)].filter((i) => i.categories.includes('gold')).slice(0, 50);
    expect(feed.items).toHaveLength(50);
    expect(feed.items?.[0]?.id).toContain(newestGold[0]?.key ?? '-');
  });

  it('keeps the facts through saves, a merging claim and a prune of the oldest items', async () => {
    const newest: Item = { ...[...scaleItems(1)][0]!, key: 'NW999999999999', publisher: '财新', categories: ['caixin', 'gold'], publishedAt: '2026-12-01T08:00:00+08:00', storedAt: '2026-12-01T08:00:00+08:00' };
    await store.saveItem(newest);
    const merged = await store.claim(newest.key, 'stcn-finance', ['industry']);
    expect(merged.changedCategories).toContain('industry');

    const kept = ITEMS - 1_000;
    const oldestKept = [...scaleItems(1, kept - 1)][0]!;
    const pruned = await store.prune(new Date(Date.parse(oldestKept.publishedAt)), new Date(0));
    // Items sharing the oldest kept item's instant stay too.
    const survivors = [...scaleItems(ITEMS)].filter((i) => Date.parse(i.publishedAt) >= Date.parse(oldestKept.publishedAt));
    expect(pruned.removed).toBe(ITEMS - survivors.length);
    expect(await store.listCategories()).toEqual(
      expectedCategories([...survivors, { ...newest, categories: ['caixin', 'gold', 'industry'] }]),
    );
  });
});

describe('sqlite store upgrade', () => {
  it.each([2, 3])('opens a schema %i file and lists exactly what that schema listed', async (version) => {
    const dir = mkdtempSync(join(tmpdir(), 'finews-upgrade-'));
    try {
      const file = join(dir, 'finews.db');
      writeOldSqliteFile(file, scaleItems(600), version);
      const old = new Database(file, { readonly: true });
      const before = (old.prepare(LEGACY_CATEGORIES_SQL).all() as Parameters<typeof legacyCategory>[0][]).map(legacyCategory);
      old.close();
      expect(before.length).toBeGreaterThan(8);

      const store = openSqliteStore(file);
      expect(await store.listCategories()).toEqual(before);
      expect((await store.listItems({ category: 'gold', limit: 5 })).items).toHaveLength(5);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
