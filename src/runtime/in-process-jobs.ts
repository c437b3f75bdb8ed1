import PQueue from 'p-queue';
import { isRetryable } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { ArticleFetchGate, DEFAULT_ARTICLE_CONCURRENCY } from '../pipeline/article-gate.js';
import type { ArticleJob, Jobs, PipelineDeps } from '../pipeline/ports.js';
import { processArticle } from '../pipeline/process-article.js';
import { publishCategories } from '../pipeline/publish.js';
import { ARTICLE_RETRIES, PUBLISH_AGAIN_AFTER_MS, retryDelayMs, type RetryPolicy } from '../pipeline/retries.js';
import { silentLogger, type Logger } from '../util/log.js';

/** What a processor is handed besides its job: the runner's own Jobs port, for the work it causes. */
export interface InProcessRun {
  jobs: Jobs;
}

/**
 * The work {@link InProcessJobs} runs, as a BullMQ `Worker` takes a processor: one
 * function per kind of job.
 */
export interface InProcessProcessors {
  /**
   * Runs one article job; `finalAttempt` is true when no retry follows. A throw is retried
   * per the policy. Its fetches go through `gate`, which bounds them per process.
   */
  article(job: ArticleJob, run: InProcessRun & { finalAttempt: boolean; gate: ArticleFetchGate }): Promise<unknown>;
  /** Renders the given categories. */
  publish(slugs: string[], run: InProcessRun): Promise<unknown>;
}

/**
 * The processors of the use cases: `processArticle` and `publishCategories` on the deps
 * `depsFor` builds around the runner's Jobs port. The gated deps of article work are
 * built once per runner (its Jobs port and gate), not per job.
 */
export function pipelineProcessors(depsFor: (jobs: Jobs) => PipelineDeps): InProcessProcessors {
  const gated = new WeakMap<ArticleFetchGate, PipelineDeps>();
  const articleDeps = (jobs: Jobs, gate: ArticleFetchGate): PipelineDeps => {
    let deps = gated.get(gate);
    if (deps === undefined) gated.set(gate, (deps = gate.deps(depsFor(jobs))));
    return deps;
  };
  return {
    article: (job, { jobs, finalAttempt, gate }) => processArticle(articleDeps(jobs, gate), job, { finalAttempt }),
    publish: (slugs, { jobs }) => publishCategories(depsFor(jobs), slugs),
  };
}

export interface InProcessJobsOptions {
  /** Where failures are logged. @defaultValue a silent logger */
  log?: Logger;
  /** Receives the article queue's depth. */
  metrics?: Pick<Metrics, 'queueDepth'>;
  /**
   * Article fetches in flight at once, as in Redis mode; twice as many article jobs run
   * around them (src/pipeline/article-gate.ts). @defaultValue 4
   */
  articleConcurrency?: number;
  /**
   * Articles held at once (queued, running or waiting for a retry); enqueueing more waits
   * for room, so a refresh waits for article processing instead of piling up a pass's
   * items in memory. @defaultValue 32 × articleConcurrency
   */
  articleHighWater?: number;
  /** Attempts and backoff of article work. @defaultValue {@link ARTICLE_RETRIES}, as the article queue of Redis mode */
  retries?: RetryPolicy;
  /** Quiet time before a publish runs; a burst of saves renders each category once. @defaultValue 1000 */
  publishDebounceMs?: number;
  /** Longest a publish waits while saves keep arriving. @defaultValue 5000 */
  publishMaxWaitMs?: number;
  /** Categories whose render failed are asked for again this long after. @defaultValue {@link PUBLISH_AGAIN_AFTER_MS} */
  publishAgainAfterMs?: number;
  /**
   * Hold every publish asked for until {@link InProcessJobs.onIdle}, which renders what is
   * held in one run and throws when that render fails (nothing is asked for again later):
   * a pass run to completion (`finews once`) renders each category it changed once, at its
   * end, instead of every few seconds while its sources are still being stored.
   * @defaultValue false
   */
  holdPublishes?: boolean;
}

/**
 * The Jobs port in one process (embedded mode and `finews once`): bounded article
 * fetches (and twice as many article jobs around them) with retries, and debounced
 * publishing. Pending work lives in memory; an item claimed but not yet stored when
 * the process dies waits for the next daemon's sweep of pending claims
 * (requeuePending), which is why shutdown drains (see close()).
 */
export class InProcessJobs implements Jobs {
  /** Bounds the article fetches of every job this runner runs. */
  readonly articleGate: ArticleFetchGate;
  private readonly articles: PQueue;
  /** Keys held: queued, running or waiting for a retry. */
  private readonly pendingKeys = new Set<string>();
  private readonly highWater: number;
  /** Enqueuers waiting for room below the high-water mark. */
  private roomWaiters: (() => void)[] = [];
  private readonly pendingSlugs = new Set<string>();
  private publishTimer: NodeJS.Timeout | undefined;
  private publishFirstAt = 0;
  /** The publish run under way, if any; it takes every slug pending when it starts a render. */
  private publishRun: Promise<void> | undefined;
  /** Renders that failed, waiting to be asked for again. */
  private readonly publishAgain = new Set<NodeJS.Timeout>();
  /** Articles waiting for their next attempt, by key. */
  private readonly waiting = new Map<string, { timer: NodeJS.Timeout; job: ArticleJob }>();
  private closed = false;
  private readonly log: Logger;
  private readonly retries: RetryPolicy;

  constructor(
    private readonly processors: InProcessProcessors,
    private readonly opts: InProcessJobsOptions = {},
  ) {
    this.articleGate = new ArticleFetchGate(opts.articleConcurrency ?? DEFAULT_ARTICLE_CONCURRENCY);
    const { concurrency } = this.articleGate;
    this.articles = new PQueue({ concurrency: this.articleGate.jobSlots });
    // Deep enough that the workers never starve while the next source is fetched and
    // parsed (a 500-item feed parses in tens of ms, in which four fetches at a time get far
    // fewer than 128 article pages), shallow enough that what is held is a few hundred items'
    // feed content, not a whole pass of every source. (Items of sources that fetch
    // nothing are stored by their refresh and never held here.)
    this.highWater = Math.max(1, Math.floor(opts.articleHighWater ?? 32 * concurrency));
    this.log = opts.log ?? silentLogger();
    this.retries = opts.retries ?? ARTICLE_RETRIES;
  }

  /**
   * Queues each job whose key is not held already, waiting for room whenever the
   * high-water mark is reached. After close() nothing more is queued: those claims stay
   * pending and the next process's sweep queues them.
   */
  async enqueueArticles(jobs: readonly ArticleJob[]): Promise<void> {
    for (const job of jobs) {
      while (this.pendingKeys.size >= this.highWater && !this.closed && !this.pendingKeys.has(job.key)) {
        await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      }
      if (this.closed || this.pendingKeys.has(job.key)) continue;
      this.pendingKeys.add(job.key);
      this.runArticle(job, 1);
    }
  }

  /** Articles held now (queued, running or waiting for a retry); never above the high-water mark. */
  get held(): number {
    return this.pendingKeys.size;
  }

  /** Forgets a finished key and wakes the enqueuers waiting for room. */
  private release(key: string): void {
    this.pendingKeys.delete(key);
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  async requestPublish(categories: string[]): Promise<void> {
    if (categories.length === 0) return;
    for (const slug of categories) this.pendingSlugs.add(slug);
    if (this.opts.holdPublishes) return;
    const now = Date.now();
    if (this.publishTimer === undefined) this.publishFirstAt = now;
    clearTimeout(this.publishTimer);
    const debounce = this.opts.publishDebounceMs ?? 1000;
    const maxWait = this.opts.publishMaxWaitMs ?? 5000;
    const delay = Math.max(0, Math.min(debounce, this.publishFirstAt + maxWait - now));
    this.publishTimer = setTimeout(() => void this.flushPublish(), delay);
  }

  /**
   * Resolves when no article is queued, running or waiting for a retry, and publishing is
   * done. With `holdPublishes`, rejects when rendering what was held failed.
   */
  async onIdle(): Promise<void> {
    for (;;) {
      await this.articles.onIdle();
      if (this.pendingKeys.size > 0) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (this.publishTimer !== undefined || this.pendingSlugs.size > 0) await this.flushPublish();
      await this.publishRun;
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
    for (const [key, { timer, job }] of this.waiting) {
      clearTimeout(timer);
      this.waiting.delete(key);
      this.runArticle(job, Number.POSITIVE_INFINITY);
    }
    let timer: NodeJS.Timeout | undefined;
    const idle = this.onIdle().catch((err: unknown) => this.log.error({ err }, 'publish failed while closing'));
    await Promise.race([idle, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    clearTimeout(this.publishTimer);
    for (const timer of this.publishAgain) clearTimeout(timer);
    this.publishAgain.clear();
    this.articles.clear();
    this.pendingKeys.clear();
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  private runArticle(job: ArticleJob, attempt: number): void {
    const { attempts } = this.retries;
    const run = async (): Promise<void> => {
      try {
        await this.processors.article(job, { jobs: this, finalAttempt: attempt >= attempts || this.closed, gate: this.articleGate });
        this.release(job.key);
      } catch (err) {
        const retryable = isRetryable(err);
        if (!retryable || attempt >= attempts || this.closed) {
          // processArticle stores from feed content on the final attempt; reaching here means
          // the store itself failed. Log it: the claim stays pending, and the sweep of
          // pending claims (or the next full poll of the source) queues the item again.
          this.log.error({ err, key: job.key, sourceId: job.sourceId, url: job.item.link }, 'article failed');
          this.release(job.key);
          return;
        }
        const delay = retryDelayMs(this.retries, attempt);
        this.log.debug({ err, key: job.key, attempt, delay }, 'article will be retried');
        const timer = setTimeout(() => {
          this.waiting.delete(job.key);
          this.runArticle(job, attempt + 1);
        }, delay);
        this.waiting.set(job.key, { timer, job });
      }
    };
    // Articles waiting to run (queued or backing off), as Redis mode reports its queue.
    const sampleDepth = (): void => this.opts.metrics?.queueDepth.set({ queue: 'article' }, this.articles.size + this.waiting.size);
    void this.articles.add(run).finally(sampleDepth);
    sampleDepth();
  }

  /**
   * Starts publishing what is pending, or joins the run under way. One run at a time: slugs
   * asked for during a render wait for it to end and are then rendered together in one
   * more render, however many requests named them.
   */
  private flushPublish(): Promise<void> {
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    this.publishRun ??= this.runPublishes().finally(() => {
      this.publishRun = undefined;
    });
    return this.publishRun;
  }

  /** Asks for `slugs` again after `afterMs`, so the saves a failed render was to show are not left unpublished. */
  private publishLater(slugs: string[], afterMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.publishAgain.delete(timer);
      void this.requestPublish(slugs);
    }, afterMs);
    timer.unref();
    this.publishAgain.add(timer);
  }

  private async runPublishes(): Promise<void> {
    while (this.pendingSlugs.size > 0) {
      const slugs = [...this.pendingSlugs];
      this.pendingSlugs.clear();
      try {
        await this.processors.publish(slugs, { jobs: this });
      } catch (err) {
        // Whoever holds publishes waits in onIdle() for this render: it is told, and decides.
        if (this.opts.holdPublishes) throw err;
        const afterMs = this.opts.publishAgainAfterMs ?? PUBLISH_AGAIN_AFTER_MS;
        this.log.error({ err, slugs, afterMs }, 'publish failed; publishing these categories again later');
        this.publishLater(slugs, afterMs);
      }
    }
  }
}
