/**
 * Claim throughput on the SQLite store and on the Redis store for 10,000 keys with 30%
 * duplicates: `store.claimMany` with a page of 500 keys at a time (what a refresh does
 * with a feed page in hand), and `store.claim` one key at a time; against the batched
 * claim of the same backend a pipeline would do: `INSERT OR IGNORE` of 500 keys in one
 * SQLite transaction, and 500 `SET NX` in one Redis pipeline (one round trip). Both
 * baselines are durable and shared like ours; ours also records each claim's sources,
 * categories and work, which the baselines do not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Store } from '../src/store/store.js';
import { deleteRedisPrefix, REDIS_URL } from './lib/finews-process.js';
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

/** Claims every key of a round on `store` with `claimMany`, BATCH keys per call (fresh keys per round). */
async function claimManyRound(store: Store, suffixes: readonly string[], round: number): Promise<number> {
  return batchedRound(suffixes, round, async (keys) => {
    const results = await store.claimMany(
      keys.map((key, i) => {
        const source = SOURCES[i % SOURCES.length] ?? SOURCES[0];
        return { key, sourceId: source.id, categories: [...source.categories] };
      }),
    );
    return results.filter((r) => r.isNew).length;
  });
}

type Round = (store: Store, suffixes: readonly string[], round: number) => Promise<number>;

async function storeCase(opts: BenchOptions, store: Store, claimRoundWith: Round, context = ''): Promise<CaseOutcome> {
  const suffixes = roundSuffixes();
  let round = 0;
  return outcomeOf(async () => {
    const loop = await timeLoop(() => claimRoundWith(store, suffixes, round++), plan(opts));
    return { loop, output: `${UNIQUE} new + ${CLAIMS - UNIQUE} duplicate per round ✓${context}` };
  });
}

/** Sequential PINGs per second: the round-trip bound any one-at-a-time Redis command lives under. */
async function pingRate(client: Redis, count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await client.ping();
  return (count * 1000) / (performance.now() - t0);
}

/** Keys claimed per batch by the baselines: one feed's worth, as a feed's refresh has them all at once. */
const BATCH = 500;

/** Runs `claimBatch` over a round's keys in batches of BATCH; checks the count of new ones. */
async function batchedRound(suffixes: readonly string[], round: number, claimBatch: (keys: string[]) => Promise<number> | number): Promise<number> {
  const prefix = `NW${round}R`;
  let fresh = 0;
  for (let i = 0; i < suffixes.length; i += BATCH) fresh += await claimBatch(suffixes.slice(i, i + BATCH).map((k) => prefix + k));
  if (fresh !== UNIQUE) throw new Error(`round ${round}: ${fresh} claims were new, expected ${UNIQUE}`);
  return fresh;
}

/** The SQLite floor: `INSERT OR IGNORE` of a batch's keys in one transaction (better-sqlite3, WAL). */
const sqliteBatch: CaseFn = async (opts) => {
  const { default: Database } = await import('better-sqlite3');
  const dir = mkdtempSync(join(tmpdir(), 'finews-bench-dedupe-'));
  const db = new Database(join(dir, 'claims.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE claims (key TEXT PRIMARY KEY, source TEXT NOT NULL)');
  const insert = db.prepare('INSERT OR IGNORE INTO claims (key, source) VALUES (?, ?)');
  const claimAll = db.transaction((keys: string[]) => {
    let fresh = 0;
    keys.forEach((k, i) => (fresh += insert.run(k, SOURCES[i % SOURCES.length]?.id ?? '').changes));
    return fresh;
  });
  const suffixes = roundSuffixes();
  let round = 0;
  try {
    return await outcomeOf(async () => {
      const loop = await timeLoop(() => batchedRound(suffixes, round++, (keys) => claimAll(keys)), plan(opts));
      return { loop, output: `${UNIQUE} new + ${CLAIMS - UNIQUE} duplicate per round ✓` };
    });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** A connection to the bench Redis and a key prefix of this run's own, or why there is none. */
async function connectBenchRedis(): Promise<{ client: Redis; prefix: string } | { error: string }> {
  const { Redis: RedisClient } = await import('ioredis');
  const client = new RedisClient(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  client.on('error', () => undefined); // connect failures surface from connect() below
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    return { error: `Redis at ${REDIS_URL} unavailable: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { client, prefix: `finews-bench:${process.pid}-${Date.now().toString(36)}:` };
}

/** The Redis floor: one pipeline of `SET key NX` per batch, one round trip. */
const redisPipeline: CaseFn = async (opts) => {
  const redis = await connectBenchRedis();
  if ('error' in redis) return { ok: false, error: redis.error };
  const { client, prefix } = redis;
  const claimBatch = async (keys: string[]): Promise<number> => {
    const p = client.pipeline();
    keys.forEach((k, i) => p.set(`${prefix}claim:${k}`, SOURCES[i % SOURCES.length]?.id ?? '', 'NX'));
    const replies = (await p.exec()) ?? [];
    return replies.filter(([, r]) => r === 'OK').length;
  };
  const suffixes = roundSuffixes();
  let round = 0;
  try {
    return await outcomeOf(async () => {
      const loop = await timeLoop(() => batchedRound(suffixes, round++, claimBatch), plan(opts));
      return { loop, output: `${UNIQUE} new + ${CLAIMS - UNIQUE} duplicate per round ✓` };
    });
  } finally {
    await deleteRedisPrefix(prefix);
    await client.quit();
  }
};

const sqliteWith =
  (claimRoundWith: Round): CaseFn =>
  async (opts) => {
    const { openSqliteStore } = await import('../src/store/sqlite.js');
    const dir = mkdtempSync(join(tmpdir(), 'finews-bench-dedupe-'));
    const store = openSqliteStore(join(dir, 'finews.db'));
    try {
      return await storeCase(opts, store, claimRoundWith);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };

const redisWith =
  (claimRoundWith: Round): CaseFn =>
  async (opts) => {
    const { createRedisStore } = await import('../src/store/redis.js');
    const redis = await connectBenchRedis();
    if ('error' in redis) return { ok: false, error: redis.error };
    const { client, prefix } = redis;
    const store = createRedisStore({ redis: client, prefix });
    try {
      const pings = await pingRate(client, opts.quick ? 1000 : 3000);
      return await storeCase(opts, store, claimRoundWith, `; bare PING round trip: ${Math.round(pings).toLocaleString('en-US')}/s`);
    } finally {
      await store.close();
      await deleteRedisPrefix(prefix);
      await client.quit();
    }
  };

/** The cases, each run in a process of its own. */
export const cases: Record<string, CaseFn> = {
  'sqlite-batch': sqliteBatch,
  'redis-pipeline': redisPipeline,
  'sqlite-many': sqliteWith(claimManyRound),
  'redis-many': redisWith(claimManyRound),
  sqlite: sqliteWith(claimRound),
  redis: redisWith(claimRound),
};

/** Runs the dedupe benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const unit = 'claims/s';
  const perOp = `ms/${CLAIMS.toLocaleString('en-US')}`;
  // A measured op is one round of CLAIMS claims.
  const scale = (s: Side): Side => (s.rate === undefined ? s : { ...s, rate: s.rate * CLAIMS });
  const sqBase = scale(sideOf(`INSERT OR IGNORE, ${BATCH} per transaction`, await runCase<CaseOutcome>('dedupe', 'sqlite-batch', opts), unit, perOp));
  const sqMany = scale(sideOf(`SQLite store.claimMany, ${BATCH} per call`, await runCase<CaseOutcome>('dedupe', 'sqlite-many', opts), unit, perOp));
  const sq = scale(sideOf('SQLite store.claim, one at a time', await runCase<CaseOutcome>('dedupe', 'sqlite', opts), unit, perOp));
  const rdBase = scale(sideOf(`pipelined SET NX, ${BATCH} per round trip`, await runCase<CaseOutcome>('dedupe', 'redis-pipeline', opts), unit, perOp));
  const rdMany = scale(sideOf(`Redis store.claimMany, ${BATCH} per call`, await runCase<CaseOutcome>('dedupe', 'redis-many', opts), unit, perOp));
  const rd = scale(sideOf('Redis store.claim, one at a time', await runCase<CaseOutcome>('dedupe', 'redis', opts), unit, perOp));
  const scenario = `${CLAIMS.toLocaleString('en-US')} claims, 30% duplicates`;
  return [
    { bench: 'dedupe', scenario: `${scenario}: SQLite (file, WAL), a page at a time`, ours: sqMany, baseline: sqBase },
    { bench: 'dedupe', scenario: `${scenario}: SQLite, one key at a time`, ours: sq, baseline: sqBase },
    { bench: 'dedupe', scenario: `${scenario}: Redis 127.0.0.1, a page at a time`, ours: rdMany, baseline: rdBase },
    { bench: 'dedupe', scenario: `${scenario}: Redis, one key at a time`, ours: rd, baseline: rdBase },
  ];
}
