/**
 * Category listing at volume: `GET /api/categories`, publishing one category and
 * `GET /` over the SQLite store holding 1,000, 10,000 and 100,000 items — through the
 * real routes (fastify `inject`) and the real publish use case. Ours reads the
 * per-category facts table; the baseline is the same store and server with the
 * listing of schema ≤ 3 (a correlated subquery per item-category row), which every
 * one of the three runs. The baseline runs under a time budget and is killed past it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineDeps } from '../src/pipeline/ports.js';
import type { Store } from '../src/store/store.js';
import { startCase, type CaseFn } from './lib/fork.js';
import { timeLoop, type LoopPlan } from './lib/measure.js';
import type { BenchOptions } from './lib/options.js';
import { outcomeOf, sideOf, type CaseOutcome, type Comparison } from './lib/report.js';

const SIZES = [1_000, 10_000, 100_000] as const;
const OPS = ['api', 'publish', 'home'] as const;
type Op = (typeof OPS)[number];
const OP_LABEL: Record<Op, string> = {
  api: 'GET /api/categories',
  publish: 'publish one category (gold: 3 formats, 50 items)',
  home: 'GET / (home page)',
};
/** Published category: a seventh of the items, so it grows with the store. */
const CATEGORY = 'gold';

/** How long the baseline may run (after its store is built) before it is killed. */
function budgetMs(opts: BenchOptions): number {
  return opts.quick ? 10_000 : 30_000;
}

function plan(opts: BenchOptions, side: 'ours' | 'legacy', size: number): LoopPlan {
  if (side === 'legacy' && size > 1_000) return { warmupOps: 0, minMs: 0, minOps: 1, maxOps: 1 };
  if (side === 'legacy') return { warmupOps: 1, minMs: opts.quick ? 300 : 1000, minOps: 2, maxOps: 50 };
  return opts.quick ? { warmupOps: 3, minMs: 300, minOps: 5, maxOps: 2000 } : { warmupOps: 10, minMs: 1500, minOps: 20, maxOps: 20_000 };
}

/** A store whose listCategories is the schema ≤ 3 query on a connection of its own; the rest is the store's. */
async function withLegacyListing(store: Store, file: string): Promise<{ store: Store; close(): void }> {
  const { default: Database } = await import('better-sqlite3');
  const { LEGACY_CATEGORIES_SQL, legacyCategory } = await import('../tests/store/legacy-categories.js');
  const db = new Database(file, { readonly: true });
  const listing = db.prepare(LEGACY_CATEGORIES_SQL);
  const legacy = new Proxy(store, {
    get(target, prop) {
      if (prop === 'listCategories') {
        return async () => (listing.all() as Parameters<typeof legacyCategory>[0][]).map(legacyCategory);
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: legacy, close: () => db.close() };
}

/** One process per (side, size): builds the store, then times each op and sends its outcome as it finishes. */
function sizeCase(side: 'ours' | 'legacy', size: number): CaseFn {
  return async (opts, ipc) => {
    const { writeOldSqliteFile } = await import('../tests/store/bulk.js');
    const { scaleItems } = await import('../tests/store/scale-items.js');
    const { openSqliteStore } = await import('../src/store/sqlite.js');
    const { buildServer } = await import('../src/http/server.js');
    const { publishCategories } = await import('../src/pipeline/publish.js');
    const { createMetrics } = await import('../src/metrics.js');
    const { silentLogger } = await import('../src/util/log.js');
    const { benchConfig } = await import('./lib/items.js');

    const dir = mkdtempSync(join(tmpdir(), 'finews-bench-categories-'));
    const file = join(dir, 'finews.db');
    // Written as schema 3 in one transaction; opening migrates it (and builds the facts).
    writeOldSqliteFile(file, scaleItems(size));
    const opened = openSqliteStore(file);
    const legacy = side === 'legacy' ? await withLegacyListing(opened, file) : null;
    const store = legacy?.store ?? opened;
    const config = benchConfig();
    const metrics = createMetrics();
    const log = silentLogger();
    const deps: PipelineDeps = {
      config: () => config,
      store,
      fetcher: { fetch: () => Promise.reject(new Error('the categories benchmark fetches nothing')) },
      jobs: { enqueueArticles: async () => undefined, requestPublish: async () => undefined },
      log,
      metrics,
      now: () => new Date('2026-12-01T00:00:00Z'),
    };
    const app = buildServer({ config: () => config, store, metrics, log, ready: () => store.ping() });
    await app.ready();
    const get = async (url: string, expect: string): Promise<string> => {
      const res = await app.inject({ method: 'GET', url });
      if (res.statusCode !== 200 || !res.body.includes(expect)) throw new Error(`GET ${url}: ${res.statusCode}`);
      return res.body;
    };
    // Counted by the timed ops themselves: the baseline's first listing may already exceed its budget.
    let listed = 0;
    const run: Record<Op, () => Promise<unknown>> = {
      api: async () => {
        listed = (JSON.parse(await get('/api/categories', CATEGORY)) as { categories: unknown[] }).categories.length;
      },
      publish: () => publishCategories(deps, [CATEGORY]),
      home: () => get('/', CATEGORY),
    };
    ipc.send('ready');
    try {
      for (const op of OPS) {
        const outcome = await outcomeOf(async () => ({
          loop: await timeLoop(run[op], plan(opts, side, size)),
          output: `${listed} categories`,
        }));
        ipc.send({ op, outcome });
      }
    } finally {
      await app.close();
      legacy?.close();
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return null;
  };
}

/** The cases, each run in a process of its own: `ours-1000`, `legacy-1000`, … */
export const cases: Record<string, CaseFn> = Object.fromEntries(
  SIZES.flatMap((n) => [
    [`ours-${n}`, sizeCase('ours', n)],
    [`legacy-${n}`, sizeCase('legacy', n)],
  ]),
);

/** Runs one side at one size; ops not done within `budget` ms after setup are failures. */
async function runSide(opts: BenchOptions, side: 'ours' | 'legacy', size: number, budget: number | null): Promise<Record<Op, CaseOutcome>> {
  const proc = startCase('categories', `${side}-${size}`, opts);
  const got: Partial<Record<Op, CaseOutcome>> = {};
  let failure = '';
  try {
    await proc.next();
    const deadline = budget === null ? Number.POSITIVE_INFINITY : Date.now() + budget;
    for (let i = 0; i < OPS.length; i++) {
      const left = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'late'>((resolve) => {
        if (Number.isFinite(left)) timer = setTimeout(() => resolve('late'), Math.max(0, left));
      });
      const next = await Promise.race([proc.next<{ op: Op; outcome: CaseOutcome }>(), timeout]);
      clearTimeout(timer);
      if (next === 'late') {
        proc.kill();
        failure = `no answer within ${Math.round((budget ?? 0) / 1000)} s (killed)`;
        break;
      }
      got[next.op] = next.outcome;
    }
    if (failure === '') await proc.result();
  } catch (err) {
    failure ||= err instanceof Error ? err.message : String(err);
  }
  return Object.fromEntries(OPS.map((op) => [op, got[op] ?? { ok: false, error: failure || 'did not run' }])) as Record<Op, CaseOutcome>;
}

/** Runs the categories benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const rows: Comparison[] = [];
  for (const size of SIZES) {
    const ours = await runSide(opts, 'ours', size, null);
    const legacy = await runSide(opts, 'legacy', size, budgetMs(opts));
    for (const op of OPS) {
      const unit = op === 'publish' ? 'publishes/s' : 'req/s';
      rows.push({
        bench: 'categories',
        scenario: `${OP_LABEL[op]} · ${size.toLocaleString('en-US')} stored items (SQLite)`,
        ours: sideOf('category facts table', ours[op], unit),
        baseline: sideOf('schema ≤ 3 listing (correlated subquery)', legacy[op], unit),
      });
    }
  }
  return rows;
}
