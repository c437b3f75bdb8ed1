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
   * Writes what a batch of item writes noted ({@link CategoryNotes}) that it is in each
   * category: per category one newest-item update and one count update, leaving the
   * table as an update per item would. Call after the items and their index rows are
   * written, before the transaction reads the table.
   */
  write(notes: CategoryNotes): void {
    for (const [slug, note] of notes.take()) {
      this.sql.noteNewest.run(slug, note.publishedMs, note.item.key, note.item.publishedAt, categoryPublisher(note.item, slug) ?? null);
      if (note.added > 0) this.sql.addCount.run(note.added, slug);
    }
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

interface CategoryNote {
  /** Items that joined the category in the batch. */
  added: number;
  /** The newest item noted, by (publishedMs, key); the last noted among equals. */
  item: Item;
  publishedMs: number;
}

/**
 * What a batch of item writes tells the category facts, gathered in memory so that a
 * page of 500 items costs one update per category instead of two per item and category.
 */
export class CategoryNotes {
  private notes = new Map<string, CategoryNote>();

  /**
   * Notes that `item` (stored with `publishedMs`) is in `slug`; `added` when it was not
   * before, so the count grows. Written by {@link SqliteCategoryFacts.write}.
   */
  note(slug: string, item: Item, publishedMs: number, added: boolean): void {
    const note = this.notes.get(slug);
    if (note === undefined) {
      this.notes.set(slug, { added: added ? 1 : 0, item, publishedMs });
      return;
    }
    if (added) note.added++;
    // The row keeps the greatest (published_ms, key), a later equal one replacing it, as the SQL does.
    if (publishedMs > note.publishedMs || (publishedMs === note.publishedMs && compareText(item.key, note.item.key) >= 0)) {
      note.item = item;
      note.publishedMs = publishedMs;
    }
  }

  /** The notes gathered so far, emptying the batch. */
  take(): Map<string, CategoryNote> {
    const out = this.notes;
    this.notes = new Map();
    return out;
  }
}

/** Orders keys as SQLite's BINARY collation does (UTF-8 bytes), which differs from UTF-16 order past the BMP. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
