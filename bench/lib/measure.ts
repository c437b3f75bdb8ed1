/**
 * Timing and memory measurement inside one benchmark process. Every case runs in a
 * process of its own (see fork.ts), so its peak RSS is its own and not the sum of
 * whatever ran before it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MB = 1024 * 1024;

/** Forces a full collection: `--expose-gc` when the process has it, else enabled at run time. */
export const collectGarbage: () => void = (() => {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing !== undefined) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Memory of a process while a case ran. */
export interface MemStats {
  /** Peak resident set of the whole process over its life (node, modules, fixture, work), MB. */
  rssPeakMb: number;
  /** Highest RSS seen while measuring minus RSS just before (after a full GC), MB. */
  rssDeltaMb: number;
  /** Highest V8 heap use seen while measuring minus heap use just before (after a full GC), MB. */
  heapDeltaMb: number;
}

/**
 * Samples RSS and heap use: call `sample()` between operations; a timer also samples
 * whenever the event loop is free (during I/O waits), which catches peaks of async work.
 */
export class MemorySampler {
  private readonly rss0: number;
  private readonly heap0: number;
  private rssMax: number;
  private heapMax: number;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 5) {
    collectGarbage();
    const m = process.memoryUsage();
    this.rss0 = m.rss;
    this.heap0 = m.heapUsed;
    this.rssMax = m.rss;
    this.heapMax = m.heapUsed;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.rssMax) this.rssMax = m.rss;
    if (m.heapUsed > this.heapMax) this.heapMax = m.heapUsed;
  }

  stop(): MemStats {
    this.sample();
    clearInterval(this.timer);
    return {
      rssPeakMb: process.resourceUsage().maxRSS / 1024,
      rssDeltaMb: (this.rssMax - this.rss0) / MB,
      heapDeltaMb: (this.heapMax - this.heap0) / MB,
    };
  }
}

/** How long and how often to repeat an operation. */
export interface LoopPlan {
  /** Untimed runs first (JIT warm-up). */
  warmupOps: number;
  /** Keep going at least this long… */
  minMs: number;
  /** …and at least this many times… */
  minOps: number;
  /** …but never more than this many times. */
  maxOps: number;
}

/** What a timed loop measured. */
export interface LoopResult {
  ops: number;
  elapsedMs: number;
  opsPerSec: number;
  msPerOp: number;
  mem: MemStats;
}

/** Runs `op` per `plan` and reports its rate and the memory it took. `op` may be sync or async. */
export async function timeLoop(op: () => unknown, plan: LoopPlan): Promise<LoopResult> {
  for (let i = 0; i < plan.warmupOps; i++) await op();
  const sampler = new MemorySampler();
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (ops < plan.maxOps && (ops < plan.minOps || elapsed < plan.minMs)) {
    const r = op();
    if (r instanceof Promise) await r;
    ops++;
    sampler.sample();
    elapsed = performance.now() - start;
  }
  const mem = sampler.stop();
  return { ops, elapsedMs: elapsed, opsPerSec: (ops * 1000) / elapsed, msPerOp: elapsed / ops, mem };
}
