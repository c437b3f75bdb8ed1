import path from 'node:path';
import { defaultSiteUrl } from '../config/site-url.js';
import { FinewsError } from '../errors.js';

/** Where items, claims, source state and rendered documents are kept. */
export type StoreChoice = 'sqlite' | 'redis';
/** Where per-host politeness slots are counted: this process, or Redis (shared by every process). */
export type LimiterChoice = 'memory' | 'redis';
/** Where queued work waits and runs: this process, or BullMQ queues on Redis. */
export type JobsChoice = 'in-process' | 'bullmq';

/** Where a command finds its config, Redis and data, resolved from flags then environment. */
export interface RuntimeOptions {
  configPath: string;
  /** Redis URL; undefined means embedded mode. */
  redisUrl?: string;
  dataDir: string;
  /** Prefix of every Redis key finews writes (store, queues, politeness). @defaultValue 'finews:' */
  redisPrefix: string;
  /** The store adapter. @defaultValue 'redis' with a Redis URL, else 'sqlite' */
  store: StoreChoice;
  /** The host limiter. @defaultValue 'redis' with a Redis URL, else 'memory' */
  limiter: LimiterChoice;
  /** The Jobs adapter. @defaultValue 'bullmq' with a Redis URL, else 'in-process' */
  jobs: JobsChoice;
  /**
   * How long a Redis-mode job's lock lasts unless renewed, and how often stalled jobs
   * are looked for: the longest a job of a killed worker waits to run again. Every
   * process running workers also sweeps pending claims this often.
   * @defaultValue 30000 (BullMQ's)
   */
  jobLockMs?: number;
  /** HTTP bind address. @defaultValue '127.0.0.1' */
  host: string;
  /** HTTP port. @defaultValue 8080 */
  port: number;
  /** feeds.yaml's `site.url` when it gives none: `http://HOST:PORT` (a wildcard HOST links to 127.0.0.1). */
  defaultSiteUrl: string;
  /** Bearer token that opens `/admin/queues`; unset keeps it closed (`ADMIN_TOKEN`). */
  adminToken?: string;
  /** The log level asked for (`LOG_LEVEL`); undefined leaves each command its default. */
  logLevel?: string;
  /**
   * Whether the daemon watches and polls feeds.yaml for edits (`FINEWS_CONFIG_WATCH=on`);
   * false (`off`) reloads it only on SIGHUP. @defaultValue true
   */
  configWatch: boolean;
  /** Poll interval of the config file in ms; 0 disables polling. @defaultValue 2000 */
  configPollMs: number;
  /**
   * How often a serving process reads the store's index of rendered ETags for documents
   * rendered by other processes, in ms (`FINEWS_SERVE_POLL_MS`): the staleness bound of
   * what it serves. Undefined leaves the document cache its default (500).
   */
  servePollMs?: number;
  /** How long shutdown waits for in-flight work before closing anyway. @defaultValue 25000 */
  drainMs: number;
}

export interface GlobalFlags {
  config?: string;
  redis?: string;
  data?: string;
}

/**
 * Flags win over the environment (INTERFACE §4), which wins over the defaults. The one
 * place finews reads its environment: everything else takes these options.
 */
export function resolveOptions(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): RuntimeOptions {
  const redisUrl = flags.redis ?? (env.REDIS_URL || undefined);
  const host = env.HOST || '127.0.0.1';
  const listenPort = env.PORT ? port(env.PORT) : 8080;
  return {
    configPath: path.resolve(flags.config ?? env.FINEWS_CONFIG ?? 'feeds.yaml'),
    redisUrl,
    dataDir: path.resolve(flags.data ?? env.FINEWS_DATA_DIR ?? 'data'),
    redisPrefix: env.FINEWS_REDIS_PREFIX || 'finews:',
    store: redisUrl ? 'redis' : 'sqlite',
    limiter: redisUrl ? 'redis' : 'memory',
    jobs: redisUrl ? 'bullmq' : 'in-process',
    jobLockMs: env.FINEWS_JOB_LOCK_MS ? positiveInt('FINEWS_JOB_LOCK_MS', env.FINEWS_JOB_LOCK_MS) : undefined,
    host,
    port: listenPort,
    defaultSiteUrl: defaultSiteUrl({ host, port: listenPort }),
    adminToken: env.ADMIN_TOKEN || undefined,
    logLevel: env.LOG_LEVEL,
    drainMs: 25_000,
    configWatch: onOff('FINEWS_CONFIG_WATCH', env.FINEWS_CONFIG_WATCH),
    configPollMs: env.FINEWS_CONFIG_POLL_MS ? wholeMs('FINEWS_CONFIG_POLL_MS', env.FINEWS_CONFIG_POLL_MS) : 2_000,
    servePollMs: env.FINEWS_SERVE_POLL_MS ? positiveInt('FINEWS_SERVE_POLL_MS', env.FINEWS_SERVE_POLL_MS) : undefined,
  };
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new FinewsError('config-invalid', `${name}=${value}: expected a whole number of milliseconds`);
  return n;
}

function wholeMs(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new FinewsError('config-invalid', `${name}=${value}: expected a whole number of milliseconds (0 turns it off)`);
  return n;
}

function onOff(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new FinewsError('config-invalid', `${name}=${value}: expected on or off`);
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new FinewsError('config-invalid', `PORT=${value}: expected a port number 0-65535`);
  return n;
}
