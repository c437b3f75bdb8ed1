import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Item } from '../../src/domain.js';
import { runMigration } from '../../src/store/sqlite-schema.js';

/**
 * Writes `items` straight into a new SQLite file at schema `version` (≤ 3, before the
 * category facts existed), in one transaction: a store as an older finews left it,
 * built in a second instead of one save per item. Opening it with the store migrates it.
 */
export function writeOldSqliteFile(file: string, items: Iterable<Item>, version = 3): void {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    for (let v = 1; v <= version; v++) runMigration(db, v);
    const insertItem = db.prepare('INSERT INTO items (key, published_ms, published_at, stored_ms, doc) VALUES (?, ?, ?, ?, ?)');
    const insertCategory = db.prepare('INSERT INTO item_categories (category, key, published_ms) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (const item of items) {
        const publishedMs = Date.parse(item.publishedAt);
        insertItem.run(item.key, publishedMs, item.publishedAt, Date.parse(item.storedAt), JSON.stringify(item));
        for (const c of item.categories) insertCategory.run(c, item.key, publishedMs);
      }
      db.pragma(`user_version = ${version}`);
    })();
  } finally {
    db.close();
  }
}
