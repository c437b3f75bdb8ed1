import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.js';
import { type ContractContext, type StoreFixture } from './helpers.js';

/** The leases block of the store contract. */
export function leaseContract(t: ContractContext): void {
  let fx: StoreFixture;
  let store: Store;
  beforeEach(() => {
    fx = t.fx;
    store = t.store;
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
}
