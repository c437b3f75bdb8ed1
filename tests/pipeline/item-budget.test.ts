import { describe, expect, it } from 'vitest';
import { ItemBudget } from '../../src/pipeline/item-budget.js';

/** A task that records when it starts and ends only when released. */
function gate(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ItemBudget', () => {
  it('runs batches together only while their items fit, in the order asked', async () => {
    const budget = new ItemBudget(1000);
    const started: string[] = [];
    const gates = { a: gate(), b: gate(), c: gate(), d: gate() };
    const run = (name: keyof typeof gates, items: number): Promise<void> =>
      budget.run(items, async () => {
        started.push(name);
        await gates[name].promise;
      });
    const all = [run('a', 500), run('b', 500), run('c', 500), run('d', 100)];
    await turn();
    // Two pages of 500 fill it; the third waits, and the small one behind it waits its turn.
    expect(started).toEqual(['a', 'b']);
    expect(budget.taken).toBe(1000);
    gates.a.release();
    await turn();
    expect(started).toEqual(['a', 'b', 'c']);
    gates.b.release();
    await turn();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    gates.c.release();
    gates.d.release();
    await Promise.all(all);
    expect(budget.taken).toBe(0);
  });

  it('runs a batch larger than the budget alone, and frees its items when it fails', async () => {
    const budget = new ItemBudget(1000);
    const big = gate();
    const order: string[] = [];
    const first = budget.run(5000, async () => {
      order.push('big');
      await big.promise;
      throw new Error('store down');
    });
    const second = budget.run(10, async () => {
      order.push('small');
    });
    await turn();
    expect(order).toEqual(['big']);
    big.release();
    await expect(first).rejects.toThrow('store down');
    await second;
    expect(order).toEqual(['big', 'small']);
    expect(budget.taken).toBe(0);
  });

  it('refuses a budget that is not a positive integer', () => {
    expect(() => new ItemBudget(0)).toThrow(/positive integer/);
  });
});
