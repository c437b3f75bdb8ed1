/**
 * `npm run bench` — runs the benchmarks in sequence and prints our numbers beside
 * their baselines, one table per benchmark and a combined table at the end.
 *
 *   npx tsx bench/run.ts [parse|readers|extract|serve|ingest|articles|memory|dedupe|categories|stories …] [--quick] [--connections=N] [--mode=embedded|redis] [--built-only]
 *
 * Never part of the test pass/fail. Talks only to 127.0.0.1.
 */
import { cpus } from 'node:os';
import * as categories from './categories.js';
import * as articles from './articles.js';
import * as dedupe from './dedupe.js';
import * as extract from './extract.js';
import * as ingest from './ingest.js';
import { BENCH_NAMES, parseArgs, type BenchName, type BenchOptions } from './lib/options.js';
import { renderTable, type Comparison } from './lib/report.js';
import * as memory from './memory.js';
import * as parse from './parse.js';
import * as readers from './readers.js';
import * as serve from './serve.js';
import * as stories from './stories.js';

const benches: Record<BenchName, (opts: BenchOptions) => Promise<Comparison[]>> = {
  parse: parse.run,
  readers: readers.run,
  extract: extract.run,
  serve: serve.run,
  ingest: ingest.run,
  articles: articles.run,
  memory: memory.run,
  dedupe: dedupe.run,
  categories: categories.run,
  stories: stories.run,
};

async function main(): Promise<void> {
  const { names, options } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  console.log(
    `finews bench — ${names.join(', ')}${options.quick ? ' (quick)' : ''} · node ${process.version} · ${cpus().length} CPU (${cpus()[0]?.model.trim() ?? 'unknown'}) · ${new Date().toISOString()}`,
  );
  const all: Comparison[] = [];
  for (const name of BENCH_NAMES.filter((n) => names.includes(n))) {
    const t0 = performance.now();
    let rows: Comparison[];
    try {
      rows = await benches[name](options);
    } catch (err) {
      console.error(`bench ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 1;
      continue;
    }
    all.push(...rows);
    if (names.length > 1) console.log(`\n${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n${renderTable(rows)}`);
  }
  console.log(`\nAll results (${((performance.now() - started) / 1000).toFixed(1)} s)\n${renderTable(all)}`);
}

await main();
