import type { Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config, SourceConfig } from '../../src/domain.js';
import type { RefreshJobData } from '../../src/queue/queues.js';
import { createRedisJobs, type RedisJobs } from '../../src/queue/redis-runtime.js';
import { pollEveryMs, syncSchedulers } from '../../src/queue/schedulers.js';
import { silentLogger } from '../../src/util/log.js';
import { testConfig, testSource } from '../support/config.js';
import { REDIS_URL, redisPrefix, waitFor } from '../support/harness.js';
import { testWorker, wipe } from './support.js';

const MIN = 60_000;

const source = (id: string, overrides: Partial<SourceConfig> = {}): SourceConfig =>
  testSource(id, { url: `https://finance.eastmoney.com/rss/${id}.xml`, everyMs: 10 * MIN, ...overrides });

const config = (sources: SourceConfig[]): Config => testConfig(sources);

describe('pollEveryMs', () => {
  it.each([
    [{ everyMs: 10 * MIN, timeoutMs: 20_000 }, MIN],
    [{ everyMs: 60 * MIN, timeoutMs: 20_000 }, MIN],
    [{ everyMs: 2 * MIN, timeoutMs: 20_000 }, 24_000],
    [{ everyMs: 30_000, timeoutMs: 20_000 }, 20_000],
    [{ everyMs: 10_000, timeoutMs: 20_000 }, 10_000],
  ])('ticks %o every %i ms', (src, expected) => {
    expect(pollEveryMs(src)).toBe(expected);
  });
});

describe('syncSchedulers', () => {
  let prefix: string;
  let redisJobs: RedisJobs;
  const workers: Worker[] = [];
  const log = silentLogger();

  beforeEach(async () => {
    prefix = redisPrefix();
    redisJobs = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: prefix, log });
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
    await wipe(redisJobs.queues, prefix);
    await redisJobs.close();
  });

  async function schedules(): Promise<Record<string, { every?: number; sourceId?: string; next?: number }>> {
    const list = await redisJobs.queues.refresh.getJobSchedulers(0, -1);
    return Object.fromEntries(list.map((s) => [s.key, { every: s.every, sourceId: s.template?.data?.sourceId, next: s.next }]));
  }

  it('adds one scheduler per enabled source whose first refresh is due at once', async () => {
    const cfg = config([source('cinn-industry'), source('cs-finance', { everyMs: 2 * MIN }), source('paused-feed', { enabled: false })]);
    const result = await syncSchedulers(redisJobs.queues.refresh, cfg, log);

    expect(result).toEqual({ added: ['cinn-industry', 'cs-finance'], changed: [], removed: [] });
    const s = await schedules();
    expect(Object.keys(s).sort()).toEqual(['source-cinn-industry', 'source-cs-finance']);
    expect(s['source-cinn-industry']).toMatchObject({ every: MIN, sourceId: 'cinn-industry' });
    expect(s['source-cs-finance']).toMatchObject({ every: 24_000, sourceId: 'cs-finance' });

    const waiting = await redisJobs.queues.refresh.getWaiting();
    expect(waiting.map((j) => j.data.sourceId).sort()).toEqual(['cinn-industry', 'cs-finance']);
  });

  it('leaves schedules alone when called again with the same config', async () => {
    const cfg = config([source('cinn-industry'), source('cs-finance')]);
    await syncSchedulers(redisJobs.queues.refresh, cfg, log);
    const before = await schedules();
    const jobsBefore = (await redisJobs.queues.refresh.getJobs(['wait', 'delayed'])).map((j) => j.id).sort();

    const again = await syncSchedulers(redisJobs.queues.refresh, config([source('cinn-industry'), source('cs-finance')]), log);
    expect(again).toEqual({ added: [], changed: [], removed: [] });
    expect(await schedules()).toEqual(before);
    expect((await redisJobs.queues.refresh.getJobs(['wait', 'delayed'])).map((j) => j.id).sort()).toEqual(jobsBefore);
  });

  it('re-times a source whose interval changed and removes removed or disabled sources', async () => {
    await syncSchedulers(redisJobs.queues.refresh, config([source('cinn-industry'), source('cs-finance'), source('stcn')]), log);
    // An unrelated scheduler on the same queue is not finews's to remove.
    await redisJobs.queues.refresh.upsertJobScheduler('maintenance', { every: 60 * MIN }, { name: 'refresh', data: { sourceId: 'none' } });

    const result = await syncSchedulers(
      redisJobs.queues.refresh,
      config([source('cinn-industry', { everyMs: 2 * MIN }), source('stcn', { enabled: false })]),
      log,
    );
    expect(result).toEqual({ added: [], changed: ['cinn-industry'], removed: ['cs-finance', 'stcn'] });
    const s = await schedules();
    expect(Object.keys(s).sort()).toEqual(['maintenance', 'source-cinn-industry']);
    expect(s['source-cinn-industry']?.every).toBe(24_000);

    const back = await syncSchedulers(redisJobs.queues.refresh, config([source('cinn-industry', { everyMs: 2 * MIN }), source('stcn')]), log);
    expect(back).toEqual({ added: ['stcn'], changed: [], removed: [] });
  });

  it('hands the refresh worker each source at once, then again at its tick', async () => {
    const seen: Array<{ sourceId: string; at: number }> = [];
    workers.push(testWorker<RefreshJobData, void>(prefix, 'refresh', async (j) => void seen.push({ sourceId: j.data.sourceId, at: Date.now() })));
    const started = Date.now();
    // every 2 s with a 400 ms timeout ticks every 400 ms.
    await syncSchedulers(redisJobs.queues.refresh, config([source('fast', { everyMs: 2000, timeoutMs: 400 })]), log);

    await waitFor(() => seen.length >= 3, 5000, 'three refresh jobs');
    expect(seen.every((s) => s.sourceId === 'fast')).toBe(true);
    expect((seen[0]?.at ?? Infinity) - started).toBeLessThan(1000);
    expect((seen[2]?.at ?? 0) - (seen[1]?.at ?? 0)).toBeGreaterThanOrEqual(300);
  });
});
