import { loadConfigOrThrow } from '../../src/config/load.js';
import { createMetrics } from '../../src/metrics.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { createRedisJobs, drainIdle, startRedisWorkers } from '../../src/queue/redis-runtime.js';
import { InProcessJobs, type InProcessJobsOptions } from '../../src/runtime/in-process-jobs.js';
import { openRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { silentLogger } from '../../src/util/log.js';
import { REDIS_URL } from './harness.js';

export type Mode = 'embedded' | 'redis';

export interface Pass {
  runtime: Runtime;
  close(): Promise<void>;
}

export interface PassOptions {
  mode?: Mode;
  configPath: string;
  dataDir: string;
  /** Redis key prefix of the test (Redis mode). */
  prefix?: string;
  jobs?: InProcessJobsOptions;
  /** Article concurrency of each Redis worker. */
  articleConcurrency?: number;
}

/**
 * Opens the runtime the way the daemon does and runs one refresh of every source to
 * completion: in-process jobs (embedded), or BullMQ workers on the real Redis.
 */
export async function runPass(opts: PassOptions): Promise<Pass> {
  const mode = opts.mode ?? 'embedded';
  const prefix = opts.prefix ?? 'finews-test-unused:';
  const config = await loadConfigOrThrow(opts.configPath);
  const log = silentLogger();
  const options = { configPath: opts.configPath, dataDir: opts.dataDir, redisPrefix: prefix, redisUrl: mode === 'redis' ? REDIS_URL : undefined };
  const runtime = await openRuntime(options, config, log, createMetrics());
  if (mode === 'embedded') {
    const jobs = new InProcessJobs({ publishDebounceMs: 50, ...opts.jobs });
    const deps = runtime.pipeline(jobs);
    jobs.bind(deps);
    for (const s of config.sources) await refreshSource(deps, s.id, { force: true });
    await jobs.onIdle();
    return { runtime, close: async () => (await jobs.close(), await runtime.close()) };
  }
  const redisJobs = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: prefix, log });
  const deps = runtime.pipeline(redisJobs.jobs);
  const concurrency = opts.articleConcurrency ? { article: opts.articleConcurrency } : undefined;
  const workers = await startRedisWorkers(deps, { redisUrl: REDIS_URL, keyPrefix: prefix, concurrency });
  for (const s of config.sources) await refreshSource(deps, s.id, { force: true });
  if (!(await drainIdle(redisJobs.queues, 30_000))) throw new Error('Redis queues did not drain within 30 s');
  return {
    runtime,
    close: async () => {
      await workers.close();
      await redisJobs.close();
      await runtime.close();
    },
  };
}
