/**
 * Memory at rest: `finews start` (scheduler, workers and HTTP server in one process),
 * embedded mode and Redis mode, ingests every item of the generated site (100,000 in
 * 200 feeds of 500, bodies in the feed, no page fetch); once all are stored and the
 * process has been idle a while, its resident set is read from /proc. The goal is
 * ≤ 200 MB: the "baseline" column holds that budget, so the ratio is the share of it used.
 */
import { freePort, newEnv, removeEnv, rssMbOf, sleep, spawnFinews, stopProcess, type Mode } from './lib/finews-process.js';
import { NewsSite } from './lib/news-site.js';
import type { BenchOptions } from './lib/options.js';
import { fmtMs, type Comparison } from './lib/report.js';

const GOAL_MB = 200;

interface RestResult {
  mode: Mode;
  items: number;
  ingestMs: number;
  peakMb: number;
  restMb: number;
}

/** Items the daemon reports through `/api/categories` (every generated item is in one category, its publisher's). */
async function storedCount(origin: string): Promise<number> {
  try {
    const res = await fetch(`${origin}/api/categories`);
    if (res.status !== 200) return 0;
    const doc = (await res.json()) as { categories: Array<{ slug: string; count: number }> };
    const all = doc.categories.find((c) => c.slug === 'all');
    return all?.count ?? doc.categories.reduce((n, c) => n + c.count, 0);
  } catch {
    return 0;
  }
}

async function atRest(mode: Mode, site: NewsSite, restMs: number, timeoutMs: number): Promise<RestResult> {
  const env = newEnv(mode, { feedUrls: site.feedUrls() });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const { child } = spawnFinews(env, ['start'], { PORT: String(port), HOST: '127.0.0.1' });
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('finews start did not start');
    let peakMb = 0;
    let stored = 0;
    const deadline = Date.now() + timeoutMs;
    while (stored < site.items) {
      if (child.exitCode !== null) throw new Error(`finews start exited ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`${stored} of ${site.items} items stored in ${timeoutMs / 1000} s (RSS then ${Math.round(rssMbOf(pid))} MB, peak ${Math.round(peakMb)} MB)`);
      peakMb = Math.max(peakMb, rssMbOf(pid));
      stored = await storedCount(origin);
      await sleep(500);
    }
    const ingestMs = performance.now() - t0;
    // At rest: publishing settles, then nothing is due for an hour.
    const restEnd = Date.now() + restMs;
    while (Date.now() < restEnd) {
      peakMb = Math.max(peakMb, rssMbOf(pid));
      await sleep(500);
    }
    const restMb = rssMbOf(pid);
    return { mode, items: stored, ingestMs, peakMb: Math.max(peakMb, restMb), restMb };
  } finally {
    await stopProcess(child);
    await removeEnv(env);
  }
}

/** Runs the memory benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const feeds = opts.quick ? 20 : 200;
  const perFeed = opts.quick ? 100 : 500;
  const restMs = opts.quick ? 5_000 : 20_000;
  const timeoutMs = opts.quick ? 120_000 : 1_800_000;
  const site = await new NewsSite({ feeds, perFeed }).start();
  const results: Array<RestResult | { mode: Mode; error: string }> = [];
  try {
    for (const mode of ['embedded', 'redis'] as const) {
      try {
        results.push(await atRest(mode, site, restMs, timeoutMs));
      } catch (err) {
        // A daemon that does not get there is a result of the benchmark, not a crash of it.
        results.push({ mode, error: err instanceof Error ? err.message : String(err) });
      }
    }
  } finally {
    await site.stop();
  }
  const baseline: Comparison['baseline'] = { label: `goal: ≤ ${GOAL_MB} MB (ratio ≤ 1 meets it)`, unit: 'MB', rate: GOAL_MB };
  return results.map((r) => ({
    bench: 'memory',
    scenario: `finews start at rest (${restMs / 1000} s idle) after ingesting ${site.items.toLocaleString('en-US')} items (${feeds} feeds of ${perFeed}), ${r.mode}`,
    ours: 'error' in r ? { label: `finews start, ${r.mode}`, unit: 'MB RSS at rest', failed: r.error } : {
      label: `finews start, ${r.mode}`,
      unit: 'MB RSS at rest',
      rate: r.restMb,
      detail: `peak ${Math.round(r.peakMb)} MB while ingesting`,
      output: `ingest ${fmtMs(r.ingestMs)} ms from spawn`,
    },
    baseline,
  }));
}
