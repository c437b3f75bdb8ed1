import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/store/store.js';
import type { ContractContext, MakeFixture, StoreFixture } from './contract/helpers.js';
import { itemsContract } from './contract/items.js';
import { leaseContract } from './contract/leases.js';
import { listingContract } from './contract/listing.js';
import { renderedContract } from './contract/rendered.js';
import { sourceStateContract } from './contract/source-state.js';

export type { FixtureOptions, MakeFixture, StoreFixture } from './contract/helpers.js';

/**
 * The one behaviour suite every Store adapter must pass, one block per concern of the
 * port (tests/store/contract/*.ts). `make` builds a fresh, empty store per test.
 */
export function storeContract(name: string, make: MakeFixture): void {
  describe(`${name} store contract`, () => {
    let fx: StoreFixture | undefined;
    const ctx: ContractContext = {
      get fx(): StoreFixture {
        if (!fx) throw new Error('no store fixture outside a test');
        return fx;
      },
      get store(): Store {
        return this.fx.store;
      },
      make,
    };

    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx?.cleanup();
      fx = undefined;
    });

    describe('items and claims', () => itemsContract(ctx));
    describe('listing', () => listingContract(ctx));
    describe('source state', () => sourceStateContract(ctx));
    describe('rendered documents', () => renderedContract(ctx));
    describe('leases', () => leaseContract(ctx));
  });
}
