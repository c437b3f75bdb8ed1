import { Queue, type JobsOptions, type RedisOptions } from 'bullmq';
import type { ArticleJob } from '../pipeline/ports.js';
import { ARTICLE_RETRIES, PUBLISH_RETRIES, type RetryPolicy } from '../pipeline/retries.js';
import type { Logger } from '../util/log.js';
import { outageLog } from '../util/outage-log.js';

/** The three queues of Redis mode, by role. */
export const QUEUE_NAMES = ['refresh', 'article', 'publish'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** A source to poll. `force` polls even when the source's stored next run is in the future. */
export interface RefreshJobData {
  sourceId: string;
  force?: boolean;
}

/** One category to re-render. */
export interface PublishJobData {
  slug: string;
}

/** The three producer-side queues. */
export interface FinewsQueues {
  refresh: Queue<RefreshJobData>;
  article: Queue<ArticleJob>;
  publish: Queue<PublishJobData>;
}

export interface QueueConnectionOptions {
  /** e.g. redis://127.0.0.1:6379 */
  redisUrl: string;
  /** Prefix of every key finews writes, e.g. `finews:`; BullMQ's keys go under `<keyPrefix>bull`. */
  keyPrefix: string;
}

const HOUR_S = 60 * 60;

/** A retry policy as BullMQ job options: BullMQ's exponential backoff waits as `retryDelayMs` computes. */
function retryOptions(policy: RetryPolicy): Pick<JobsOptions, 'attempts' | 'backoff'> {
  return { attempts: policy.attempts, backoff: { type: 'exponential', delay: policy.delayMs, jitter: policy.jitter } };
}

/**
 * Articles: {@link ARTICLE_RETRIES}, as in embedded mode (the last attempt falls back to
 * feed content). Finished jobs are kept for inspection, bounded by count and age.
 */
export const ARTICLE_JOB_OPTIONS: JobsOptions = {
  ...retryOptions(ARTICLE_RETRIES),
  removeOnComplete: { count: 1000, age: 24 * HOUR_S },
  removeOnFail: { count: 5000, age: 7 * 24 * HOUR_S },
};

/** Refreshes never throw (refreshSource records failures and its own backoff), so one attempt. */
export const REFRESH_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 1000, age: 24 * HOUR_S },
  removeOnFail: { count: 1000, age: 7 * 24 * HOUR_S },
};

/**
 * A failed render (store hiccup) is retried per {@link PUBLISH_RETRIES}; one that fails
 * for good is asked for again later (startRedisWorkers).
 */
export const PUBLISH_JOB_OPTIONS: JobsOptions = {
  ...retryOptions(PUBLISH_RETRIES),
  removeOnComplete: { count: 200, age: 24 * HOUR_S },
  removeOnFail: { count: 1000, age: 7 * 24 * HOUR_S },
};

const DEFAULT_JOB_OPTIONS: Record<QueueName, JobsOptions> = {
  refresh: REFRESH_JOB_OPTIONS,
  article: ARTICLE_JOB_OPTIONS,
  publish: PUBLISH_JOB_OPTIONS,
};

/** Per queue, job options to use instead of the defaults above (attempts, backoff, retention). */
export type JobOptionsOverrides = Partial<Record<QueueName, JobsOptions>>;

/** BullMQ's key prefix under finews's own: `finews:` → `finews:bull`. */
export function queuePrefix(keyPrefix: string): string {
  return `${keyPrefix}bull`;
}

/**
 * Connection for producers (Queue): a command fails at once while Redis is down
 * instead of queueing in memory, so the caller (an HTTP request, a refresh) sees it.
 */
export function producerConnection(redisUrl: string): RedisOptions {
  return { url: redisUrl, maxRetriesPerRequest: 1, enableOfflineQueue: false };
}

/** Connection for workers: retries forever, as BullMQ's blocking commands require. */
export function workerConnection(redisUrl: string): RedisOptions {
  return { url: redisUrl, maxRetriesPerRequest: null };
}

/** Anything with BullMQ's `error` event: Queue, Worker, QueueEvents. */
export interface ErrorEmitter {
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * Logs `error` events of a BullMQ object (without a listener they would crash the process),
 * through the process's outage log: one line per backoff period while Redis is down.
 */
export function logErrors(emitter: ErrorEmitter, log: Logger, queue: QueueName): void {
  const outage = outageLog(log);
  emitter.on('error', (err: Error) => outage.error(err, { queue }, 'queue connection error'));
}

/** Opens the three queues for producing jobs, with finews's default job options. */
export function openQueues(opts: QueueConnectionOptions & { log: Logger; jobOptions?: JobOptionsOverrides }): FinewsQueues {
  const open = <T>(name: QueueName): Queue<T> => {
    const queue = new Queue<T>(name, {
      connection: producerConnection(opts.redisUrl),
      prefix: queuePrefix(opts.keyPrefix),
      defaultJobOptions: { ...DEFAULT_JOB_OPTIONS[name], ...opts.jobOptions?.[name] },
    });
    logErrors(queue, opts.log, name);
    return queue;
  };
  return { refresh: open<RefreshJobData>('refresh'), article: open<ArticleJob>('article'), publish: open<PublishJobData>('publish') };
}

/** Closes the queues' connections. */
export async function closeQueues(queues: FinewsQueues): Promise<void> {
  await Promise.all([queues.refresh.close(), queues.article.close(), queues.publish.close()]);
}
