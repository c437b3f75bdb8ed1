/**
 * Ingest: `finews once` as a user runs it (a process of its own, embedded mode and Redis
 * mode) against the naive pipeline (bench/lib/naive-pipeline.ts), on the generated news
 * site: 20 feeds of 500 distinct items carrying their bodies, page fetches off. Three
 * passes, each side in turn: all items new; every feed answering 304; every feed
 * answering 200 with the bytes it sent before. Times are from spawn to exit, less the
 * same process's start-up (the same command on a config of no sources / no feeds).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finewsOnce, newEnv, removeEnv, runToExit, spawnScript, deleteRedisPrefix, REPO_ROOT, type FinewsEnv, type Mode } from './lib/finews-process.js';
import { NewsSite, type FeedMode } from './lib/news-site.js';
import type { BenchOptions } from './lib/options.js';
import { fmtMs, type Comparison, type Side } from './lib/report.js';

const NAIVE = join(REPO_ROOT, 'bench', 'lib', 'naive-pipeline.ts');

type Pass = 'new' | '304' | 'same-bytes';
const PASSES: readonly Pass[] = ['new', '304', 'same-bytes'];
const FEED_MODE: Record<Pass, FeedMode> = { new: 'etag', '304': 'etag', 'same-bytes': 'plain' };

interface PassResult {
  wallMs: number;
  /** What the pass reported doing, checked against what the site saw. */
  output: string;
}

/** A side of the benchmark: runs one pass (or the empty start-up pass) in a fresh process. */
interface Runner {
  label: string;
  startup(): Promise<number>;
  pass(p: Pass): Promise<PassResult>;
  close(): Promise<void>;
}

function finewsRunner(mode: Mode, site: NewsSite): Runner {
  const env: FinewsEnv = newEnv(mode, { feedUrls: site.feedUrls() });
  const empty: FinewsEnv = newEnv(mode, { feedUrls: [] });
  return {
    label: `finews once, ${mode}`,
    startup: async () => (await finewsOnce(empty)).ms,
    pass: async () => {
      const { ms, stdout } = await finewsOnce(env);
      const summary = /\d+ sources, \d+ failed; \d+ new items, \d+ duplicates/.exec(stdout)?.[0] ?? stdout.trim().split('\n').at(-1) ?? '';
      return { wallMs: ms, output: summary };
    },
    close: async () => {
      await removeEnv(env);
      await removeEnv(empty);
    },
  };
}

function naiveRunner(site: NewsSite): Runner {
  const dir = mkdtempSync(join(tmpdir(), 'finews-bench-naive-'));
  const prefix = `finews-bench:${process.pid}-${Date.now()}-naive:`;
  const feeds = join(dir, 'feeds.json');
  const none = join(dir, 'none.json');
  writeFileSync(feeds, JSON.stringify(site.feedUrls()));
  writeFileSync(none, '[]');
  const run = async (list: string, db: string, p: string): Promise<{ ms: number; stdout: string }> => {
    const child = spawnScript(NAIVE, [list, db, p]);
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (s: string) => (out += s));
    return runToExit(child, () => out, 'naive pipeline');
  };
  return {
    label: 'naive: rss-parser → SET NX → BullMQ job/item → SQLite',
    startup: async () => (await run(none, join(dir, 'empty.db'), `${prefix}empty:`)).ms,
    pass: async () => {
      const { ms, stdout } = await run(feeds, join(dir, 'naive.db'), prefix);
      const r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { newItems?: number; duplicates?: number; notModified?: number };
      return { wallMs: ms, output: `${r.newItems ?? '?'} new, ${r.duplicates ?? '?'} duplicates, ${r.notModified ?? '?'} not modified` };
    },
    close: async () => {
      rmSync(dir, { recursive: true, force: true });
      await deleteRedisPrefix(prefix);
    },
  };
}

interface Measured {
  label: string;
  startupMs: number;
  passes: Map<Pass, PassResult & { site: string }>;
}

function sideOf(m: Measured, pass: Pass, items: number): Side {
  const r = m.passes.get(pass);
  if (r === undefined) return { label: m.label, unit: '', failed: 'not run' };
  const netMs = Math.max(1, r.wallMs - m.startupMs);
  const detail = `pass ${fmtMs(netMs)} ms (wall ${fmtMs(r.wallMs)} − start-up ${fmtMs(m.startupMs)})`;
  const output = `${r.output}; site: ${r.site}`;
  return pass === 'new'
    ? { label: m.label, unit: 'items/s', rate: (items * 1000) / netMs, detail, output }
    : { label: m.label, unit: 'passes/s', rate: 1000 / netMs, detail, output };
}

/** Runs the ingest benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const feeds = 20;
  const perFeed = opts.quick ? 100 : 500;
  const site = await new NewsSite({ feeds, perFeed }).start();
  const runners = [finewsRunner('embedded', site), finewsRunner('redis', site), naiveRunner(site)];
  const measured: Measured[] = [];
  try {
    for (const r of runners) measured.push({ label: r.label, startupMs: await r.startup(), passes: new Map() });
    for (const pass of PASSES) {
      for (const [i, r] of runners.entries()) {
        site.mode = FEED_MODE[pass];
        site.resetCounts();
        const result = await r.pass(pass);
        measured[i]?.passes.set(pass, { ...result, site: `${site.counts.feed200}×200, ${site.counts.feed304}×304` });
      }
    }
  } finally {
    for (const r of runners) await r.close();
    await site.stop();
  }
  const [embedded, redis, naive] = measured;
  if (embedded === undefined || redis === undefined || naive === undefined) throw new Error('ingest: a side did not run');
  const items = feeds * perFeed;
  const scenario: Record<Pass, string> = {
    new: `${items.toLocaleString('en-US')} new items in ${feeds} feeds of ${perFeed}, bodies in the feed, no page fetch`,
    '304': `re-poll: every feed answers 304`,
    'same-bytes': `re-poll: every feed answers 200 with the same bytes`,
  };
  const rows: Comparison[] = [];
  for (const pass of PASSES) {
    for (const ours of [embedded, redis]) rows.push({ bench: 'ingest', scenario: scenario[pass], ours: sideOf(ours, pass, items), baseline: sideOf(naive, pass, items) });
  }
  return rows;
}
