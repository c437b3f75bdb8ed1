#!/usr/bin/env node
// Entry point of a worker process (Redis mode): the refresh, article and publish workers of
// `finews worker`, with the same flags and environment, e.g.
//   REDIS_URL=redis://127.0.0.1:6379 node dist/workers/worker.js --config feeds.yaml
import { runAsProcess } from '../src/cli/main.js';

runAsProcess(['worker', ...process.argv.slice(2)]);
