/** Command-line options shared by every benchmark. */

export interface BenchOptions {
  /** Reduced scale, shorter measuring windows, fewer rounds: each benchmark in under 2 minutes. */
  quick: boolean;
  /** Concurrent keep-alive clients of the serve benchmark. @defaultValue 16 */
  connections: number;
  /** Only this mode, in the benchmarks that run both (memory). @defaultValue both */
  mode?: 'embedded' | 'redis';
  /** Only the compiled CLI, in the memory benchmark (not also the sources through tsx). */
  builtOnly: boolean;
}

/** Names of the benchmarks, in the order a full run takes them. */
export const BENCH_NAMES = ['parse', 'readers', 'extract', 'serve', 'ingest', 'articles', 'memory', 'dedupe', 'categories', 'stories'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

export function isBenchName(s: string): s is BenchName {
  return (BENCH_NAMES as readonly string[]).includes(s);
}

/** Parses `[name…] [--quick] [--connections=N] [--mode=embedded|redis] [--built-only]`; throws on anything else. */
export function parseArgs(argv: readonly string[]): { names: BenchName[]; options: BenchOptions } {
  const names: BenchName[] = [];
  const options: BenchOptions = { quick: false, connections: 16, builtOnly: false };
  for (const arg of argv) {
    if (arg === '--quick') options.quick = true;
    else if (arg.startsWith('--connections=')) {
      const n = Number(arg.slice('--connections='.length));
      if (!Number.isInteger(n) || n < 1 || n > 1024) throw new Error(`--connections wants an integer 1..1024, got ${arg}`);
      options.connections = n;
    } else if (arg === '--mode=embedded' || arg === '--mode=redis') options.mode = arg.slice('--mode='.length) as 'embedded' | 'redis';
    else if (arg === '--built-only') options.builtOnly = true;
    else if (isBenchName(arg)) names.push(arg);
    else throw new Error(`unknown argument ${arg}; usage: bench/run.ts [${BENCH_NAMES.join('|')}…] [--quick] [--connections=N] [--mode=embedded|redis] [--built-only]`);
  }
  return { names: names.length === 0 ? [...BENCH_NAMES] : names, options };
}
