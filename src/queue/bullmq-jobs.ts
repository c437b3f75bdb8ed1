import { randomUUID } from 'node:crypto';
import type { ArticleJob, Jobs } from '../pipeline/ports.js';
import type { Logger } from '../util/log.js';
import type { FinewsQueues } from './queues.js';

const LIVE_STATES = new Set<string>(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export interface BullmqJobsOptions {
  /**
   * How long the first publish request for a quiet slug waits before it renders.
   * Requests for the slug arriving meanwhile join it.
   * @defaultValue 1500
   */
  publishDelayMs?: number;
  /**
   * While requests for a slug keep coming (the previous one from this process was less
   * than this long ago), each render waits this long instead: a burst of saves renders
   * each category about once per interval, and a save is published at most this long
   * plus two renders after it.
   * @defaultValue 5000 (never below `publishDelayMs`)
   */
  publishIntervalMs?: number;
  /** Where a failed look-up of a pending publish job is reported. */
  log?: Logger;
}

/**
 * A request made this close to the start of a render of ours is sent to Redis even
 * though that render is not due yet, so a worker whose clock runs ahead cannot start
 * it before the save the request is for.
 */
const COVER_MARGIN_MS = 500;

/**
 * Slugs held before the first sweep of those whose records no longer change anything.
 * Publisher slugs come from the articles, so without sweeps a long-running process
 * would keep one record per publisher it ever saw.
 */
const SWEEP_AT_SLUGS = 1000;

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
 * `keepLastIfActive`): the first request adds a delayed job; requests while it waits
 * join it; requests while it renders leave exactly one follow-up job, created when the
 * render ends and delayed again. So a category is never rendered twice at once, a save
 * during a render is never lost, and a steady stream of saves still renders (a
 * debounce that resets on every request could postpone it indefinitely). The delay is
 * `publishDelayMs` for a slug this process has not asked for lately, and
 * `publishIntervalMs` while its requests keep coming: a render is due at most
 * `publishIntervalMs` after any request, plus the render running when it came.
 *
 * A request for a slug whose delayed job is known to this process (it created it, or
 * looked it up after a request joined it) and not due within 500 ms is not sent at
 * all: that render has not read the store, so it will show the save the request is
 * for. Under a burst that spares most article jobs a round trip. (A job promoted by
 * hand, as from the queue dashboard, starts before it is due: saves made after it
 * started and before that process's next sent request wait for the next save's render.)
 */
export class BullmqJobs implements Jobs {
  private readonly publishDelayMs: number;
  private readonly publishIntervalMs: number;
  private readonly log: Logger | undefined;
  /** Per slug, when this process last asked for it to be published (epoch ms). */
  private readonly lastRequestAt = new Map<string, number>();
  /** Per slug, until when a publish job this process created is certainly not running yet (epoch ms). */
  private readonly coveredUntil = new Map<string, number>();
  /** Makes this process's publish job ids its own, so an add tells whether it created the job. */
  private readonly owner = randomUUID();
  private publishSeq = 0;
  private sweepAt = SWEEP_AT_SLUGS;

  constructor(
    readonly queues: FinewsQueues,
    opts: BullmqJobsOptions = {},
  ) {
    this.publishDelayMs = Math.max(0, opts.publishDelayMs ?? 1500);
    this.publishIntervalMs = Math.max(this.publishDelayMs, opts.publishIntervalMs ?? 5000);
    this.log = opts.log;
  }

  /**
   * Queues a feed's articles with one `addBulk`, each job id its key, so BullMQ drops a
   * key whose job already exists. The states of the keys are read first, all at once: a
   * key whose job is live is left out, one whose job has finished is removed and queued
   * anew (a failed one for its final attempt).
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
    const now = Date.now();
    this.forgetQuiet(now);
    const requests = [...new Set(categories)].flatMap((slug) => {
      const last = this.lastRequestAt.get(slug);
      this.lastRequestAt.set(slug, now);
      if ((this.coveredUntil.get(slug) ?? 0) > now) return [];
      const busy = last !== undefined && now - last < this.publishIntervalMs;
      return [{ slug, delay: busy ? this.publishIntervalMs : this.publishDelayMs, jobId: `publish-${this.owner}-${++this.publishSeq}` }];
    });
    if (requests.length === 0) return;
    const added = await this.queues.publish.addBulk(
      requests.map(({ slug, delay, jobId }) => ({
        name: 'publish',
        data: { slug },
        opts: { jobId, delay, deduplication: { id: slug, keepLastIfActive: true } },
      })),
    );
    requests.forEach(({ slug, delay, jobId }, i) => {
      const id = added[i]?.id;
      // Our id back means our job was created, delayed from `now`; any other is a job already there.
      if (id === jobId) this.cover(slug, now + delay);
      else if (id !== undefined) void this.learnDue(slug, id);
    });
  }

  /** Requests for `slug` are answered here until shortly before `dueMs`, when its render may start. */
  private cover(slug: string, dueMs: number): void {
    const until = dueMs - COVER_MARGIN_MS;
    if (until > Date.now()) this.coveredUntil.set(slug, until);
  }

  /**
   * Drops the records that act as no record: a request an interval old makes no slug
   * busy, a cover that ended covers nothing. Runs once the slugs held have doubled since
   * the last sweep, so its work per request stays constant.
   */
  private forgetQuiet(now: number): void {
    if (this.lastRequestAt.size + this.coveredUntil.size < this.sweepAt) return;
    for (const [slug, at] of this.lastRequestAt) if (now - at >= this.publishIntervalMs) this.lastRequestAt.delete(slug);
    for (const [slug, until] of this.coveredUntil) if (until <= now) this.coveredUntil.delete(slug);
    this.sweepAt = Math.max(SWEEP_AT_SLUGS, 2 * (this.lastRequestAt.size + this.coveredUntil.size));
  }

  /** Slugs this process holds request times or pending renders for (diagnostics, tests). */
  trackedSlugs(): number {
    return new Set([...this.lastRequestAt.keys(), ...this.coveredUntil.keys()]).size;
  }

  /**
   * Looks up when the job a request joined is due, off the caller's path: a job not
   * started yet covers this process's next requests for its slug as our own does. A
   * job already running covers nothing (the follow-up it leaves is looked up when a
   * request joins that one).
   */
  private async learnDue(slug: string, id: string): Promise<void> {
    try {
      const job = await this.queues.publish.getJob(id);
      if (job !== undefined && job.processedOn === undefined && job.delay > 0) this.cover(slug, job.timestamp + job.delay);
    } catch (err) {
      // Only an optimisation: the next request for the slug is sent and joins the job.
      this.log?.warn({ err, slug, jobId: id }, 'cannot look up the pending publish job a request joined; the next request is sent');
    }
  }

  /** Queues a refresh of one source now (`force` ignores its stored next run time). */
  async enqueueRefresh(sourceId: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.queues.refresh.add('refresh', { sourceId, ...(opts.force ? { force: true } : {}) });
  }
}
