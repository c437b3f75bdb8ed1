import PQueue from 'p-queue';
import type { Config } from '../domain.js';
import type { PipelineDeps } from '../pipeline/ports.js';
import { SOURCES_STATUS, wroteSourceState } from '../pipeline/publish.js';
import { refreshSource, type RefreshOutcome } from '../pipeline/refresh-source.js';

const RETRY_CRASHED_MS = 30_000;
const RETRY_HELD_MS = 15_000;

/**
 * Embedded mode's scheduler: one timer per enabled source, armed for the source's
 * stored nextRunAt (at once when never fetched or already due), re-armed after each
 * refresh. Refreshes run with bounded concurrency; politeness is the fetcher's job.
 */
export class SourceScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly refreshes: PQueue;
  private stopped = false;

  constructor(
    private readonly deps: PipelineDeps,
    opts: { concurrency?: number; onRefresh?: (outcome: RefreshOutcome) => void } = {},
  ) {
    this.refreshes = new PQueue({ concurrency: opts.concurrency ?? 4 });
    this.onRefresh = opts.onRefresh;
  }

  private readonly onRefresh: ((outcome: RefreshOutcome) => void) | undefined;

  /** Arms timers for every enabled source of `config`, dropping those no longer there. */
  async sync(config: Config): Promise<void> {
    const wanted = new Set(config.sources.filter((s) => s.enabled).map((s) => s.id));
    for (const [id, timer] of this.timers) {
      if (!wanted.has(id)) {
        clearTimeout(timer);
        this.timers.delete(id);
      }
    }
    for (const id of wanted) {
      if (!this.timers.has(id)) await this.arm(id);
    }
  }

  /** Clears every timer and waits for running refreshes (bounded by `timeoutMs`). */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.refreshes.clear();
    await Promise.race([this.refreshes.onIdle(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private async arm(sourceId: string, minDelayMs = 0): Promise<void> {
    if (this.stopped) return;
    let delay: number;
    try {
      const state = await this.deps.store.getSourceState(sourceId);
      const due = state?.nextRunAt ? Date.parse(state.nextRunAt) : 0;
      delay = Math.max(minDelayMs, due - this.deps.now().getTime());
    } catch (err) {
      this.deps.log.error({ err, sourceId }, 'cannot read source state; retrying in a minute');
      delay = 60_000;
    }
    // setTimeout holds at most ~24.8 days; a longer wait simply re-arms.
    const timer = setTimeout(() => void this.fire(sourceId), Math.min(delay, 2 ** 31 - 1));
    this.timers.set(sourceId, timer);
  }

  private async fire(sourceId: string): Promise<void> {
    // Held back after a crash, or while another process holds the source's refresh lease
    // (its nextRunAt is not updated yet, so arming by it would spin).
    let minDelayMs = 0;
    try {
      const outcome = await this.refreshes.add(() => refreshSource(this.deps, sourceId), { throwOnTimeout: true });
      if (outcome.status === 'skipped' && outcome.reason === 'already being refreshed') minDelayMs = RETRY_HELD_MS;
      // The home page shows every source's last poll.
      if (wroteSourceState(outcome)) await this.deps.jobs.requestPublish([SOURCES_STATUS]);
      this.onRefresh?.(outcome);
    } catch (err) {
      minDelayMs = RETRY_CRASHED_MS;
      this.deps.log.error({ err, sourceId }, 'source refresh crashed');
    }
    if (this.stopped || !this.timers.has(sourceId)) return;
    this.timers.delete(sourceId);
    const stillWanted = this.deps.config().sources.some((s) => s.id === sourceId && s.enabled);
    if (stillWanted) await this.arm(sourceId, minDelayMs);
  }
}
