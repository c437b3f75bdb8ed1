import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../domain.js';
import { FinewsError } from '../errors.js';
import { createHttpClient } from '../fetch/fetcher.js';
import { createMetrics, type Metrics } from '../metrics.js';
import type { Fetcher, HostLimiter, Jobs, PipelineDeps } from '../pipeline/ports.js';
import { MemoryHostLimiter } from '../politeness/memory-limiter.js';
import { createPoliteFetcher } from '../politeness/polite-fetcher.js';
import { RedisHostLimiter } from '../politeness/redis-limiter.js';
import { createRedisStore } from '../store/redis.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/log.js';
import { outageLog } from '../util/outage-log.js';
import type { RuntimeOptions } from './options.js';
import { Readiness } from './readiness.js';

/** What opening the store needs of the runtime options. */
export type StoreOptions = Pick<RuntimeOptions, 'redisUrl' | 'redisPrefix' | 'dataDir'>;

/** The shared pieces every command builds in the same order and closes in reverse. */
export interface Runtime {
  log: Logger;
  metrics: Metrics;
  mode: 'redis' | 'embedded';
  config(): Config;
  setConfig(config: Config): void;
  store: Store;
  /** Present in Redis mode; owned by the runtime. */
  redis?: Redis;
  limiter: HostLimiter;
  fetcher: Fetcher;
  /** Builds the deps the use cases run on, with the given Jobs sink. */
  pipeline(jobs: Jobs): PipelineDeps;
  /** Store (and Redis) reachable, its file intact, and publishing not failing. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects to Redis, or fails at once with one line naming the (redacted) URL and what
 * to do; errors while connecting are logged at debug level only.
 */
async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: true });
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

/** Opens store, politeness and fetcher for the mode the options select. */
export async function openRuntime(options: StoreOptions, config: Config, log: Logger, metrics = createMetrics({ withDefaults: true })): Promise<Runtime> {
  let current = config;
  // Getters, so a reloaded politeness block applies to the next request.
  const politeness = (): Config['politeness'] => current.politeness;
  let store: Store;
  let redis: Redis | undefined;
  let limiter: HostLimiter;
  if (options.redisUrl) {
    redis = await connectRedis(options.redisUrl, log);
    store = createRedisStore({ redis, prefix: options.redisPrefix, log });
    limiter = new RedisHostLimiter(redis, { prefix: options.redisPrefix, politeness });
  } else {
    mkdirSync(options.dataDir, { recursive: true });
    store = openSqliteStore(sqlitePath(options.dataDir), { log });
    limiter = new MemoryHostLimiter(politeness);
  }
  const http = createHttpClient();
  const fetcher = createPoliteFetcher(limiter, http.fetchUrl, { log });
  const readiness = new Readiness(log);
  const runtime: Runtime = {
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
    pipeline: (jobs) => ({ config: () => current, store, fetcher, jobs, log, metrics, now: () => new Date(), health: readiness }),
    ready: async () => {
      await store.ping();
      readiness.check();
    },
    close: async () => {
      await limiter.close?.();
      await http.close();
      await store.close();
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
  return runtime;
}
