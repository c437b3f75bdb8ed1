import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { feedDocName } from '../../src/publish/doc-names.js';
import { createRedisJobs, drainIdle, startRedisWorkers, type RedisJobs, type RedisWorkers } from '../../src/queue/redis-runtime.js';
import { compose, type Composition } from '../../src/runtime/compose.js';
import { silentLogger } from '../../src/util/log.js';
import { testOptions } from '../support/compose.js';
import { configYaml, REDIS_URL, redisPrefix, tempDir, writeConfig } from '../support/harness.js';
import { articleJob, sleep, wipe } from './support.js';

const log = silentLogger();
const PUBLISH_DELAY_MS = 200;
const PUBLISH_INTERVAL_MS = 1000;
/** Saves in the burst, one every SAVE_EVERY_MS: about 3 s of steady saves, three publish intervals. */
const SAVES = 150;
const SAVE_EVERY_MS = 20;

/** Renders so far per slug, from the publish duration histogram (one observation per slug rendered). */
async function rendersBySlug(metrics: Metrics): Promise<Map<string, number>> {
  const { values } = await metrics.publishDuration.get();
  return new Map(values.filter((v) => v.metricName?.endsWith('_count')).map((v) => [String(v.labels.slug), v.value]));
}

describe('publishing under a burst of saves (Redis mode)', () => {
  let tmp: { dir: string; cleanup(): Promise<void> };
  let prefix: string;
  let runtime: Composition;
  let redisJobs: RedisJobs;
  let workers: RedisWorkers | undefined;

  beforeEach(async () => {
    tmp = await tempDir();
    prefix = redisPrefix();
  });
  afterEach(async () => {
    await workers?.close();
    await wipe(redisJobs.queues, prefix);
    await redisJobs.close();
    await runtime.close();
    await tmp.cleanup();
  });

  it('renders each category about once per interval, and the last documents hold every item saved', async () => {
    // Feed content only (no page fetch), every item in its own story, and room for all of them in a feed.
    const yaml = configYaml([{ id: 'cinn-industry', url: 'http://127.0.0.1:9/rss/industry.xml', categories: ['industry'], articleFetch: false }], {
      site: { itemsPerFeed: SAVES },
    });
    const configPath = await writeConfig(tmp.dir, `${yaml}stories:\n  enabled: false\n`);
    const config = await loadConfigOrThrow(configPath);
    const metrics = createMetrics();
    runtime = await compose({ ...testOptions({ dataDir: tmp.dir, redisUrl: REDIS_URL, prefix }), jobs: 'in-process' }, config, log, { metrics });
    redisJobs = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: prefix, log, publishDelayMs: PUBLISH_DELAY_MS, publishIntervalMs: PUBLISH_INTERVAL_MS });
    workers = await startRedisWorkers(runtime.pipeline(redisJobs.jobs), { redisUrl: REDIS_URL, keyPrefix: prefix });

    const jobs = Array.from({ length: SAVES }, (_, i) => {
      const job = articleJob(`2022033023275${String(i).padStart(5, '0')}`);
      return { ...job, item: { ...job.item, title: `专精特新企业持续创新 第${i + 1}篇`, contentHtml: `<p>第${i + 1}篇正文。</p>` } };
    });
    const started = Date.now();
    for (const job of jobs) {
      await redisJobs.jobs.enqueueArticles([job]);
      await sleep(SAVE_EVERY_MS);
    }
    const burstMs = Date.now() - started;
    expect(await drainIdle(redisJobs.queues, 25_000)).toBe(true);

    const { items } = await runtime.store.listItems({ limit: SAVES + 1 });
    expect(items).toHaveLength(SAVES);
    const publisher = items[0]?.categories[0] ?? '';
    const renders = await rendersBySlug(metrics);
    // One render a delay after the first save, at most one per interval while saves keep coming, and one after the last.
    const bound = 2 + Math.ceil(burstMs / PUBLISH_INTERVAL_MS);
    for (const slug of ['all', 'industry', publisher]) {
      expect(renders.get(slug), slug).toBeGreaterThanOrEqual(1);
      expect(renders.get(slug), slug).toBeLessThanOrEqual(bound);
    }
    for (const slug of ['all', 'industry', publisher]) {
      const doc = await runtime.store.getRendered(feedDocName(slug, 'rss'));
      const xml = gunzipSync(doc?.gzip ?? Buffer.alloc(0)).toString('utf8');
      const missing = jobs.filter((j) => !xml.includes(`<link>${j.item.link}</link>`));
      expect(missing.map((j) => j.key), slug).toEqual([]);
    }
  });
});
