import { beforeEach, expect, it } from 'vitest';
import type { SourceState, Store } from '../../../src/store/store.js';
import { newsKey } from '../items.js';
import { type ContractContext } from './helpers.js';

/** The source state block of the store contract. */
export function sourceStateContract(t: ContractContext): void {
  let store: Store;
  beforeEach(() => {
    store = t.store;
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
}
