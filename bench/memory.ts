/**
 * Memory at rest: `finews start` (scheduler, workers and HTTP server in one process),
 * embedded mode and Redis mode, ingests every item of the generated site (100,000 in
 * 200 feeds of 500, bodies in the feed, no page fetch); once all are stored and the
 * process has been idle a while, its resident set is read from /proc. The goal is
 * ≤ 200 MB: the "baseline" column holds that budget, so the ratio is the share of it used.
 * RSS is read twice at rest: shortly after the last item (`justIdleMb`: the garbage of the
 * ingest is mostly still on the heap, since V8 collects an idle heap only after a while)
 * and after a longer idle (`restMb`, the goal's number: a daemon between polls idles for
 * minutes, and by then V8 has shrunk the heap). Each mode runs the compiled CLI (built once
 * per run, as the Docker image runs it) and, in the full run, the sources through tsx (a
 * checkout without `dist/`) for reference. At rest the process (through the preload
 * bench/lib/memory-usage.mjs) also reports process.memoryUsage(), which splits the anonymous
 * part into V8's heap, external memory (Buffers) and what is left: native allocations.
 * The daemon runs with the runtime settings of the Docker image (the allocator and Node
 * variables of the Dockerfile's `ENV`, read from it, see {@link imageRuntimeEnv}), and the
 * table says which; one set in the bench's own environment wins (set it empty to run without).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  freePort,
  installFinews,
  newEnv,
  removeEnv,
  removeInstall,
  REPO_ROOT,
  rssMbOf,
  sleep,
  spawnFinews,
  stopProcess,
  type Install,
  type Mode,
  type Runtime,
} from './lib/finews-process.js';
import { imageSpec } from '../tests/support/dockerfile.js';
import { NewsSite } from './lib/news-site.js';
import type { BenchOptions } from './lib/options.js';
import { fmtMs, type Comparison } from './lib/report.js';

const GOAL_MB = 200;

const RUNTIME_LABEL: Record<Runtime, string> = { built: 'compiled (dist/)', tsx: 'sources through tsx' };

interface RestResult {
  mode: Mode;
  runtime: Runtime;
  items: number;
  ingestMs: number;
  peakMb: number;
  /** RSS a short while after the last item was stored. */
  justIdleMb: number;
  /** RSS after the longer idle. */
  restMb: number;
  /** Of the RSS at rest: anonymous memory (heaps, buffers, SQLite's cache) and file-backed pages (the node binary, native addons). */
  anonMb: number;
  fileMb: number;
  /**
   * Of the anonymous part: the main thread's malloc heap (`[heap]` in /proc smaps), where
   * native memory freed after the ingest's peak stays resident when fragmented.
   */
  mallocMb: number;
  /** process.memoryUsage() at rest, MB (bench/lib/memory-usage.mjs); undefined when it did not answer. */
  usage?: UsageMb;
}

/** Parts of process.memoryUsage(), MB. */
interface UsageMb {
  /** V8's heap as reserved (`heapTotal`) and as live plus not yet collected (`heapUsed`). */
  heapTotalMb: number;
  heapUsedMb: number;
  /** Memory of JS objects held outside the heap (`external`, which includes `arrayBuffers`). */
  externalMb: number;
}

/** Variables of the image's `ENV` that tune the runtime rather than finews: glibc's allocator and Node's own. */
const RUNTIME_VARIABLE = /^(?:MALLOC_[A-Z_]+|GLIBC_TUNABLES|NODE_OPTIONS)$/;

/**
 * The runtime variables the Docker image sets (`ENV` of the Dockerfile's last stage, the one
 * that runs finews), each overridden by the bench's own environment when set there.
 */
function imageRuntimeEnv(own: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(imageSpec(REPO_ROOT).env)) if (RUNTIME_VARIABLE.test(key)) env[key] = own[key] ?? value;
  return env;
}

/** `K=V …` of `env`, for the table; "none" when empty. */
function envText(env: Record<string, string>): string {
  const set = Object.entries(env).filter(([, v]) => v !== '');
  return set.length === 0 ? 'none' : set.map(([k, v]) => `${k}=${v}`).join(' ');
}

const MEMORY_USAGE_PRELOAD = pathToFileURL(join(import.meta.dirname, 'lib', 'memory-usage.mjs')).href;

/** Asks the preloaded process `pid` for its memoryUsage (SIGUSR2) and reads what it wrote to `file`. */
async function usageOf(pid: number, file: string): Promise<UsageMb | undefined> {
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 20 && !existsSync(file); i++) await sleep(100);
  if (!existsSync(file)) return undefined;
  const u = JSON.parse(readFileSync(file, 'utf8')) as { heapTotal: number; heapUsed: number; external: number };
  const mb = (bytes: number): number => bytes / (1024 * 1024);
  return { heapTotalMb: mb(u.heapTotal), heapUsedMb: mb(u.heapUsed), externalMb: mb(u.external) };
}

/** RssAnon and RssFile of process `pid`, MB (Linux /proc). */
function rssPartsOf(pid: number): { anonMb: number; fileMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { anonMb: kb('RssAnon') / 1024, fileMb: (kb('RssFile') + kb('RssShmem')) / 1024 };
}

/** Resident MB of the `[heap]` mapping of process `pid` (glibc's main arena, grown by brk). */
function mallocHeapMbOf(pid: number): number {
  const smaps = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const at = smaps.search(/ \[heap\]\n/);
  if (at < 0) return 0;
  const rss = /^Rss:\s+(\d+) kB/m.exec(smaps.slice(at));
  return rss ? Number(rss[1]) / 1024 : Number.NaN;
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

interface Windows {
  /** Idle before the first reading. */
  justIdleMs: number;
  /** Idle before the reading at rest. */
  restMs: number;
  /** Longest ingest. */
  timeoutMs: number;
}

async function atRest(mode: Mode, install: Install, site: NewsSite, { justIdleMs, restMs, timeoutMs }: Windows, runtimeEnv: Record<string, string>): Promise<RestResult> {
  const env = newEnv(mode, { feedUrls: site.feedUrls() });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const usageFile = join(env.dir, 'memory-usage.json');
  const nodeOptions = `${runtimeEnv.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? ''} --import=${MEMORY_USAGE_PRELOAD}`.trim();
  const { child } = spawnFinews(env, ['start'], { ...runtimeEnv, PORT: String(port), HOST: '127.0.0.1', NODE_OPTIONS: nodeOptions, FINEWS_BENCH_MEMORY_USAGE: usageFile }, install);
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
    const idleFrom = Date.now();
    const idleUntil = async (ms: number): Promise<number> => {
      while (Date.now() < idleFrom + ms) {
        peakMb = Math.max(peakMb, rssMbOf(pid));
        await sleep(500);
      }
      return rssMbOf(pid);
    };
    const justIdleMb = await idleUntil(justIdleMs);
    const restMb = await idleUntil(restMs);
    const parts = { ...rssPartsOf(pid), mallocMb: mallocHeapMbOf(pid) };
    const usage = await usageOf(pid, usageFile);
    return { mode, runtime: install.runtime, items: stored, ingestMs, peakMb: Math.max(peakMb, justIdleMb, restMb), justIdleMb, restMb, ...parts, ...(usage ? { usage } : {}) };
  } finally {
    await stopProcess(child);
    await removeEnv(env);
  }
}

/** The memoryUsage part of a result's detail: heap reserved (used) and external, MB. */
function usageText(u: UsageMb | undefined): string {
  if (u === undefined) return '';
  return ` (of anon: JS heap ${Math.round(u.heapTotalMb)} MB, ${Math.round(u.heapUsedMb)} used; external ${Math.round(u.externalMb)} MB; the rest native)`;
}

/** Runs the memory benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const feeds = opts.quick ? 20 : 200;
  const perFeed = opts.quick ? 100 : 500;
  // V8 shrank an idle daemon's heap 50–75 s after its last work in trial runs.
  const windows: Windows = { justIdleMs: opts.quick ? 5_000 : 20_000, restMs: 120_000, timeoutMs: opts.quick ? 120_000 : 1_800_000 };
  const runtimes: Runtime[] = opts.quick || opts.builtOnly ? ['built'] : ['built', 'tsx'];
  const runtimeEnv = imageRuntimeEnv();
  const site = await new NewsSite({ feeds, perFeed }).start();
  const results: Array<RestResult | { mode: Mode; runtime: Runtime; error: string }> = [];
  try {
    for (const runtime of runtimes) {
      const install = await installFinews(runtime);
      try {
        for (const mode of opts.mode === undefined ? (['embedded', 'redis'] as const) : [opts.mode]) {
          try {
            results.push(await atRest(mode, install, site, windows, runtimeEnv));
          } catch (err) {
            // A daemon that does not get there is a result of the benchmark, not a crash of it.
            results.push({ mode, runtime, error: err instanceof Error ? err.message : String(err) });
          }
        }
      } finally {
        removeInstall(install);
      }
    }
  } finally {
    await site.stop();
  }
  const baseline: Comparison['baseline'] = { label: `goal: ≤ ${GOAL_MB} MB (ratio ≤ 1 meets it)`, unit: 'MB', rate: GOAL_MB };
  return results.map((r) => ({
    bench: 'memory',
    scenario: `finews start at rest (${windows.restMs / 1000} s idle) after ingesting ${site.items.toLocaleString('en-US')} items (${feeds} feeds of ${perFeed}), ${r.mode}, ${RUNTIME_LABEL[r.runtime]}`,
    ours: 'error' in r ? { label: `finews start, ${r.mode}`, unit: 'MB RSS at rest', failed: r.error } : {
      label: `finews start, ${r.mode}`,
      unit: 'MB RSS at rest',
      rate: r.restMb,
      detail: `anon ${Math.round(r.anonMb)} MB + file ${Math.round(r.fileMb)} MB${usageText(r.usage)}; main malloc heap ${Math.round(r.mallocMb)} MB; ${Math.round(r.justIdleMb)} MB after ${windows.justIdleMs / 1000} s idle; peak ${Math.round(r.peakMb)} MB; runtime env as the Docker image: ${envText(runtimeEnv)}`,
      output: `ingest ${fmtMs(r.ingestMs)} ms from spawn`,
    },
    baseline,
  }));
}
