import type { Database, Statement } from 'better-sqlite3';
import type { Item } from '../domain.js';
import { decodeItem } from './item-json.js';
import { categoryPublisher } from './category-facts.js';

/** A row of the `categories` table: what listing categories answers, kept on every write. */
export interface CategoryFactsRow {
  slug: string;
  count: number;
  updated: string;
  publisher: string | null;
}

interface NewestRow {
  key: string;
  published_ms: number;
  published_at: string;
  doc: string;
}

/** The statements of the category facts, by name (exported so tests can check their query plans). */
export const CATEGORY_FACTS_SQL = {
  // A new category, or a newer (or the same, re-saved) newest item of a known one.
  noteNewest: `INSERT INTO categories (slug, count, newest_ms, newest_key, updated, publisher) VALUES (?, 0, ?, ?, ?, ?)
    ON CONFLICT (slug) DO UPDATE SET newest_ms = excluded.newest_ms, newest_key = excluded.newest_key,
      updated = excluded.updated, publisher = excluded.publisher
    WHERE (excluded.newest_ms, excluded.newest_key) >= (categories.newest_ms, categories.newest_key)`,
  addCount: 'UPDATE categories SET count = count + ? WHERE slug = ?',
  newest: `SELECT c.key, c.published_ms, i.published_at, i.doc FROM item_categories c JOIN items i ON i.key = c.key
    WHERE c.category = ? ORDER BY c.published_ms DESC, c.key DESC LIMIT 1`,
  setNewest: 'UPDATE categories SET newest_ms = ?, newest_key = ?, updated = ?, publisher = ? WHERE slug = ?',
  drop: 'DELETE FROM categories WHERE slug = ?',
  list: 'SELECT slug, count, updated, publisher FROM categories WHERE count > 0 ORDER BY slug',
  // A full pass over the index: only for rebuild(), when a file is migrated.
  rebuildCounts: 'SELECT category, COUNT(*) AS n FROM item_categories GROUP BY category',
} as const;

/**
 * Keeps the SQLite store's per-category facts (item count, newest item, its publishedAt
 * and the publisher titling the category) in the `categories` table, inside the caller's
 * transaction. Every method costs a few index look-ups, however many items are stored.
 */
export class SqliteCategoryFacts {
  private readonly sql: {
    noteNewest: Statement<[string, number, string, string, string | null]>;
    addCount: Statement<[number, string]>;
    newest: Statement<[string], NewestRow>;
    setNewest: Statement<[number, string, string, string | null, string]>;
    drop: Statement<[string]>;
    list: Statement<[], CategoryFactsRow>;
    rebuildCounts: Statement<[], { category: string; n: number }>;
  };

  constructor(db: Database) {
    this.sql = {
      noteNewest: db.prepare(CATEGORY_FACTS_SQL.noteNewest),
      addCount: db.prepare(CATEGORY_FACTS_SQL.addCount),
      newest: db.prepare(CATEGORY_FACTS_SQL.newest),
      setNewest: db.prepare(CATEGORY_FACTS_SQL.setNewest),
      drop: db.prepare(CATEGORY_FACTS_SQL.drop),
      list: db.prepare(CATEGORY_FACTS_SQL.list),
      rebuildCounts: db.prepare(CATEGORY_FACTS_SQL.rebuildCounts),
    };
  }

  /**
   * Records that `item` (stored with `publishedMs`) is in `slug`; `added` when it was
   * not before, so the count grows. Call after the item and its index rows are written.
   */
  noteItem(slug: string, item: Item, publishedMs: number, added: boolean): void {
    this.sql.noteNewest.run(slug, publishedMs, item.key, item.publishedAt, categoryPublisher(item, slug) ?? null);
    if (added) this.sql.addCount.run(1, slug);
  }

  /**
   * Records that `removed` items left `slug` (after their rows are deleted): the count
   * shrinks, and the newest item is looked up again (one index seek). A category left
   * without items is forgotten.
   */
  noteRemoved(slug: string, removed: number): void {
    this.sql.addCount.run(-removed, slug);
    this.refreshNewest(slug);
  }

  /** Every category holding items, by slug. */
  list(): CategoryFactsRow[] {
    return this.sql.list.all();
  }

  /** Recomputes every category's facts from the items (a one-off pass, for migrating a file). */
  rebuild(): void {
    for (const { category, n } of this.sql.rebuildCounts.all()) {
      this.sql.noteNewest.run(category, 0, '', '', null);
      this.sql.addCount.run(n, category);
      this.refreshNewest(category);
    }
  }

  private refreshNewest(slug: string): void {
    const row = this.sql.newest.get(slug);
    if (!row) {
      this.sql.drop.run(slug);
      return;
    }
    const item = decodeItem(row.doc);
    this.sql.setNewest.run(row.published_ms, row.key, row.published_at, categoryPublisher(item, slug) ?? null, slug);
  }
}
