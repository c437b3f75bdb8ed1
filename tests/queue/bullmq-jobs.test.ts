import type { Job, Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArticleJob } from '../../src/pipeline/ports.js';
import type { PublishJobData } from '../../src/queue/queues.js';
import { createRedisJobs, drainIdle, type RedisJobs } from '../../src/queue/redis-runtime.js';
import { createLogger, silentLogger } from '../../src/util/log.js';
import { captureJsonLog, REDIS_URL, redisPrefix, waitFor } from '../support/harness.js';
import { articleJob, countAddBulk, sleep, testWorker, wipe } from './support.js';

const PUBLISH_DELAY_MS = 300;
const PUBLISH_INTERVAL_MS = 1000;

describe('BullmqJobs', () => {
  let prefix: string;
  let redisJobs: RedisJobs;
  const workers: Worker[] = [];

  beforeEach(async () => {
    prefix = redisPrefix();
    redisJobs = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: prefix, log: silentLogger(), publishDelayMs: PUBLISH_DELAY_MS, publishIntervalMs: PUBLISH_INTERVAL_MS });
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
    await wipe(redisJobs.queues, prefix);
    await redisJobs.close();
  });

  describe('enqueueArticles', () => {
    it('keeps one job for an item key enqueued twice', async () => {
      const job = articleJob('202203302327572513');
      await redisJobs.jobs.enqueueArticles([job]);
      await redisJobs.jobs.enqueueArticles([{ ...job, sourceId: 'cs-finance' }]);

      const counts = await redisJobs.queues.article.getJobCounts('wait', 'delayed', 'active', 'prioritized');
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(1);
      const stored = await redisJobs.queues.article.getJob(job.key);
      expect(stored?.data.sourceId).toBe('cinn-industry');
      expect(stored?.opts.attempts).toBe(5);
      expect(stored?.opts.backoff).toEqual({ type: 'exponential', delay: 2000, jitter: 0.5 });
    });

    it('runs a key once while its job is pending, and again once that job has finished', async () => {
      const seen: string[] = [];
      workers.push(
        testWorker<ArticleJob, void>(prefix, 'article', async (j) => {
          seen.push(j.data.key);
          await sleep(100);
        }),
      );
      const job = articleJob('202203302327570001');
      await Promise.all([redisJobs.jobs.enqueueArticles([job]), redisJobs.jobs.enqueueArticles([job]), redisJobs.jobs.enqueueArticles([job])]);
      expect(await drainIdle(redisJobs.queues, 10_000)).toBe(true);
      expect(seen).toEqual([job.key]);

      // The claim of a key is only ever handed out again after it was forgotten: that must run.
      await redisJobs.jobs.enqueueArticles([job]);
      expect(await drainIdle(redisJobs.queues, 10_000)).toBe(true);
      expect(seen).toEqual([job.key, job.key]);
    });
  });

  describe('requestPublish', () => {
    function countingPublisher(renderMs = 0): { runs: string[]; running: () => number } {
      const runs: string[] = [];
      let active = 0;
      workers.push(
        testWorker<PublishJobData, void>(
          prefix,
          'publish',
          async (j: Job<PublishJobData>) => {
            active++;
            runs.push(j.data.slug);
            await sleep(renderMs);
            active--;
          },
          4,
        ),
      );
      return { runs, running: () => active };
    }

    it('renders a slug once or twice for a burst of 200 requests', async () => {
      const { runs } = countingPublisher();
      const started = Date.now();
      await Promise.all(Array.from({ length: 200 }, () => redisJobs.jobs.requestPublish(['zhongguogongyebao', 'all'])));
      expect(await drainIdle(redisJobs.queues, 10_000)).toBe(true);

      for (const slug of ['zhongguogongyebao', 'all']) {
        const times = runs.filter((s) => s === slug).length;
        expect(times, slug).toBeGreaterThanOrEqual(1);
        expect(times, slug).toBeLessThanOrEqual(2);
      }
      expect(Date.now() - started).toBeGreaterThanOrEqual(PUBLISH_DELAY_MS);
    });

    it('never renders one slug twice at once, and renders again after a request that came during a render', async () => {
      let concurrent = 0;
      let peak = 0;
      const runs: number[] = [];
      workers.push(
        testWorker<PublishJobData, void>(
          prefix,
          'publish',
          async () => {
            peak = Math.max(peak, ++concurrent);
            runs.push(Date.now());
            await sleep(500);
            concurrent--;
          },
          4,
        ),
      );
      await redisJobs.jobs.requestPublish(['industry']);
      await waitFor(() => runs.length === 1, 5000, 'first render');
      // Saves landing mid-render: the render already read the store, so one more must follow.
      for (let i = 0; i < 50; i++) await redisJobs.jobs.requestPublish(['industry']);
      expect(await drainIdle(redisJobs.queues, 10_000)).toBe(true);

      expect(runs).toHaveLength(2);
      expect(peak).toBe(1);
      expect((runs[1] ?? 0) - (runs[0] ?? 0)).toBeGreaterThanOrEqual(500);
    });

    it('waits the interval, not the delay, before rendering again a slug whose requests keep coming', async () => {
      const runs: number[] = [];
      workers.push(testWorker<PublishJobData, void>(prefix, 'publish', async () => void runs.push(Date.now()), 4));
      await redisJobs.jobs.requestPublish(['industry']);
      await waitFor(() => runs.length === 1, 5000, 'first render');
      await redisJobs.jobs.requestPublish(['industry']);
      expect(await drainIdle(redisJobs.queues, 10_000)).toBe(true);

      expect(runs).toHaveLength(2);
      expect((runs[1] ?? 0) - (runs[0] ?? 0)).toBeGreaterThanOrEqual(PUBLISH_INTERVAL_MS);
    });

    it('sends no request a pending render covers, and sends one again once that render is near', async () => {
      const opts = { redisUrl: REDIS_URL, keyPrefix: prefix, log: silentLogger(), publishDelayMs: 1200, publishIntervalMs: 1200 };
      const own = await createRedisJobs(opts);
      const other = await createRedisJobs(opts);
      try {
        const sent = { own: countAddBulk(own.queues.publish), other: countAddBulk(other.queues.publish) };
        const { runs } = countingPublisher();
        await own.jobs.requestPublish(['industry']);
        for (let i = 0; i < 20; i++) await own.jobs.requestPublish(['industry', 'all']);
        // `all` got a job of its own with the second request; `industry` was covered from the first.
        expect(sent.own()).toBe(2);
        // Another process joins the job through Redis once, then knows when it is due.
        await other.jobs.requestPublish(['industry']);
        await sleep(100);
        for (let i = 0; i < 5; i++) await other.jobs.requestPublish(['industry']);
        expect(sent.other()).toBe(1);
        // Within 500 ms of the render being due, requests go to Redis again.
        await sleep(700);
        await own.jobs.requestPublish(['industry']);
        await other.jobs.requestPublish(['industry']);
        expect({ own: sent.own(), other: sent.other() }).toEqual({ own: 3, other: 2 });
        expect(await drainIdle(own.queues, 10_000)).toBe(true);
        expect([...runs].sort()).toEqual(['all', 'industry']);
      } finally {
        await own.close();
        await other.close();
      }
    });

    it('sends every request while a render runs, and renders once more after it', async () => {
      const own = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: prefix, log: silentLogger(), publishDelayMs: 800, publishIntervalMs: 800 });
      try {
        const sent = countAddBulk(own.queues.publish);
        const { runs, running } = countingPublisher(600);
        await own.jobs.requestPublish(['industry']);
        await waitFor(() => running() === 1, 5000, 'the render to start');
        for (let i = 0; i < 5; i++) {
          await own.jobs.requestPublish(['industry']);
          await sleep(50);
        }
        // The job they joined was running: none of them could be answered locally.
        expect(sent()).toBe(6);
        expect(await drainIdle(own.queues, 10_000)).toBe(true);
        expect(runs).toEqual(['industry', 'industry']);
      } finally {
        await own.close();
      }
    });

    it('forgets the slugs it has not been asked for lately, however many it has seen', async () => {
      const own = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: prefix, log: silentLogger(), publishDelayMs: 50, publishIntervalMs: 50 });
      try {
        // Publishers come and go: three rounds of 1500 slugs never asked for again.
        for (let round = 0; round < 3; round++) {
          await own.jobs.requestPublish(Array.from({ length: 1500 }, (_, i) => `publisher-${round}-${i}`));
          await sleep(100);
        }
        await own.jobs.requestPublish(['industry']);
        expect(own.jobs.trackedSlugs()).toBeLessThanOrEqual(1500 + 1);
      } finally {
        await own.queues.publish.obliterate({ force: true });
        await own.close();
      }
    });

    it('logs, naming the slug, a failed look-up of the job a request joined, and still sends the next request', async () => {
      const { lines, stream } = captureJsonLog<{ level: number; msg: string; slug?: string }>();
      const opts = { redisUrl: REDIS_URL, keyPrefix: prefix, publishDelayMs: 1500, publishIntervalMs: 1500 };
      const own = await createRedisJobs({ ...opts, log: silentLogger() });
      const other = await createRedisJobs({ ...opts, log: createLogger({ stream, pretty: false }) });
      try {
        const q = other.queues.publish;
        const sent = countAddBulk(q);
        q.getJob = () => Promise.reject(new Error('connection reset'));
        await own.jobs.requestPublish(['industry']);
        await other.jobs.requestPublish(['industry']);
        await waitFor(() => lines.some((l) => l.slug === 'industry'), 2000, 'the failed look-up to be logged');
        expect(lines.find((l) => l.slug === 'industry')?.level).toBe(40);
        // Not knowing when the job is due, the next request goes to Redis and joins it.
        await other.jobs.requestPublish(['industry']);
        expect(sent()).toBe(2);
      } finally {
        await own.close();
        await other.close();
      }
    });

    it('queues each changed slug once, `all` included, and nothing for no change', async () => {
      const { runs } = countingPublisher();
      await redisJobs.jobs.requestPublish(['zhongguogongyebao', 'industry', 'all', 'industry']);
      expect(await drainIdle(redisJobs.queues, 10_000)).toBe(true);
      expect([...runs].sort()).toEqual(['all', 'industry', 'zhongguogongyebao']);

      await redisJobs.jobs.requestPublish([]);
      expect(await drainIdle(redisJobs.queues, 10_000)).toBe(true);
      expect(runs).toHaveLength(3);
    });
  });

  describe('drainIdle', () => {
    it('reports false while work is still waiting', async () => {
      await redisJobs.jobs.enqueueArticles([articleJob('202203302327570002')]);
      expect(await drainIdle(redisJobs.queues, 300)).toBe(false);
    });
  });
});
