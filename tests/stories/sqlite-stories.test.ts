import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { SQLITE_STORY_SQL } from '../../src/store/sqlite-stories.js';
import type { Store } from '../../src/store/store.js';
import { storyIndexContract } from './story-index-contract.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'finews-stories-'));
  dirs.push(dir);
  return join(dir, 'finews.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

storyIndexContract('sqlite', async () => {
  const file = tempFile();
  const opened: Store[] = [openSqliteStore(file)];
  return {
    store: opened[0] as Store,
    async openAnother() {
      const store = openSqliteStore(file);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const store of opened) await store.close();
    },
  };
});

describe('sqlite story index', () => {
  it('looks candidates up through the band index, never by scanning entries', async () => {
    const file = tempFile();
    await openSqliteStore(file).close();
    const db = new Database(file, { readonly: true });
    const plan = (sql: string, ...args: unknown[]): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((p) => p.detail).join('; ');
    const byBand = plan(SQLITE_STORY_SQL.byBand, '0:0000000000000000', 0, 1);
    expect(byBand).toMatch(/SEARCH b USING PRIMARY KEY \(band=\? AND published_ms>\? AND published_ms<\?\)/);
    expect(byBand).not.toMatch(/SCAN/);
    expect(plan(SQLITE_STORY_SQL.members, 's')).toContain('USING COVERING INDEX story_entries_story');
    expect(plan(SQLITE_STORY_SQL.expired, 0, 10)).toContain('USING INDEX story_entries_expiry');
    db.close();
  });
});
