import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../domain.js';
import { FinewsError } from '../errors.js';
import { createHttpClient } from '../fetch/fetcher.js';
import { DocumentCache } from '../http/document-cache.js';
import { createMetrics, type Metrics } from '../metrics.js';
import type { Fetcher, HostLimiter, Jobs, PipelineDeps } from '../pipeline/ports.js';
import { MemoryHostLimiter } from '../politeness/memory-limiter.js';
import { createPoliteFetcher } from '../politeness/polite-fetcher.js';
import type { BullmqJobsOptions } from '../queue/bullmq-jobs.js';
import type { JobOptionsOverrides } from '../queue/queues.js';
import type { RedisWorkersOptions } from '../queue/redis-runtime.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/log.js';
import { outageLog } from '../util/outage-log.js';
import { InProcessJobs, pipelineProcessors, type InProcessJobsOptions } from './in-process-jobs.js';
import type { RuntimeOptions } from './options.js';
import { startPendingSweep } from './pending-sweep.js';
import { Readiness } from './readiness.js';
import { SourceScheduler } from './source-scheduler.js';

/** What composing needs of the runtime options: which adapter for each port, and where they keep their data. */
export type ComposeOptions = Pick<RuntimeOptions, 'store' | 'limiter' | 'jobs' | 'redisUrl' | 'redisPrefix' | 'dataDir' | 'jobLockMs' | 'servePollMs'>;

/** Settings a command or test gives an adapter beyond the options. */
export interface ComposeTuning {
  /** @defaultValue a registry with Node's default metrics */
  metrics?: Metrics;
  /** In-process jobs (debounce, concurrency, retries). */
  inProcess?: Omit<InProcessJobsOptions, 'log' | 'metrics'>;
  /** BullMQ producers (publish delay, job options). */
  bullmq?: BullmqJobsOptions & { jobOptions?: JobOptionsOverrides };
  /** BullMQ workers (concurrency, stalled checks). */
  workers?: Pick<RedisWorkersOptions, 'concurrency' | 'sampleEveryMs' | 'maxStalledCount' | 'closeTimeoutMs' | 'publishAgainAfterMs'>;
}

/** Stops what was started, within the time left of a shared shutdown deadline. */
export type Stop = (remainingMs: number) => Promise<void>;

/** Source polling on each source's schedule. */
export interface Scheduling {
  /** Applies a (reloaded) config: sources added, re-timed, removed. */
  sync(config: Config): Promise<void>;
  stop: Stop;
}

/** Store, politeness, fetcher and jobs, each from its own choice in the options, and the roles built on them. */
export interface Composition {
  log: Logger;
  metrics: Metrics;
  /** `redis` when any port is on Redis; for logs. */
  mode: 'redis' | 'embedded';
  config(): Config;
  setConfig(config: Config): void;
  store: Store;
  /** Present when a port is on Redis; owned by the composition. */
  redis?: Redis;
  limiter: HostLimiter;
  fetcher: Fetcher;
  /** Where use cases put follow-up work. */
  jobs: Jobs;
  /** The deps the use cases run on: this composition's store, fetcher and jobs. */
  deps: PipelineDeps;
  /** The same deps around another Jobs sink. */
  pipeline(jobs: Jobs): PipelineDeps;
  /**
   * Runs queued work in this process (BullMQ workers; in-process jobs run as they are
   * queued), and sweeps pending claims: at once for everything handed out before, then
   * every job lock for work out longer than that. The same in every mode, so claimed work
   * whose job was lost (a killed process, a failed enqueue) is queued again whatever the
   * source answers.
   */
  startWorkers(): Promise<Stop>;
  /** Starts polling every enabled source of `config` on its schedule. */
  startScheduler(config: Config): Promise<Scheduling>;
  /** Resolves when no queued work is left (BullMQ: false after `timeoutMs`). */
  onIdle(timeoutMs?: number): Promise<boolean>;
  /** The queue dashboard, when the jobs are on queues that have one. */
  dashboard?: FastifyPluginAsync;
  /**
   * The rendered documents this process serves from memory, made on first call (only a
   * process that serves holds them); from then on publishing in this process hands every
   * document it stores to it.
   */
  documents(): DocumentCache;
  /** Store (and Redis) reachable, its file intact, and publishing not failing. */
  ready(): Promise<void>;
  /** Drains and closes jobs, then politeness, fetcher, store and Redis. */
  close(remainingMs?: number): Promise<void>;
}

// Redis-mode modules (ioredis, BullMQ, the queue dashboard, the Redis store and limiter) are
// imported when a port is on Redis, not at load: an embedded daemon never runs them, and
// loading them kept ~9 MB of heap and their compiled code resident for nothing.

/** BullMQ's lock duration; the sweep of pending claims runs as often. */
const DEFAULT_JOB_LOCK_MS = 30_000;
/** How long close() lets in-process work finish when no deadline is given. */
const DEFAULT_CLOSE_MS = 30_000;

/**
 * Connects to Redis, or fails at once with one line naming the (redacted) URL and what
 * to do; errors while connecting are logged at debug level only.
 */
async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const { Redis: RedisClient } = await import('ioredis');
  const redis = new RedisClient(url, { maxRetriesPerRequest: 3, lazyConnect: true });
  let connected = false;
  let firstError: Error | undefined;
  const outage = outageLog(log);
  redis.on('ready', () => outage.recovered());
  redis.on('error', (err: Error) => {
    if (connected) outage.error(err, {}, 'redis connection error');
    else {
      firstError ??= err;
      log.debug({ err }, 'redis connection error');
    }
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const reason = (firstError ?? (err instanceof Error ? err : new Error(String(err)))).message;
    throw new FinewsError(
      'store-unavailable',
      `Redis at ${redactedUrl(url)} is not reachable (${reason}): start it, or leave REDIS_URL and --redis unset to run embedded`,
      { cause: err },
    );
  }
  connected = true;
  return redis;
}

function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return '(invalid URL)';
  }
}

/** The SQLite database of embedded mode in `dataDir`. */
export function sqlitePath(dataDir: string): string {
  return path.join(dataDir, 'finews.db');
}

/**
 * The one composition of finews: opens the store, host limiter and jobs the options
 * choose (each on its own: `once` runs in-process jobs on a Redis store), the polite
 * fetcher over the limiter, and the use cases' deps on them.
 */
export async function compose(options: ComposeOptions, config: Config, log: Logger, tuning: ComposeTuning = {}): Promise<Composition> {
  const metrics = tuning.metrics ?? createMetrics({ withDefaults: true });
  let current = config;
  // A getter, so a reloaded politeness block applies to the next request.
  const politeness = (): Config['politeness'] => current.politeness;
  const needsRedis = options.store === 'redis' || options.limiter === 'redis' || options.jobs === 'bullmq';
  const redisUrl = needsRedis ? requireRedisUrl(options) : undefined;
  const redis = redisUrl === undefined ? undefined : await connectRedis(redisUrl, log);

  const store = await openStore(options, redis, log);
  const limiter =
    options.limiter === 'redis' && redis
      ? new (await import('../politeness/redis-limiter.js')).RedisHostLimiter(redis, { prefix: options.redisPrefix, politeness })
      : new MemoryHostLimiter(politeness);
  const http = createHttpClient();
  const fetcher = createPoliteFetcher(limiter, http.fetchUrl, { log });
  const readiness = new Readiness(log);
  let documents: DocumentCache | undefined;
  const pipeline = (jobs: Jobs): PipelineDeps => ({
    config: () => current,
    store,
    fetcher,
    jobs,
    log,
    metrics,
    now: () => new Date(),
    health: readiness,
    // A getter: deps built before this process started serving reach the cache too.
    get documents() {
      return documents;
    },
  });
  const adapter = await openJobs(options, redisUrl, pipeline, { log, metrics, tuning });
  const deps = pipeline(adapter.jobs);
  const lockMs = options.jobLockMs ?? DEFAULT_JOB_LOCK_MS;

  return {
    log,
    metrics,
    mode: redis ? 'redis' : 'embedded',
    config: () => current,
    setConfig: (c) => {
      current = c;
    },
    store,
    redis,
    limiter,
    fetcher,
    jobs: adapter.jobs,
    deps,
    pipeline,
    startWorkers: async () => {
      const startedAt = deps.now();
      const stopWorkers = await adapter.startWorkers(deps);
      // Nothing handed out before this process started can be in its memory, and the Jobs
      // port drops a key whose job is still live elsewhere: the first sweep need not wait.
      const sweep = startPendingSweep(deps, { everyMs: lockMs, firstOlderThan: startedAt });
      return async (remainingMs) => {
        await sweep.stop();
        await stopWorkers(remainingMs);
      };
    },
    startScheduler: (c) => adapter.startScheduler(deps, c),
    onIdle: (timeoutMs) => adapter.onIdle(timeoutMs),
    dashboard: adapter.dashboard,
    documents: () => (documents ??= new DocumentCache(store, { log, pollMs: options.servePollMs })),
    ready: async () => {
      await store.ping();
      readiness.check();
    },
    close: async (remainingMs = DEFAULT_CLOSE_MS) => {
      await adapter.close(remainingMs);
      await limiter.close?.();
      await http.close();
      await store.close();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function requireRedisUrl(options: ComposeOptions): string {
  if (options.redisUrl) return options.redisUrl;
  const on = [options.store === 'redis' && 'store', options.limiter === 'redis' && 'limiter', options.jobs === 'bullmq' && 'jobs'].filter(Boolean).join(', ');
  throw new FinewsError('config-invalid', `no Redis URL for the ${on} on Redis: set REDIS_URL or pass --redis URL`);
}

async function openStore(options: ComposeOptions, redis: Redis | undefined, log: Logger): Promise<Store> {
  switch (options.store) {
    case 'redis': {
      if (!redis) throw new Error('Redis store without a connection');
      const { createRedisStore } = await import('../store/redis.js');
      return createRedisStore({ redis, prefix: options.redisPrefix, log });
    }
    case 'sqlite':
      mkdirSync(options.dataDir, { recursive: true });
      return openSqliteStore(sqlitePath(options.dataDir), { log });
  }
}

/** A Jobs port with what runs its work and schedules refreshes. */
interface JobsAdapter {
  jobs: Jobs;
  startWorkers(deps: PipelineDeps): Promise<Stop>;
  startScheduler(deps: PipelineDeps, config: Config): Promise<Scheduling>;
  onIdle(timeoutMs?: number): Promise<boolean>;
  dashboard?: FastifyPluginAsync;
  close(remainingMs: number): Promise<void>;
}

async function openJobs(
  options: ComposeOptions,
  redisUrl: string | undefined,
  pipeline: (jobs: Jobs) => PipelineDeps,
  ctx: { log: Logger; metrics: Metrics; tuning: ComposeTuning },
): Promise<JobsAdapter> {
  const { log, metrics, tuning } = ctx;
  if (options.jobs === 'bullmq' && redisUrl !== undefined) {
    const [{ createRedisJobs, drainIdle, startRedisWorkers }, { syncSchedulers }, { queueDashboard }] = await Promise.all([
      import('../queue/redis-runtime.js'),
      import('../queue/schedulers.js'),
      import('./queue-dashboard.js'),
    ]);
    const connection = { redisUrl, keyPrefix: options.redisPrefix };
    const redisJobs = await createRedisJobs({ ...connection, log, ...tuning.bullmq });
    const { queues } = redisJobs;
    return {
      jobs: redisJobs.jobs,
      startWorkers: async (deps) => {
        const workers = await startRedisWorkers(deps, {
          ...connection,
          queues,
          lockDurationMs: options.jobLockMs,
          stalledIntervalMs: options.jobLockMs,
          ...tuning.workers,
        });
        return (remainingMs) => workers.close(remainingMs);
      },
      startScheduler: async (_deps, config) => {
        await syncSchedulers(queues.refresh, config, log);
        return { sync: async (c) => void (await syncSchedulers(queues.refresh, c, log)), stop: async () => undefined };
      },
      onIdle: (timeoutMs = DEFAULT_CLOSE_MS) => drainIdle(queues, timeoutMs),
      dashboard: queueDashboard(Object.values(queues)),
      close: () => redisJobs.close(),
    };
  }
  const jobs = new InProcessJobs(pipelineProcessors(pipeline), { log, metrics, ...tuning.inProcess });
  return {
    jobs,
    // In-process jobs run as they are queued.
    startWorkers: async () => async () => undefined,
    startScheduler: async (deps, config) => {
      const scheduler = new SourceScheduler(deps);
      await scheduler.sync(config);
      return { sync: (c) => scheduler.sync(c), stop: (remainingMs) => scheduler.stop(remainingMs) };
    },
    onIdle: async () => {
      await jobs.onIdle();
      return true;
    },
    close: (remainingMs) => jobs.close(remainingMs),
  };
}
