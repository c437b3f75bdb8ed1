import type { Jobs } from '../../src/pipeline/ports.js';
import type { Store } from '../../src/store/store.js';

/** Calls made through a port, by method name. */
export class CallCounts {
  private readonly counts = new Map<string, number>();

  note(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  /** Calls of `name` so far. */
  of(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  /** Every method called, with its count, by name. */
  all(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.counts.clear();
  }
}

/** The same object, with every method call counted by name (properties that are not functions pass through). */
function counted<T extends object>(target: T, counts: CallCounts): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        counts.note(prop);
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

/** A Store that counts every call made through it, one count per port call (a round trip or a transaction of the adapter). */
export function countingStore(store: Store): { store: Store; calls: CallCounts } {
  const calls = new CallCounts();
  return { store: counted(store, calls), calls };
}

/** A Jobs port that counts every call made through it. */
export function countingJobs(jobs: Jobs): { jobs: Jobs; calls: CallCounts } {
  const calls = new CallCounts();
  return { jobs: counted(jobs, calls), calls };
}

/** Store methods that write. */
export const STORE_WRITES = ['claim', 'claimMany', 'saveItem', 'saveItems', 'putRendered', 'deleteRendered', 'prune', 'takePendingClaims'] as const;
