/**
 * Claim throughput: `store.claim` on the SQLite store and on the Redis store for
 * 10,000 keys with 30% duplicates, one claim at a time as refresh-source issues
 * them, against a plain in-memory Set (the upper bound: no durability, one process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Store } from '../src/store/store.js';
import { runCase, type CaseFn } from './lib/fork.js';
import { timeLoop, type LoopPlan } from './lib/measure.js';
import type { BenchOptions } from './lib/options.js';
import { seededRandom } from './lib/rng.js';
import { outcomeOf, sideOf, type CaseOutcome, type Comparison, type Side } from './lib/report.js';

const CLAIMS = 10_000;
const DUPLICATE_SHARE = 0.3;
const UNIQUE = Math.round(CLAIMS * (1 - DUPLICATE_SHARE));
const SOURCES = [
  { id: 'cinn-industry', categories: ['industry'] },
  { id: 'eastmoney-ccjdd', categories: [] },
  { id: 'stcn-finance', categories: ['finance'] },
] as const;

/**
 * Key suffixes of one round: UNIQUE distinct codes, then duplicates of random
 * earlier ones, shuffled (a duplicate may come before its first sighting, which
 * then is the claim that counts as new).
 */
function roundSuffixes(): string[] {
  const rand = seededRandom(7);
  const keys: string[] = [];
  for (let i = 0; i < UNIQUE; i++) keys.push(`202203${String(i).padStart(12, '0')}`);
  for (let i = UNIQUE; i < CLAIMS; i++) keys.push(keys[Math.floor(rand() * UNIQUE)] ?? '');
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const a = keys[i] ?? '';
    keys[i] = keys[j] ?? '';
    keys[j] = a;
  }
  return keys;
}

function plan(opts: BenchOptions): LoopPlan {
  return opts.quick ? { warmupOps: 0, minMs: 0, minOps: 1, maxOps: 1 } : { warmupOps: 1, minMs: 2500, minOps: 2, maxOps: 4 };
}

/** Claims every key of a round on `store` (fresh keys per round: `NW<round>…`); returns how many were new. */
async function claimRound(store: Store, suffixes: readonly string[], round: number): Promise<number> {
  let fresh = 0;
  const prefix = `NW${round}R`;
  for (let i = 0; i < suffixes.length; i++) {
    const source = SOURCES[i % SOURCES.length] ?? SOURCES[0];
    const r = await store.claim(prefix + (suffixes[i] ?? ''), source.id, [...source.categories]);
    if (r.isNew) fresh++;
  }
  if (fresh !== UNIQUE) throw new Error(`round ${round}: ${fresh} claims were new, expected ${UNIQUE}`);
  return fresh;
}

async function storeCase(opts: BenchOptions, store: Store, context = ''): Promise<CaseOutcome> {
  const suffixes = roundSuffixes();
  let round = 0;
  return outcomeOf(async () => {
    const loop = await timeLoop(() => claimRound(store, suffixes, round++), plan(opts));
    return { loop, output: `${UNIQUE} new + ${CLAIMS - UNIQUE} duplicate per round ✓${context}` };
  });
}

/** Sequential PINGs per second: the round-trip bound any one-at-a-time Redis command lives under. */
async function pingRate(client: Redis, count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await client.ping();
  return (count * 1000) / (performance.now() - t0);
}

const set: CaseFn = async (opts) => {
  const suffixes = roundSuffixes();
  // Same keys every round with a fresh Set: building per-round keys would cost more than the Set does.
  const op = (): number => {
    const seen = new Set<string>();
    let fresh = 0;
    for (const k of suffixes) {
      if (!seen.has(k)) {
        seen.add(k);
        fresh++;
      }
    }
    if (fresh !== UNIQUE) throw new Error(`${fresh} new, expected ${UNIQUE}`);
    return fresh;
  };
  const p = plan(opts);
  return outcomeOf(async () => {
    const loop = await timeLoop(op, { warmupOps: 20, minMs: p.minMs, minOps: 50, maxOps: 5000 });
    return { loop, output: `${UNIQUE} new + ${CLAIMS - UNIQUE} duplicate per round ✓` };
  });
};

const sqlite: CaseFn = async (opts) => {
  const { openSqliteStore } = await import('../src/store/sqlite.js');
  const dir = mkdtempSync(join(tmpdir(), 'finews-bench-dedupe-'));
  const store = openSqliteStore(join(dir, 'finews.db'));
  try {
    return await storeCase(opts, store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

const redis: CaseFn = async (opts) => {
  const { Redis: RedisClient } = await import('ioredis');
  const { createRedisStore } = await import('../src/store/redis.js');
  const client = new RedisClient({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  client.on('error', () => undefined); // connect failures surface from connect() below
  const prefix = `finews-bench:${process.pid}-${Date.now().toString(36)}:`;
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    return { ok: false, error: `Redis at 127.0.0.1:6379 unavailable: ${err instanceof Error ? err.message : String(err)}` };
  }
  const store = createRedisStore({ redis: client, prefix });
  try {
    const pings = await pingRate(client, opts.quick ? 1000 : 3000);
    return await storeCase(opts, store, `; bare PING round trip: ${Math.round(pings).toLocaleString('en-US')}/s`);
  } finally {
    await store.close();
    await deleteKeys(client, prefix);
    await client.quit();
  }
};

/** Deletes every key under `prefix` (only this run's keys). */
async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

/** The cases, each run in a process of its own. */
export const cases: Record<string, CaseFn> = { set, sqlite, redis };

/** Runs the dedupe benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const unit = 'claims/s';
  const perOp = `ms/${CLAIMS.toLocaleString('en-US')}`;
  // A measured op is one round of CLAIMS claims.
  const scale = (s: Side): Side => (s.rate === undefined ? s : { ...s, rate: s.rate * CLAIMS });
  const baseline = scale(sideOf('in-memory Set (has + add)', await runCase<CaseOutcome>('dedupe', 'set', opts), unit, perOp));
  const sq = scale(sideOf('SQLite store.claim', await runCase<CaseOutcome>('dedupe', 'sqlite', opts), unit, perOp));
  const rd = scale(sideOf('Redis store.claim (Lua)', await runCase<CaseOutcome>('dedupe', 'redis', opts), unit, perOp));
  const scenario = `${CLAIMS.toLocaleString('en-US')} claims, 30% duplicates, sequential`;
  return [
    { bench: 'dedupe', scenario: `${scenario}: SQLite (file, WAL)`, ours: sq, baseline },
    { bench: 'dedupe', scenario: `${scenario}: Redis 127.0.0.1`, ours: rd, baseline },
  ];
}
