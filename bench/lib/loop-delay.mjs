// Preloaded into a finews process by a benchmark (NODE_OPTIONS=--import=…): samples how
// long the event loop was held (perf_hooks.monitorEventLoopDelay) and, at exit, writes
// the percentiles to the file named by FINEWS_BENCH_LOOP_DELAY, with the process's CPU time
// (user + system, ms) over the same span. SIGUSR2 starts the sampling over, so the bench can
// leave start-up out. Not part of finews.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';

const RESOLUTION_MS = 10;
const out = process.env.FINEWS_BENCH_LOOP_DELAY;
if (out) {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let cpuFrom = process.cpuUsage();
  process.on('SIGUSR2', () => {
    histogram.reset();
    cpuFrom = process.cpuUsage();
  });
  // The histogram holds the time between two ticks of a RESOLUTION_MS timer: the delay is what lies beyond it.
  const ms = (ns) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
  process.on('exit', () => {
    histogram.disable();
    const cpu = process.cpuUsage(cpuFrom);
    const p = (q) => ms(histogram.percentile(q));
    writeFileSync(out, JSON.stringify({ p50: p(50), p90: p(90), p99: p(99), max: ms(histogram.max), samples: histogram.count, cpuMs: Math.round((cpu.user + cpu.system) / 1000) }));
  });
}
