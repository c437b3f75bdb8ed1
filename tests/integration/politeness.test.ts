import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { createMetrics } from '../../src/metrics.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { createRedisJobs, drainIdle, startRedisWorkers } from '../../src/queue/redis-runtime.js';
import { compose } from '../../src/runtime/compose.js';
import { testOptions } from '../support/compose.js';
import { silentLogger } from '../../src/util/log.js';
import { rssFeed, type FixtureArticle } from '../support/fixture-site.js';
import { configYaml, REDIS_URL, useFixtureSite, useRedisPrefix, writeConfig } from '../support/harness.js';
import { runPass } from '../support/pass.js';

const ARTICLES: FixtureArticle[] = Array.from({ length: 12 }, (_, i) => ({
  code: `2022033023275710${String(i).padStart(2, '0')}`,
  title: `沪深两市早盘震荡 第${i + 1}条快讯`,
  publisher: '证券时报网',
  pageDate: '2022年03月30日 09:45',
  pubDate: 'Wed, 30 Mar 2022 01:45:00 GMT',
  paragraphs: [`沪深两市早盘震荡整理，第${i + 1}条快讯。`],
}));

describe('politeness', () => {
  const fixture = useFixtureSite();
  const redis = useRedisPrefix();
  let configPath: string;

  beforeEach(async () => {
    const { site } = fixture;
    site.latencyMs = 80;
    for (const a of ARTICLES) site.addArticle(a);
    site.feed('/rss/live.xml', () => rssFeed(site, '7x24快讯', ARTICLES, (a) => site.url(`/a/${a.code}.html`)));
    configPath = await writeConfig(
      fixture.dir,
      configYaml([{ id: 'live', url: site.url('/rss/live.xml') }], { politeness: { perHost: 2, spacing: '50ms' } }),
    );
  });

  /**
   * Starts are at least `spacing` apart, so the run cannot be shorter than that many
   * gaps. (Arrival times are read in this process, whose event loop also runs the
   * pipeline, so single gaps can look shorter than they were; the span cannot.)
   */
  const expectSpaced = (spacingMs: number): void => {
    const starts = fixture.site.requests.map((r) => r.at).sort((a, b) => a - b);
    const span = (starts.at(-1) ?? 0) - (starts[0] ?? 0);
    expect(span).toBeGreaterThanOrEqual((starts.length - 1) * spacingMs - 20);
  };

  it('embedded mode never has more than perHost requests in flight to one host', async () => {
    const { site, dir } = fixture;
    const { runtime, close } = await runPass({ configPath, dataDir: path.join(dir, 'data'), jobs: { articleConcurrency: 8 } });
    expect((await runtime.store.listItems({ limit: 50 })).items).toHaveLength(12);
    await close();
    expect(site.requests.length).toBe(13);
    expect(site.maxInFlight).toBe(2);
    expectSpaced(50);
  });

  it('two Redis-mode worker processes share one per-host limit', async () => {
    const { site, dir } = fixture;
    const { prefix } = redis;
    const config = await loadConfigOrThrow(configPath);
    const log = silentLogger();
    const options = { ...testOptions({ dataDir: dir, redisUrl: REDIS_URL, prefix }), jobs: 'in-process' as const };
    const a = await compose(options, config, log, { metrics: createMetrics() });
    const b = await compose(options, config, log, { metrics: createMetrics() });
    const redisJobs = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: prefix, log });
    const workersA = await startRedisWorkers(a.pipeline(redisJobs.jobs), { redisUrl: REDIS_URL, keyPrefix: prefix, concurrency: { article: 8 } });
    const workersB = await startRedisWorkers(b.pipeline(redisJobs.jobs), { redisUrl: REDIS_URL, keyPrefix: prefix, concurrency: { article: 8 } });
    try {
      await refreshSource(a.pipeline(redisJobs.jobs), 'live', { force: true });
      expect(await drainIdle(redisJobs.queues, 30_000)).toBe(true);
      expect((await a.store.listItems({ limit: 50 })).items).toHaveLength(12);
    } finally {
      await workersA.close();
      await workersB.close();
      await redisJobs.close();
      await a.close();
      await b.close();
    }
    expect(site.requests.length).toBe(13);
    expect(site.maxInFlight).toBeLessThanOrEqual(2);
    expectSpaced(50);
  });
});
