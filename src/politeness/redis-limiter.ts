import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FinewsError } from '../errors.js';
import type { HostLimiter } from '../pipeline/ports.js';
import { LuaScript } from '../store/lua-script.js';
import type { Logger } from '../util/log.js';
import { currentRules, DEFAULT_POLITENESS, type PolitenessSource } from './rules.js';

export interface RedisHostLimiterOptions {
  /** Key prefix shared by every finews process, e.g. `finews:`. */
  prefix: string;
  /** @defaultValue 2 */
  perHostConcurrency?: number;
  /** @defaultValue 500 */
  minSpacingMs?: number;
  /** Rules read at every acquire (follows hot reload); wins over the two fields above. */
  politeness?: PolitenessSource;
  /**
   * A lease not renewed for this long is dropped, so a process killed mid-request
   * frees its slot. Running requests renew theirs every third of it, so a renewal
   * that fails once (a Redis hiccup) still leaves a second chance before it lapses.
   * @defaultValue 10_000 (a killed worker holds a host's slot at most 10 s)
   */
  leaseTtlMs?: number;
  /** Longest sleep between two attempts to get a slot. @defaultValue 250 */
  maxPollMs?: number;
  log?: Logger;
}

/** See {@link RedisHostLimiterOptions.leaseTtlMs}. */
const DEFAULT_LEASE_TTL_MS = 10_000;

/*
 * KEYS[1] leases: ZSET of lease id → expiry (ms, server clock)
 * KEYS[2] next:   earliest start of the next request (ms, server clock)
 * ARGV: lease id, concurrency, spacing ms, lease ttl ms
 * Returns {1, 0} with the lease taken, or {0, ms to wait before asking again}.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local nextAt = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local wait = tonumber(first[2]) - now
  if nextAt - now > wait then wait = nextAt - now end
  return {0, wait}
end
if now < nextAt then return {0, nextAt - now} end
local ttl = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
local spacing = tonumber(ARGV[3])
if spacing > 0 then redis.call('SET', KEYS[2], now + spacing, 'PX', spacing) end
return {1, 0}
`;

/* KEYS[1] leases; ARGV: lease id, ttl ms. Pushes the lease's expiry to now + ttl if it still exists. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
  return 1
end
return 0
`;

/* KEYS[1] next; ARGV: ms. next = max(next, now + ms). */
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > current then redis.call('SET', KEYS[1], now + ms, 'PX', ms) end
return 1
`;

const SCRIPTS = {
  acquire: new LuaScript('politeness-acquire', ACQUIRE),
  renew: new LuaScript('politeness-renew', RENEW),
  pause: new LuaScript('politeness-pause', PAUSE),
};

/**
 * Per-host politeness shared by every process on one Redis (Redis mode): the same
 * rules as MemoryHostLimiter, enforced by Lua scripts on the server's clock. A slot
 * is a lease in a per-host sorted set that expires unless renewed, so a killed
 * worker never blocks a host for longer than the lease TTL.
 *
 * Within one process waiters for a host queue first come, first served and only the
 * oldest asks Redis, sleeping for the wait the script returns (capped at
 * `maxPollMs`); across processes, slots go to whoever asks first after one frees.
 * The Redis client is borrowed: close() does not quit it.
 */
export class RedisHostLimiter implements HostLimiter {
  private readonly politeness: PolitenessSource;
  private readonly leaseTtlMs: number;
  private readonly maxPollMs: number;
  private readonly owner = randomUUID();
  private leaseSeq = 0;
  /** Per host, the promise the next local waiter waits on (a FIFO chain). */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly renewals = new Set<NodeJS.Timeout>();
  /** Per host, the wake-up of the local waiter sleeping before it asks Redis again. */
  private readonly sleepers = new Map<string, () => void>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisHostLimiterOptions,
  ) {
    this.politeness = opts.politeness ?? {
      perHostConcurrency: opts.perHostConcurrency ?? DEFAULT_POLITENESS.perHostConcurrency,
      minSpacingMs: opts.minSpacingMs ?? DEFAULT_POLITENESS.minSpacingMs,
    };
    this.leaseTtlMs = Math.max(1000, opts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS);
    this.maxPollMs = Math.max(1, opts.maxPollMs ?? 250);
  }

  async run<T>(host: string, fn: () => Promise<T>): Promise<T> {
    const lease = await this.acquire(host);
    const renewal = setInterval(() => void this.renew(host, lease), Math.floor(this.leaseTtlMs / 3));
    renewal.unref();
    this.renewals.add(renewal);
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      this.renewals.delete(renewal);
      // Not awaited: the caller's result does not depend on it, and this process's next
      // acquire, sent after it on the same connection, sees the slot free.
      void this.release(host, lease);
    }
  }

  async pause(host: string, ms: number): Promise<void> {
    const wait = Math.ceil(ms);
    if (!(wait > 0)) return;
    await this.call(SCRIPTS.pause, [this.key(host, 'next')], [String(wait)], host);
  }

  /** Stops renewing leases and wakes waiters with an error; the Redis client stays open. */
  async close(): Promise<void> {
    this.closed = true;
    for (const r of this.renewals) clearInterval(r);
    this.renewals.clear();
    for (const wake of this.sleepers.values()) wake();
  }

  /** Redis key of one of a host's records. The braces keep both keys in one cluster slot. */
  key(host: string, kind: 'leases' | 'next'): string {
    return `${this.opts.prefix}polite:{${host}}:${kind}`;
  }

  private async acquire(host: string): Promise<string> {
    const previous = this.tails.get(host) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.tails.set(host, mine);
    try {
      await previous;
      const lease = `${this.owner}:${++this.leaseSeq}`;
      const keys = [this.key(host, 'leases'), this.key(host, 'next')];
      for (;;) {
        if (this.closed) throw new Error(`politeness: limiter closed while waiting for ${host}`);
        const rules = currentRules(this.politeness, host);
        const reply = await this.call(
          SCRIPTS.acquire,
          keys,
          [lease, String(rules.perHostConcurrency), String(rules.minSpacingMs), String(this.leaseTtlMs)],
          host,
        );
        const [granted, waitMs] = Array.isArray(reply) ? reply.map(Number) : [0, this.maxPollMs];
        if (granted === 1) return lease;
        // A little jitter so processes polling the same host do not ask in lockstep.
        await this.sleep(host, Math.min(this.maxPollMs, Math.max(1, waitMs ?? this.maxPollMs)) + Math.floor(Math.random() * 5));
      }
    } finally {
      done();
      if (this.tails.get(host) === mine) this.tails.delete(host);
    }
  }

  private async renew(host: string, lease: string): Promise<void> {
    try {
      await this.call(SCRIPTS.renew, [this.key(host, 'leases')], [lease, String(this.leaseTtlMs)], host);
    } catch (err) {
      this.opts.log?.warn({ err, host }, 'politeness: cannot renew host lease; it expires on its own');
    }
  }

  private async release(host: string, lease: string): Promise<void> {
    try {
      await this.redis.zrem(this.key(host, 'leases'), lease);
      // A slot of ours just freed: the next local waiter need not sleep out its poll interval.
      this.sleepers.get(host)?.();
    } catch (err) {
      // The lease expires after its TTL; until then the host has one slot fewer.
      this.opts.log?.warn({ err, host }, 'politeness: cannot release host lease; it expires on its own');
    }
  }

  /** Sleeps `ms`, or less when a local release or close() wakes the host's waiter. */
  private sleep(host: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        if (this.sleepers.get(host) === wake) this.sleepers.delete(host);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.set(host, wake);
    });
  }

  /** Runs a script (EVALSHA, EVAL on NOSCRIPT); Redis failures become retryable FinewsErrors. */
  private async call(script: LuaScript, keys: string[], args: string[], host: string): Promise<unknown> {
    try {
      return await script.run(this.redis, keys, args);
    } catch (err) {
      throw new FinewsError('store-unavailable', `politeness: Redis did not answer for host ${host}`, { retryable: true, cause: err });
    }
  }
}
