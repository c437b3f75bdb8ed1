/**
 * Serving a feed: the real server (`startServer` over the SQLite store, feeds
 * published by `publishAll`) answering `/feeds/all.xml` from pre-rendered gzip bytes,
 * against a plain node:http server that renders the same feed (`renderRss` + gzip)
 * on every request. N keep-alive clients in the parent process; the server in a
 * child process of its own, whose RSS is reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineDeps } from '../src/pipeline/ports.js';
import type { Store } from '../src/store/store.js';
import { startCase, type CaseFn, type CaseIpc } from './lib/fork.js';
import { benchConfig, generateItems } from './lib/items.js';
import { driveLoad, type LoadPlan, type LoadResult } from './lib/load.js';
import { MemorySampler, type MemStats } from './lib/measure.js';
import type { BenchOptions } from './lib/options.js';
import { fmtMs, type Comparison, type Side } from './lib/report.js';

const STORED_ITEMS = 500;
const PATH = '/feeds/all.xml';

/** What a server case tells the parent once it listens. */
interface Ready {
  url: string;
  /** Uncompressed size of the feed, bytes. */
  feedBytes: number;
}

/** What a server case returns when stopped. */
interface ServerReport {
  mem: MemStats;
}

/** A temp SQLite store holding the generated items; `cleanup` closes and deletes it. */
async function seededStore(): Promise<{ store: Store; cleanup(): Promise<void> }> {
  const { openSqliteStore } = await import('../src/store/sqlite.js');
  const dir = mkdtempSync(join(tmpdir(), 'finews-bench-serve-'));
  const store = openSqliteStore(join(dir, 'finews.db'));
  for (const item of generateItems(STORED_ITEMS)) await store.saveItem(item);
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Announces the server, measures memory until the parent says stop, then reports. */
async function serveUntilStopped(ipc: CaseIpc, ready: Ready, close: () => Promise<void>): Promise<ServerReport> {
  const sampler = new MemorySampler();
  ipc.send(ready);
  await ipc.next();
  const mem = sampler.stop();
  await close();
  return { mem };
}

const ours: CaseFn = async (_opts, ipc) => {
  const { publishAll } = await import('../src/pipeline/publish.js');
  const { startServer } = await import('../src/http/server.js');
  const { createMetrics } = await import('../src/metrics.js');
  const { silentLogger } = await import('../src/util/log.js');
  const { feedDocName } = await import('../src/publish/doc-names.js');
  const { store, cleanup } = await seededStore();
  const config = benchConfig();
  const metrics = createMetrics();
  const log = silentLogger();
  const deps: PipelineDeps = {
    config: () => config,
    store,
    fetcher: { fetch: () => Promise.reject(new Error('the serve benchmark fetches nothing')) },
    jobs: { enqueueArticle: async () => undefined, requestPublish: async () => undefined },
    log,
    metrics,
    now: () => new Date(),
  };
  await publishAll(deps);
  const doc = await store.getRendered(feedDocName('all', 'rss'));
  if (doc === null) throw new Error('publishAll rendered no all.xml');
  const server = await startServer({ config: () => config, store, metrics, log, ready: () => store.ping() }, { host: '127.0.0.1', port: 0 });
  return serveUntilStopped(ipc, { url: server.url, feedBytes: doc.body.length }, async () => {
    await server.close();
    await cleanup();
  });
};

const baseline: CaseFn = async (_opts, ipc) => {
  const { createServer } = await import('node:http');
  const { gzipSync } = await import('node:zlib');
  const { renderRss } = await import('../src/publish/render-feeds.js');
  const { CONTENT_TYPES } = await import('../src/publish/formats.js');
  const { buildCategoryTitles } = await import('../src/publish/context.js');
  const config = benchConfig();
  // The same 50 items and titles publishAll renders; read once, kept in memory.
  const { store, cleanup } = await seededStore();
  const titles = buildCategoryTitles(config, await store.listCategories());
  const { items } = await store.listItems({ category: 'all', limit: config.site.itemsPerFeed });
  await cleanup();
  const cat = { slug: 'all', title: titles('all') };
  const render = (): string => renderRss({ site: config.site, generatedAt: new Date(), categoryTitles: titles }, cat, items);

  const server = createServer((req, res) => {
    if (req.url !== PATH) {
      res.writeHead(404).end();
      return;
    }
    const xml = render();
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    const body = gzip ? gzipSync(xml) : Buffer.from(xml, 'utf8');
    res.writeHead(200, {
      'content-type': CONTENT_TYPES.rss,
      'content-length': body.length,
      vary: 'Accept-Encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('baseline server has no TCP address');
  return serveUntilStopped(ipc, { url: `http://127.0.0.1:${addr.port}`, feedBytes: Buffer.byteLength(render()) }, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
};

/** The cases, each run in a process of its own. */
export const cases: Record<string, CaseFn> = { ours, baseline };

function plan(opts: BenchOptions): LoadPlan {
  return opts.quick
    ? { connections: opts.connections, warmupMs: 200, durationMs: 1200, maxRequests: 30_000 }
    : { connections: opts.connections, warmupMs: 1000, durationMs: 6000, maxRequests: 200_000 };
}

async function measureSide(side: 'ours' | 'baseline', label: string, opts: BenchOptions): Promise<{ side: Side; feedBytes: number }> {
  const p = startCase('serve', side, opts);
  const ready = await p.next<Ready>();
  let load: LoadResult | undefined;
  let failure: string | undefined;
  try {
    load = await driveLoad(ready.url, PATH, plan(opts));
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  p.send('stop');
  const report = await p.result<ServerReport>();
  if (load === undefined) return { side: { label, unit: 'req/s', failed: failure ?? 'no result', mem: report.mem }, feedBytes: ready.feedBytes };
  return {
    side: {
      label,
      unit: 'req/s',
      rate: load.reqPerSec,
      detail: `p50 ${fmtMs(load.p50Ms)} ms · p99 ${fmtMs(load.p99Ms)} ms`,
      output: `n=${load.requests}, ${load.errors} errors, ${(load.responseBytes / 1024).toFixed(1)} KB ${load.encoding}`,
      mem: report.mem,
    },
    feedBytes: ready.feedBytes,
  };
}

/** Runs the serve benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const o = await measureSide('ours', 'startServer, pre-rendered', opts);
  const b = await measureSide('baseline', 'node:http, renderRss + gzip per request', opts);
  return [
    {
      bench: 'serve',
      scenario: `GET ${PATH} (50 of ${STORED_ITEMS} stored items, ${Math.round(o.feedBytes / 1024)} KB XML), ${opts.connections} keep-alive clients`,
      ours: o.side,
      baseline: b.side,
    },
  ];
}
