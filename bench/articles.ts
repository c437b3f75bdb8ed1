/**
 * Article work in Redis mode: 1 and then 2 `finews worker` processes on articles whose
 * pages are 100 ms away (the generated site delays every page), against the latency
 * ceiling: a worker has at most ARTICLE_CONCURRENCY page fetches in flight at a time
 * (it holds more jobs than that, but each page fetch waits for one of those permits), so
 * it can finish at most ARTICLE_CONCURRENCY × 1000 / latency items per second however
 * fast it is. The most pages the site served at once is printed beside it and stays
 * ≤ ARTICLE_CONCURRENCY × workers. Then one worker with no page latency at all: below
 * the ceiling there means the worker is CPU-bound, not waiting on the network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { newEnv, removeEnv, REDIS_URL, sleep, spawnFinews, stopProcess, type FinewsEnv } from './lib/finews-process.js';
import { NewsSite } from './lib/news-site.js';
import type { BenchOptions } from './lib/options.js';
import { fmtMs, fmtNum, type Comparison } from './lib/report.js';

/** Page fetches one worker has in flight at once: the default article concurrency (src/pipeline/article-gate.ts). */
const ARTICLE_CONCURRENCY = 4;
const PAGE_LATENCY_MS = 100;
const FEEDS = 4;

interface WorkRun {
  workers: number;
  latencyMs: number;
  articles: number;
  /** From the first article page answered to the last item stored. */
  ms: number;
  itemsPerSec: number;
  pages: number;
  maxInFlight: number;
  /** Event-loop delay and CPU time in each worker from the first page answered to its exit, ms (bench/lib/loop-delay.mjs). */
  loopDelay: LoopDelay[];
}

interface LoopDelay {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** User + system CPU time. */
  cpuMs: number;
}

const LOOP_DELAY_PRELOAD = pathToFileURL(join(import.meta.dirname, 'lib', 'loop-delay.mjs')).href;

/** The loop-delay preload's environment for worker `i` of `env`, and the file it writes. */
function loopDelayEnv(env: FinewsEnv, i: number): { extra: Record<string, string>; file: string } {
  const file = join(env.dir, `loop-delay-${i}.json`);
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --import=${LOOP_DELAY_PRELOAD}`.trim();
  return { extra: { NODE_OPTIONS: nodeOptions, FINEWS_BENCH_LOOP_DELAY: file }, file };
}

/** Items stored under `env`'s prefix, read through the store port. */
async function storedCount(env: FinewsEnv, redis: Redis): Promise<number> {
  const { createRedisStore } = await import('../src/store/redis.js');
  const store = createRedisStore({ redis, prefix: env.redisPrefix });
  const cats = await store.listCategories();
  const all = cats.find((c) => c.slug === 'all');
  // Every generated item is in exactly one category, its publisher's.
  return all?.count ?? cats.reduce((n, c) => n + c.count, 0);
}

async function workRun(workers: number, latencyMs: number, perFeed: number): Promise<WorkRun> {
  const { createRedisJobs } = await import('../src/queue/redis-runtime.js');
  const { syncSchedulers } = await import('../src/queue/schedulers.js');
  const { loadConfigOrThrow } = await import('../src/config/load.js');
  const { silentLogger } = await import('../src/util/log.js');
  const site = await new NewsSite({ feeds: FEEDS, perFeed, pageLatencyMs: latencyMs }).start();
  const env = newEnv('redis', { feedUrls: site.feedUrls(), fetchArticles: true });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const children = [] as ReturnType<typeof spawnFinews>['child'][];
  const delayFiles: string[] = [];
  const loopDelay: LoopDelay[] = [];
  try {
    const log = silentLogger();
    const setup = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: env.redisPrefix, log });
    await syncSchedulers(setup.queues.refresh, await loadConfigOrThrow(env.configPath), log);
    await setup.close();
    for (let i = 0; i < workers; i++) {
      const { extra, file } = loopDelayEnv(env, i);
      delayFiles.push(file);
      children.push(spawnFinews(env, ['worker'], extra).child);
    }
    const deadline = Date.now() + 600_000;
    let stored = 0;
    let doneAt = 0;
    let sampling = false;
    while (Date.now() < deadline) {
      for (const c of children) if (c.exitCode !== null) throw new Error(`finews worker exited ${c.exitCode}`);
      if (!sampling && site.firstPageAt !== undefined) {
        // Start-up left out: the loop delay is sampled from the first page on.
        for (const c of children) c.kill('SIGUSR2');
        sampling = true;
      }
      stored = await storedCount(env, redis);
      if (stored >= site.items) {
        doneAt = performance.now();
        break;
      }
      await sleep(100);
    }
    if (doneAt === 0 || site.firstPageAt === undefined) throw new Error(`${stored} of ${site.items} items stored in 600 s`);
    const ms = doneAt - site.firstPageAt;
    return { workers, latencyMs, articles: site.items, ms, itemsPerSec: (site.items * 1000) / ms, pages: site.counts.pages, maxInFlight: site.counts.maxPagesInFlight, loopDelay };
  } finally {
    for (const c of children) await stopProcess(c);
    for (const file of delayFiles) if (existsSync(file)) loopDelay.push(JSON.parse(readFileSync(file, 'utf8')) as LoopDelay);
    redis.disconnect();
    await removeEnv(env);
    await site.stop();
  }
}

/** CPU time of all the run's workers per article stored (start-up left out), or '?' when a worker wrote none. */
function cpuPerArticle(r: WorkRun): string {
  if (r.loopDelay.length < r.workers) return '?';
  return fmtNum(r.loopDelay.reduce((ms, d) => ms + d.cpuMs, 0) / r.articles);
}

/** Runs the articles benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const perFeed = opts.quick ? 60 : 250;
  const one = await workRun(1, PAGE_LATENCY_MS, perFeed);
  const two = await workRun(2, PAGE_LATENCY_MS, perFeed);
  const bare = await workRun(1, 0, perFeed);
  const ceiling = (workers: number): number => (workers * ARTICLE_CONCURRENCY * 1000) / PAGE_LATENCY_MS;
  const side = (r: WorkRun, extra = ''): Comparison['ours'] => ({
    label: `${r.workers} finews worker${r.workers > 1 ? 's' : ''}, pages ${r.latencyMs} ms away`,
    unit: 'items/s',
    rate: r.itemsPerSec,
    detail: `${r.articles} articles in ${fmtMs(r.ms)} ms`,
    output: `${r.pages} pages fetched, at most ${r.maxInFlight} at once (≤ ${ARTICLE_CONCURRENCY * r.workers})${extra}; worker CPU ${cpuPerArticle(r)} ms/article; event-loop delay ${r.loopDelay.map((d) => `p50 ${d.p50} / p99 ${d.p99} / max ${d.max} ms`).join(', ')}`,
  });
  const ceilingSide = (workers: number): Comparison['baseline'] => ({
    label: `latency ceiling: ${workers} × ${ARTICLE_CONCURRENCY} page fetches at a time × ${1000 / PAGE_LATENCY_MS}/s`,
    unit: 'items/s',
    rate: ceiling(workers),
  });
  return [
    { bench: 'articles', scenario: `Redis mode, ${one.articles} articles in ${FEEDS} feeds, 1 worker`, ours: side(one), baseline: ceilingSide(1) },
    {
      bench: 'articles',
      scenario: `same, 2 worker processes`,
      ours: side(two, `; ${fmtNum(two.itemsPerSec / one.itemsPerSec)}× one worker`),
      baseline: ceilingSide(2),
    },
    {
      bench: 'articles',
      scenario: `1 worker, pages with no latency: above the 100 ms ceiling or CPU-bound`,
      ours: side(bare),
      baseline: ceilingSide(1),
    },
  ];
}
