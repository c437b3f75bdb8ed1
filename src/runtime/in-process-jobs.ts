import PQueue from 'p-queue';
import { isRetryable } from '../errors.js';
import type { ArticleJob, Jobs, PipelineDeps } from '../pipeline/ports.js';
import { processArticle } from '../pipeline/process-article.js';
import { publishCategories } from '../pipeline/publish.js';

export interface InProcessJobsOptions {
  /** Articles processed at once. @defaultValue 4 */
  articleConcurrency?: number;
  /** Attempts per article before falling back to feed content. @defaultValue 5 */
  attempts?: number;
  /** First retry delay; doubled per attempt, ±50% jitter. @defaultValue 2000 */
  backoffMs?: number;
  /** Quiet time before a publish runs; a burst of saves renders each category once. @defaultValue 1000 */
  publishDebounceMs?: number;
  /** Longest a publish waits while saves keep arriving. @defaultValue 5000 */
  publishMaxWaitMs?: number;
}

/**
 * The Jobs port in one process (embedded mode and `finews once`): bounded article
 * concurrency with retries, and debounced publishing. Pending work lives in memory;
 * an item claimed but not yet stored when the process dies waits for the next
 * daemon's sweep of pending claims (requeuePending), which is why shutdown drains
 * (see close()).
 */
export class InProcessJobs implements Jobs {
  private readonly articles: PQueue;
  private readonly pendingKeys = new Set<string>();
  private readonly pendingSlugs = new Set<string>();
  private publishTimer: NodeJS.Timeout | undefined;
  private publishFirstAt = 0;
  private publishing: Promise<void> = Promise.resolve();
  /** Articles waiting for their next attempt, by key. */
  private readonly retries = new Map<string, { timer: NodeJS.Timeout; job: ArticleJob }>();
  private deps: PipelineDeps | undefined;
  private closed = false;

  constructor(private readonly opts: InProcessJobsOptions = {}) {
    this.articles = new PQueue({ concurrency: opts.articleConcurrency ?? 4 });
  }

  /** Binds the pipeline this runner executes (deps refer back to this Jobs, hence the late bind). */
  bind(deps: PipelineDeps): void {
    this.deps = deps;
  }

  async enqueueArticle(job: ArticleJob): Promise<void> {
    if (this.pendingKeys.has(job.key)) return;
    this.pendingKeys.add(job.key);
    this.runArticle(job, 1);
  }

  async requestPublish(categories: string[]): Promise<void> {
    if (categories.length === 0) return;
    for (const slug of categories) this.pendingSlugs.add(slug);
    const now = Date.now();
    if (this.publishTimer === undefined) this.publishFirstAt = now;
    clearTimeout(this.publishTimer);
    const debounce = this.opts.publishDebounceMs ?? 1000;
    const maxWait = this.opts.publishMaxWaitMs ?? 5000;
    const delay = Math.max(0, Math.min(debounce, this.publishFirstAt + maxWait - now));
    this.publishTimer = setTimeout(() => void this.flushPublish(), delay);
  }

  /** Resolves when no article is queued, running or waiting for a retry, and publishing is done. */
  async onIdle(): Promise<void> {
    for (;;) {
      await this.articles.onIdle();
      if (this.pendingKeys.size > 0) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (this.publishTimer !== undefined || this.pendingSlugs.size > 0) await this.flushPublish();
      await this.publishing;
      if (this.pendingKeys.size === 0 && this.articles.size === 0 && this.articles.pending === 0 && this.pendingSlugs.size === 0) return;
    }
  }

  /**
   * Shuts down: every queued or retrying article gets its final attempt now (falling
   * back to feed content rather than waiting out a backoff), and what changed is
   * published, within `timeoutMs`. Work still running then is abandoned; its claims
   * stay pending and the next process re-queues it.
   */
  async close(timeoutMs = 30_000): Promise<void> {
    this.closed = true;
    for (const [key, { timer, job }] of this.retries) {
      clearTimeout(timer);
      this.retries.delete(key);
      this.runArticle(job, Number.POSITIVE_INFINITY);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.onIdle(), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    clearTimeout(this.publishTimer);
    this.articles.clear();
    this.pendingKeys.clear();
  }

  private runArticle(job: ArticleJob, attempt: number): void {
    const attempts = this.opts.attempts ?? 5;
    const deps = this.requireDeps();
    const run = async (): Promise<void> => {
      try {
        await processArticle(deps, job, { finalAttempt: attempt >= attempts || this.closed });
        this.pendingKeys.delete(job.key);
      } catch (err) {
        const retryable = isRetryable(err);
        if (!retryable || attempt >= attempts || this.closed) {
          // processArticle stores from feed content on the final attempt; reaching here means
          // the store itself failed. Log it: the claim stays pending, and the sweep of
          // pending claims (or the next full poll of the source) queues the item again.
          deps.log.error({ err, key: job.key, sourceId: job.sourceId, url: job.item.link }, 'article failed');
          this.pendingKeys.delete(job.key);
          return;
        }
        const base = (this.opts.backoffMs ?? 2000) * 2 ** (attempt - 1);
        const delay = Math.round(base * (0.5 + Math.random()));
        deps.log.debug({ err, key: job.key, attempt, delay }, 'article will be retried');
        const timer = setTimeout(() => {
          this.retries.delete(job.key);
          this.runArticle(job, attempt + 1);
        }, delay);
        this.retries.set(job.key, { timer, job });
      }
    };
    // Articles waiting to run (queued or backing off), as Redis mode reports its queue.
    const sampleDepth = (): void => deps.metrics.queueDepth.set({ queue: 'article' }, this.articles.size + this.retries.size);
    void this.articles.add(run).finally(sampleDepth);
    sampleDepth();
  }

  private flushPublish(): Promise<void> {
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    const slugs = [...this.pendingSlugs];
    this.pendingSlugs.clear();
    if (slugs.length === 0) return this.publishing;
    const deps = this.requireDeps();
    this.publishing = this.publishing.then(() =>
      publishCategories(deps, slugs).catch((err: unknown) => deps.log.error({ err, slugs }, 'publish failed')),
    );
    return this.publishing;
  }

  private requireDeps(): PipelineDeps {
    if (!this.deps) throw new Error('InProcessJobs used before bind()');
    return this.deps;
  }
}
