import { Worker, type Job, type Processor, type Queue } from 'bullmq';
import { ArticleFetchGate, DEFAULT_ARTICLE_CONCURRENCY } from '../pipeline/article-gate.js';
import type { PipelineDeps } from '../pipeline/ports.js';
import { PUBLISH_AGAIN_AFTER_MS } from '../pipeline/retries.js';
import type { Logger } from '../util/log.js';
import { outageLog } from '../util/outage-log.js';
import { BullmqJobs, type BullmqJobsOptions } from './bullmq-jobs.js';
import { articleProcessor, publishProcessor, refreshProcessor } from './processors.js';
import {
  closeQueues,
  logErrors,
  openQueues,
  QUEUE_NAMES,
  queuePrefix,
  workerConnection,
  type FinewsQueues,
  type JobOptionsOverrides,
  type QueueConnectionOptions,
  type QueueName,
} from './queues.js';

export interface RedisWorkersOptions extends QueueConnectionOptions {
  /**
   * Jobs run at once per queue and process, but for `article`: there it is the article
   * concurrency, page fetches in flight per process, and the worker holds twice as many
   * jobs (src/pipeline/article-gate.ts). @defaultValue refresh 4, article 4, publish 1
   */
  concurrency?: Partial<Record<QueueName, number>>;
  /** close() waits this long for running jobs, then abandons them to another worker. @defaultValue 30_000 */
  closeTimeoutMs?: number;
  /** Queues to sample depths from and to queue a failed publish again on (the producer's, when this process has them); else opened here. */
  queues?: FinewsQueues;
  /** How often `metrics.queueDepth` is refreshed. @defaultValue 5000 */
  sampleEveryMs?: number;
  /**
   * A running job's lock lasts this long unless renewed; a job whose worker died is
   * run again once its lock lapsed and a stalled check saw it.
   * @defaultValue BullMQ's 30_000
   */
  lockDurationMs?: number;
  /** How often each worker looks for stalled jobs. @defaultValue BullMQ's 30_000 */
  stalledIntervalMs?: number;
  /**
   * Times a job may stall (its worker died or froze past its lock) and still run again;
   * one more and it fails. @defaultValue article 3 (idempotent, and the sweep of pending
   * claims re-queues it after that anyway), refresh and publish BullMQ's 1
   */
  maxStalledCount?: Partial<Record<QueueName, number>>;
  /** A category whose publish job failed for good is asked for again this long after. @defaultValue {@link PUBLISH_AGAIN_AFTER_MS} */
  publishAgainAfterMs?: number;
}

export interface RedisWorkers {
  workers: Record<QueueName, Worker>;
  /** Stops taking jobs, lets running ones finish (bounded), closes connections. */
  /** @param timeoutMs overrides `closeTimeoutMs` (a caller's shared shutdown deadline). */
  close(timeoutMs?: number): Promise<void>;
}

const DEFAULT_CONCURRENCY: Record<QueueName, number> = { refresh: 4, article: DEFAULT_ARTICLE_CONCURRENCY, publish: 1 };
const DEFAULT_MAX_STALLED: Partial<Record<QueueName, number>> = { article: 3 };

/**
 * Starts the refresh, article and publish workers of one process (Redis mode). Any
 * number of processes may run them against one Redis. BullMQ's stalled-job check is
 * on, so the jobs of a worker that died without closing (kill -9) go back to the
 * queue within about two lock durations and another worker runs them. An article job
 * that stalls too often fails; its claim stays pending, and the sweep of pending
 * claims every process running workers runs (see compose) queues it again, as a final
 * attempt (BullmqJobs), so it ends stored, from its feed content if need be.
 */
export async function startRedisWorkers(deps: PipelineDeps, opts: RedisWorkersOptions): Promise<RedisWorkers> {
  const { log } = deps;
  const concurrency = { ...DEFAULT_CONCURRENCY, ...opts.concurrency };
  const maxStalled = { ...DEFAULT_MAX_STALLED, ...opts.maxStalledCount };
  const articleGate = new ArticleFetchGate(concurrency.article);
  const slots: Record<QueueName, number> = { ...concurrency, article: articleGate.jobSlots };
  const ownQueues = opts.queues === undefined;
  const queues = opts.queues ?? openQueues({ redisUrl: opts.redisUrl, keyPrefix: opts.keyPrefix, log });
  const start = <D, R>(name: QueueName, processor: Processor<D, R>): Worker<D, R> => {
    const worker = new Worker<D, R>(name, processor, {
      connection: workerConnection(opts.redisUrl),
      prefix: queuePrefix(opts.keyPrefix),
      concurrency: Math.max(1, slots[name]),
      ...(opts.lockDurationMs === undefined ? {} : { lockDuration: opts.lockDurationMs }),
      ...(opts.stalledIntervalMs === undefined ? {} : { stalledInterval: opts.stalledIntervalMs }),
      ...(maxStalled[name] === undefined ? {} : { maxStalledCount: maxStalled[name] }),
    });
    logErrors(worker, log, name);
    worker.on('failed', (job, err) => {
      const final = logFailure(log, name, job, err);
      if (final && name === 'publish') void publishAgainLater(queues, log, job, opts.publishAgainAfterMs ?? PUBLISH_AGAIN_AFTER_MS);
    });
    worker.on('stalled', (jobId) => log.warn({ queue: name, jobId }, 'job stalled (its worker stopped answering); it runs again'));
    return worker;
  };
  const workers = {
    refresh: start('refresh', refreshProcessor(deps)),
    article: start('article', articleProcessor(articleGate.deps(deps))),
    publish: start('publish', publishProcessor(deps)),
  } as unknown as Record<QueueName, Worker>;
  await Promise.all(QUEUE_NAMES.map((n) => workers[n].waitUntilReady()));

  const sample = async (): Promise<void> => {
    try {
      for (const name of QUEUE_NAMES) {
        const counts = await queues[name].getJobCounts('wait', 'prioritized');
        deps.metrics.queueDepth.set({ queue: name }, (counts.wait ?? 0) + (counts.prioritized ?? 0));
      }
    } catch (err) {
      outageLog(log).error(err, {}, 'cannot sample queue depth');
    }
  };
  void sample();
  const sampler = setInterval(() => void sample(), opts.sampleEveryMs ?? 5000);
  sampler.unref();

  return {
    workers,
    close: async (closeTimeoutMs?: number) => {
      clearInterval(sampler);
      const all = QUEUE_NAMES.map((n) => workers[n]);
      const timeoutMs = closeTimeoutMs ?? opts.closeTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        Promise.all(all.map((w) => w.close())).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!drained) {
        log.warn({ timeoutMs }, 'jobs still running at shutdown; their locks expire and another worker runs them');
        await Promise.all(all.map((w) => w.close(true)));
      }
      if (ownQueues) await closeQueues(queues);
    },
  };
}

/**
 * Asks again, `afterMs` from now, for the category of a publish job that failed for good,
 * so the saves it was to show are published without waiting for the category's next save.
 * Deduplicated by slug as every publish request is: a request already pending for it
 * renders them anyway.
 */
async function publishAgainLater(queues: FinewsQueues, log: Logger, job: Job | undefined, afterMs: number): Promise<void> {
  const data: unknown = job?.data;
  const slug = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).slug : undefined;
  if (typeof slug !== 'string') return;
  try {
    await queues.publish.add('publish', { slug }, { delay: afterMs, deduplication: { id: slug, keepLastIfActive: true } });
    log.warn({ slug, afterMs }, 'publishing the category again later');
  } catch (err) {
    log.error({ err, slug }, 'cannot queue the category for publishing again; its next save will');
  }
}

/** Logs a failed job; true when it fails for good (no attempt follows). */
function logFailure(log: Logger, queue: QueueName, job: Job | undefined, err: Error): boolean {
  const attempts = job?.opts.attempts ?? 1;
  const final = !job || job.attemptsMade >= attempts || err.name === 'UnrecoverableError';
  const data: unknown = job?.data;
  const about = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const item = typeof about.item === 'object' && about.item !== null ? (about.item as Record<string, unknown>) : {};
  const fields = {
    err,
    queue,
    jobId: job?.id,
    attemptsMade: job?.attemptsMade,
    attempts,
    sourceId: about.sourceId,
    key: about.key,
    slug: about.slug,
    url: item.link,
  };
  if (final) log.error(fields, 'job failed for good');
  else log.warn(fields, 'job failed; it will be retried');
  return final;
}

export interface RedisJobs {
  jobs: BullmqJobs;
  queues: FinewsQueues;
  close(): Promise<void>;
}

/** Opens the producer side of Redis mode: the three queues and the Jobs port on them. */
export async function createRedisJobs(
  opts: QueueConnectionOptions & BullmqJobsOptions & { log: Logger; jobOptions?: JobOptionsOverrides },
): Promise<RedisJobs> {
  const queues = openQueues(opts);
  await Promise.all(QUEUE_NAMES.map((n) => queues[n].waitUntilReady()));
  return { jobs: new BullmqJobs(queues, opts), queues, close: () => closeQueues(queues) };
}

/**
 * Waits until no queue holds work: nothing waiting, running or delayed (retries,
 * throttled publishes). The delayed next runs of source schedulers do not
 * count. Queues are checked in pipeline order (refresh, article, publish), since each
 * only feeds the next. Resolves true when idle, false after `timeoutMs`.
 */
export async function drainIdle(queues: FinewsQueues, timeoutMs: number, pollMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await allIdle(queues)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function allIdle(queues: FinewsQueues): Promise<boolean> {
  for (const name of QUEUE_NAMES) {
    if (!(await isIdle(queues[name] as Queue))) return false;
  }
  return true;
}

const LIVE_STATES = ['wait', 'active', 'prioritized', 'waiting-children'] as const;

async function isIdle(queue: Queue): Promise<boolean> {
  const { delayed = 0, ...live } = await queue.getJobCounts('delayed', ...LIVE_STATES);
  if (Object.values(live).some((n) => n > 0)) return false;
  if (delayed === 0) return true;
  // A scheduler always holds its next run as a delayed job; only other delayed jobs are work.
  const jobs = await queue.getDelayed(0, 999);
  if (jobs.some((job) => job.repeatJobKey === undefined || job.repeatJobKey === null)) return false;
  // A delayed job may have come due between the two reads above: look again.
  return Object.values(await queue.getJobCounts(...LIVE_STATES)).every((n) => n === 0);
}
