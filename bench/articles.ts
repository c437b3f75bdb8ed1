import type { BenchOptions } from './lib/options.js';
import type { Comparison } from './lib/report.js';

export function run(_opts: BenchOptions): Promise<Comparison[]> {
  return Promise.resolve([]);
}
