import { loadConfigOrThrow } from '../../src/config/load.js';
import { createMetrics } from '../../src/metrics.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { compose, type Composition } from '../../src/runtime/compose.js';
import type { InProcessJobsOptions } from '../../src/runtime/in-process-jobs.js';
import { silentLogger } from '../../src/util/log.js';
import { testOptions } from './compose.js';
import { REDIS_URL } from './harness.js';

export type Mode = 'embedded' | 'redis';

export interface Pass {
  runtime: Composition;
  close(): Promise<void>;
}

export interface PassOptions {
  mode?: Mode;
  configPath: string;
  dataDir: string;
  /** Redis key prefix of the test (Redis mode). */
  prefix?: string;
  jobs?: Omit<InProcessJobsOptions, 'log' | 'metrics'>;
  /** Article concurrency of each Redis worker. */
  articleConcurrency?: number;
}

/**
 * Composes the runtime the way the daemon does and runs one refresh of every source to
 * completion: in-process jobs (embedded), or BullMQ workers on the real Redis.
 */
export async function runPass(opts: PassOptions): Promise<Pass> {
  const mode = opts.mode ?? 'embedded';
  const config = await loadConfigOrThrow(opts.configPath);
  const options = testOptions({ configPath: opts.configPath, dataDir: opts.dataDir, prefix: opts.prefix ?? 'finews-test-unused:', redisUrl: mode === 'redis' ? REDIS_URL : undefined });
  const runtime = await compose(options, config, silentLogger(), {
    metrics: createMetrics(),
    inProcess: { publishDebounceMs: 50, ...opts.jobs },
    workers: opts.articleConcurrency ? { concurrency: { article: opts.articleConcurrency } } : undefined,
  });
  const stopWorkers = mode === 'redis' ? await runtime.startWorkers() : async () => undefined;
  for (const s of config.sources) await refreshSource(runtime.deps, s.id, { force: true });
  if (!(await runtime.onIdle(30_000))) throw new Error('Redis queues did not drain within 30 s');
  return {
    runtime,
    close: async () => {
      await stopWorkers(30_000);
      await runtime.close();
    },
  };
}
