/**
 * How many feed items a process's refreshes claim, build and save at once, across all
 * of them. Refresh concurrency counts jobs, but a job's memory grows with its page: a
 * 500-item page with bodies is a few MB of strings, and several times that in garbage
 * (parse trees, sanitizing, the JSON of one store call) before it is saved. Bounding the
 * items in flight keeps the ingest's heap, and the native memory its buffers leave
 * behind, the same whether four small feeds or four large ones are due together, while
 * fetching and parsing still overlap.
 */
export class ItemBudget {
  private inUse = 0;
  private readonly waiting: Array<{ weight: number; start: () => void }> = [];

  /** @param capacity items in flight at once; a larger batch runs alone. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`item budget wants a positive integer, got ${capacity}`);
  }

  /**
   * Runs `work` once `items` of the budget are free (all of it when `items` exceeds it),
   * in the order asked, and frees them when it settles.
   */
  async run<T>(items: number, work: () => Promise<T>): Promise<T> {
    const weight = Math.min(this.capacity, Math.max(1, Math.ceil(items)));
    if (this.waiting.length > 0 || this.inUse + weight > this.capacity) {
      await new Promise<void>((start) => this.waiting.push({ weight, start }));
    } else this.inUse += weight;
    try {
      return await work();
    } finally {
      this.inUse -= weight;
      this.startWaiting();
    }
  }

  /** Items currently taken (for tests and metrics). */
  get taken(): number {
    return this.inUse;
  }

  private startWaiting(): void {
    // First come, first served: a large batch is not starved by smaller ones behind it.
    for (let next = this.waiting[0]; next !== undefined && this.inUse + next.weight <= this.capacity; next = this.waiting[0]) {
      this.waiting.shift();
      this.inUse += next.weight;
      next.start();
    }
  }
}

/**
 * Items a process's refreshes hold between claiming and saving, at once: two full
 * 500-item pages (the largest pages the bench and common sources send), so one page is
 * built while the other waits on the store; fetching and parsing the next pages overlap
 * both. One page at once left about the same native memory behind in trial runs (Redis
 * mode, 100,000 items) but ingested a quarter slower. A longer page's batches
 * (`ARTICLE_BATCH`) run alone.
 */
export const REFRESH_ITEMS_AT_ONCE = 1000;
