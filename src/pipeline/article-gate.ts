import PQueue from 'p-queue';
import type { Fetcher, PipelineDeps } from './ports.js';

/** Article pages (and article API bodies) a process fetches at once by default: the article concurrency. */
export const DEFAULT_ARTICLE_CONCURRENCY = 4;

/**
 * Article jobs a process holds per fetch permit. An article job is mostly waiting on its
 * page, but it also spends time the network does not see: taking the job, extracting
 * (a few ms of CPU), the story index and the save. With one job per permit that time
 * leaves a permit idle; with two, the next job is already fetching while one extracts
 * and saves, so the permits stay busy and the process stays near N pages per latency.
 */
const JOBS_PER_PERMIT = 2;

/**
 * What "article concurrency N" means in every mode: at most N article fetches in flight
 * per process (the gate), with {@link jobSlots} article jobs held at once around them. The
 * fetches still go through the host limiter, inside the gate: per-host concurrency and
 * spacing apply as before, and a permit is held while a fetch waits for its host's slot.
 */
export class ArticleFetchGate {
  readonly concurrency: number;
  private readonly permits: PQueue;

  constructor(concurrency = DEFAULT_ARTICLE_CONCURRENCY) {
    this.concurrency = Math.max(1, Math.floor(concurrency));
    this.permits = new PQueue({ concurrency: this.concurrency });
  }

  /** Article jobs a process runs at once for this concurrency. */
  get jobSlots(): number {
    return this.concurrency * JOBS_PER_PERMIT;
  }

  /** Article fetches holding a permit now. */
  get inFlight(): number {
    return this.permits.pending;
  }

  /** Article fetches waiting for a permit now. */
  get waiting(): number {
    return this.permits.size;
  }

  /** `inner` with every fetch waiting for a permit first (in order of asking) and freeing it when its body is read. */
  fetcher(inner: Fetcher): Fetcher {
    return {
      fetch: (req) => this.permits.add(() => inner.fetch(req), { throwOnTimeout: true }),
    };
  }

  /**
   * The same deps with their fetcher behind the gate, for article work. Property
   * descriptors are copied, so getters (the composition's `documents`) stay live.
   */
  deps(deps: PipelineDeps): PipelineDeps {
    const gated = this.fetcher(deps.fetcher);
    return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(deps), fetcher: { value: gated, enumerable: true } }) as PipelineDeps;
  }
}
