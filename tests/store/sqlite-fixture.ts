import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import type { FixtureOptions, StoreFixture } from './contract/helpers.js';

/** A fixture over the SQLite file `file`: every store opened on it closed by cleanup. */
export function sqliteFixture(file: string, opts: FixtureOptions = {}): StoreFixture {
  const opened: Store[] = [openSqliteStore(file, opts)];
  return {
    store: opened[0] as Store,
    async openAnother() {
      const store = openSqliteStore(file, opts);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const store of opened) await store.close();
    },
  };
}
