import type { ArticleJob, Jobs } from '../pipeline/ports.js';
import type { FinewsQueues } from './queues.js';

const LIVE_STATES = new Set<string>(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export interface BullmqJobsOptions {
  /**
   * How long a publish request waits before it runs. Requests for a slug arriving
   * meanwhile join it, so a burst of saves renders each category about once.
   * @defaultValue 1500
   */
  publishDelayMs?: number;
}

/**
 * The Jobs port on BullMQ (Redis mode).
 *
 * Articles are keyed by their item key as job id, so a second enqueue of a key
 * whose job is still waiting, delayed or running is dropped by BullMQ. A key whose
 * job failed for good (out of attempts, or stalled too often: its workers died on it)
 * is queued for one more run, as its final attempt: a page that fails again then
 * leaves the item stored from its feed content rather than not at all.
 *
 * Publishing is throttled per slug with BullMQ deduplication (id = slug,
 * `keepLastIfActive`): the first request adds a job delayed by `publishDelayMs`;
 * requests while it waits join it; requests while it renders leave exactly one
 * follow-up job, created when the render ends. So a category is never rendered
 * twice at once, a save during a render is never lost, and a steady stream of
 * saves still renders every ~`publishDelayMs` (a debounce that resets on every
 * request could postpone it indefinitely).
 */
export class BullmqJobs implements Jobs {
  private readonly publishDelayMs: number;

  constructor(
    readonly queues: FinewsQueues,
    opts: BullmqJobsOptions = {},
  ) {
    this.publishDelayMs = opts.publishDelayMs ?? 1500;
  }

  async enqueueArticle(job: ArticleJob): Promise<void> {
    await this.enqueueArticles([job]);
  }

  /**
   * Queues a feed's articles with one `addBulk`, each job id its key, so BullMQ drops a
   * key whose job already exists. The states of the keys are read first, all at once: a
   * key whose job is live is left out, a finished one is removed (and a failed one given
   * its final attempt) as {@link enqueueArticle} does.
   */
  async enqueueArticles(jobs: readonly ArticleJob[]): Promise<void> {
    const { article } = this.queues;
    const unique = [...new Map(jobs.map((job) => [job.key, job])).values()];
    if (unique.length === 0) return;
    const states = await Promise.all(unique.map((job) => article.getJobState(job.key)));
    const finished = unique.filter((_, i) => states[i] === 'completed' || states[i] === 'failed');
    await Promise.all(finished.map((job) => article.remove(job.key)));
    const toAdd = unique.flatMap((job, i) => {
      const state = states[i] as string;
      if (LIVE_STATES.has(state)) return [];
      return [{ name: 'article', data: job, opts: { jobId: job.key, ...(state === 'failed' ? { attempts: 1 } : {}) } }];
    });
    if (toAdd.length > 0) await article.addBulk(toAdd);
  }

  async requestPublish(categories: string[]): Promise<void> {
    const slugs = [...new Set(categories)];
    if (slugs.length === 0) return;
    await this.queues.publish.addBulk(
      slugs.map((slug) => ({
        name: 'publish',
        data: { slug },
        opts: { delay: this.publishDelayMs, deduplication: { id: slug, keepLastIfActive: true } },
      })),
    );
  }

  /** Queues a refresh of one source now (`force` ignores its stored next run time). */
  async enqueueRefresh(sourceId: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.queues.refresh.add('refresh', { sourceId, ...(opts.force ? { force: true } : {}) });
  }
}
