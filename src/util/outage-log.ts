import type { Logger } from './log.js';

/**
 * Connection errors of one outage, logged sparingly: every Redis connection of a process
 * (ioredis, each BullMQ queue and worker) emits an `error` on every reconnect attempt,
 * about five lines a second together while Redis is down. Through here the first error
 * is logged at once, then at most one line per backoff period (doubling from `firstMs`
 * to `maxMs`) carrying how many were suppressed; the period starts over once errors
 * stop for `maxMs` or the connection is back ({@link OutageLog.recovered}).
 */
export interface OutageLog {
  error(err: unknown, fields: Record<string, unknown>, msg: string): void;
  /** The connection works again: logs one info line if errors were logged, and resets. */
  recovered(fields?: Record<string, unknown>): void;
}

export interface OutageLogOptions {
  /** @defaultValue 5_000 */
  firstMs?: number;
  /** @defaultValue 60_000 */
  maxMs?: number;
  now?: () => number;
}

// Per root logger, and the composition root builds one logger per process: so all of a
// process's connections share one budget without a global, and tests stay apart.
const byLogger = new WeakMap<Logger, OutageLog>();

/** The outage log shared by everything that logs connection errors through `log`. */
export function outageLog(log: Logger, opts: OutageLogOptions = {}): OutageLog {
  let shared = byLogger.get(log);
  if (shared === undefined) {
    shared = createOutageLog(log, opts);
    byLogger.set(log, shared);
  }
  return shared;
}

/** A fresh outage log (see {@link outageLog} for the shared one). */
export function createOutageLog(log: Logger, opts: OutageLogOptions = {}): OutageLog {
  const firstMs = opts.firstMs ?? 5_000;
  const maxMs = opts.maxMs ?? 60_000;
  const now = opts.now ?? Date.now;
  let periodMs = firstMs;
  let startedAt: number | undefined;
  let lastErrorAt = 0;
  let lastLoggedAt = 0;
  let suppressed = 0;
  return {
    error(err, fields, msg) {
      const t = now();
      if (startedAt !== undefined && t - lastErrorAt > maxMs) startedAt = undefined;
      lastErrorAt = t;
      if (startedAt === undefined) {
        startedAt = t;
        periodMs = firstMs;
        lastLoggedAt = t;
        suppressed = 0;
        log.error({ ...fields, err }, msg);
        return;
      }
      if (t - lastLoggedAt < periodMs) {
        suppressed++;
        return;
      }
      log.error({ ...fields, err, suppressed, outageMs: t - startedAt }, `${msg} (still failing)`);
      lastLoggedAt = t;
      suppressed = 0;
      periodMs = Math.min(periodMs * 2, maxMs);
    },
    recovered(fields = {}) {
      if (startedAt === undefined) return;
      log.info({ ...fields, suppressed, outageMs: now() - startedAt }, 'connection restored');
      startedAt = undefined;
      suppressed = 0;
    },
  };
}
