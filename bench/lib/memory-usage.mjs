// Preloaded into a finews process by a benchmark (NODE_OPTIONS=--import=…): on SIGUSR2
// writes process.memoryUsage() (bytes) to the file named by FINEWS_BENCH_MEMORY_USAGE, so
// the bench can split the resident set at rest into V8's heap, memory held outside it for
// JS objects (Buffers and other ArrayBuffers) and the rest (native allocations). Not part
// of finews.
import { renameSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const out = process.env.FINEWS_BENCH_MEMORY_USAGE;
// Written beside and renamed into place, so the bench never reads a half-written file.
if (out) {
  process.on('SIGUSR2', () => {
    writeFileSync(`${out}.tmp`, JSON.stringify(process.memoryUsage()));
    renameSync(`${out}.tmp`, out);
  });
}
