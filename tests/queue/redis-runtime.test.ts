import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import type { Item } from '../../src/domain.js';
import { feedDocName } from '../../src/publish/doc-names.js';
import type { PipelineDeps } from '../../src/pipeline/ports.js';
import type { JobOptionsOverrides } from '../../src/queue/queues.js';
import { createRedisJobs, drainIdle, startRedisWorkers, type RedisJobs, type RedisWorkers } from '../../src/queue/redis-runtime.js';
import { compose, type Composition } from '../../src/runtime/compose.js';
import { silentLogger } from '../../src/util/log.js';
import { FixtureSite, rssFeed } from '../support/fixture-site.js';
import { configYaml, REDIS_URL, redisPrefix, REPO_ROOT, tempDir, waitFor, writeConfig } from '../support/harness.js';
import { bankArticle, cqArticle } from '../support/news-fixtures.js';
import { wipe } from './support.js';
import { testOptions } from '../support/compose.js';

const log = silentLogger();
const FEED = '/rss/finance.xml';

/** A Redis-mode process: runtime (store, politeness, fetcher), producers and, once started, workers. */
interface Proc {
  runtime: Composition;
  redisJobs: RedisJobs;
  deps: PipelineDeps;
  metrics: Metrics;
  workers?: RedisWorkers;
}

describe('Redis runtime', () => {
  let site: FixtureSite;
  let tmp: { dir: string; cleanup(): Promise<void> };
  let prefix: string;
  let configPath: string;
  const procs: Proc[] = [];

  beforeEach(async () => {
    site = await new FixtureSite().start();
    site.addArticle(bankArticle);
    site.addArticle(cqArticle);
    tmp = await tempDir();
    prefix = redisPrefix();
    configPath = await writeConfig(tmp.dir, configYaml([{ id: 'finance', url: site.url(FEED), categories: ['finance'] }]));
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) {
      await p.workers?.close();
      await wipe(p.redisJobs.queues, prefix);
      await p.redisJobs.close();
      await p.runtime.close();
    }
    await site.stop();
    await tmp.cleanup();
    await wipe(undefined, prefix);
  });

  function serveFeed(): void {
    site.feed(FEED, () => rssFeed(site, '财经频道', [bankArticle, cqArticle], (a) => site.url(`/a/${a.code}.html`)));
  }

  async function open(jobOptions?: JobOptionsOverrides): Promise<Proc> {
    const config = await loadConfigOrThrow(configPath);
    const metrics = createMetrics();
    const runtime = await compose({ ...testOptions({ dataDir: tmp.dir, redisUrl: REDIS_URL, prefix }), jobs: 'in-process' }, config, log, { metrics });
    const redisJobs = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: prefix, log, publishDelayMs: 100, jobOptions });
    const proc: Proc = { runtime, redisJobs, deps: runtime.pipeline(redisJobs.jobs), metrics };
    procs.push(proc);
    return proc;
  }

  async function publishedSlugs(metrics: Metrics): Promise<string[]> {
    const { values } = await metrics.publishDuration.get();
    return [...new Set(values.filter((v) => v.metricName?.endsWith('_count') && v.value > 0).map((v) => String(v.labels.slug)))].sort();
  }

  it('refreshes a source, retries an article page that keeps failing and stores it from the feed on the last attempt', async () => {
    serveFeed();
    site.route(`/a/${bankArticle.code}.html`, (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('service unavailable');
    });
    const p = await open({ article: { attempts: 3, backoff: { type: 'fixed', delay: 50 } } });
    p.workers = await startRedisWorkers(p.deps, { redisUrl: REDIS_URL, keyPrefix: prefix });

    await p.redisJobs.jobs.enqueueRefresh('finance', { force: true });
    expect(await drainIdle(p.redisJobs.queues, 20_000)).toBe(true);

    expect(site.articleHits(bankArticle.code)).toHaveLength(3);
    expect(site.articleHits(cqArticle.code)).toHaveLength(1);
    const { items } = await p.runtime.store.listItems({ limit: 10 });
    expect(items.map((i) => i.infoCode).sort()).toEqual([`NW${bankArticle.code}`, `NW${cqArticle.code}`]);
    const bank = items.find((i) => i.infoCode === `NW${bankArticle.code}`);
    expect(bank?.contentHtml).toContain(bankArticle.paragraphs[0]);
    expect(bank?.categories).toContain('finance');
    expect(await publishedSlugs(p.metrics)).toEqual(expect.arrayContaining(['all', 'finance']));
    const state = await p.runtime.store.getSourceState('finance');
    expect(state?.lastStatus).toBe(200);
  });

  it('publishes again later a category whose publish job failed for good, with no further save', async () => {
    serveFeed();
    const p = await open({ publish: { attempts: 1 } });
    const AGAIN_MS = 1234;
    // Renders meet a store outage until the saves' publish jobs have failed for good.
    let failing = true;
    const store = new Proxy(p.runtime.store, {
      get(target, prop, receiver) {
        if (prop === 'renderedEtags') return () => (failing ? Promise.reject(new Error('store unreachable')) : target.renderedEtags());
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    p.workers = await startRedisWorkers({ ...p.deps, store }, { redisUrl: REDIS_URL, keyPrefix: prefix, publishAgainAfterMs: AGAIN_MS });

    await p.redisJobs.jobs.enqueueRefresh('finance', { force: true });
    await waitFor(async () => (await p.runtime.store.listItems({ limit: 10 })).items.length === 2, 20_000, 'both articles stored');
    const { publish } = p.redisJobs.queues;
    // Settled: finance's job failed for good, and nothing the saves asked for is left but
    // the requests made again after a failure (told apart by their delay).
    const settled = async (): Promise<boolean> => {
      const failed = (await publish.getFailed()).some((job) => job.data.slug === 'finance');
      const live = Object.values(await publish.getJobCounts('wait', 'active', 'prioritized')).reduce((a, b) => a + b, 0);
      const delayed = await publish.getDelayed();
      return failed && live === 0 && delayed.every((job) => job.delay === AGAIN_MS);
    };
    await waitFor(settled, 15_000, 'the publish jobs of the saves to fail for good');
    failing = false;
    const doc = await waitFor(() => p.runtime.store.getRendered(feedDocName('finance', 'rss')), 10_000, 'the finance feed rendered again');
    expect(doc.body.toString('utf8')).toContain(bankArticle.title);
    expect(doc.body.toString('utf8')).toContain(cqArticle.title);
  });

  it('runs the job of a worker process killed with -9 on another worker', async () => {
    let feedRequests = 0;
    site.route(FEED, (_req, res) => {
      // The first request never gets an answer: its worker is killed while waiting.
      if (++feedRequests === 1) return;
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      res.end(rssFeed(site, '财经频道', [bankArticle], (a) => site.url(`/a/${a.code}.html`)));
    });
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/worker-process.ts'), configPath, REDIS_URL, prefix], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      await waitFor(() => stdout.includes('ready') || child.exitCode !== null, 20_000, 'the worker process to start');
      expect(stderr).toBe('');
      expect(child.exitCode).toBeNull();
      const p = await open();
      await p.redisJobs.jobs.enqueueRefresh('finance', { force: true });
      await waitFor(() => feedRequests === 1, 10_000, 'the worker process to fetch the feed');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    const p = procs[0] as Proc;
    expect(await p.redisJobs.queues.refresh.getActiveCount()).toBe(1);
    const t0 = Date.now();
    p.workers = await startRedisWorkers(p.deps, { redisUrl: REDIS_URL, keyPrefix: prefix, stalledIntervalMs: 500 });
    await waitFor(() => feedRequests === 2, 10_000, 'the stalled refresh to run again');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await drainIdle(p.redisJobs.queues, 20_000)).toBe(true);
    const { items } = await p.runtime.store.listItems({ limit: 10 });
    expect(items.map((i) => i.infoCode)).toEqual([`NW${bankArticle.code}`]);
  });

  it('close() lets a running job finish before it returns', async () => {
    serveFeed();
    site.latencyMs = 800;
    const p = await open();
    const workers = await startRedisWorkers(p.deps, { redisUrl: REDIS_URL, keyPrefix: prefix });
    await p.redisJobs.jobs.enqueueRefresh('finance', { force: true });
    await waitFor(() => site.hits(FEED).length === 1, 10_000, 'the feed request');

    const t0 = Date.now();
    await workers.close();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    const [done] = await p.redisJobs.queues.refresh.getCompleted();
    expect(done?.returnvalue).toMatchObject({ sourceId: 'finance', status: 'ok', newItems: 2 });
    expect(await p.redisJobs.queues.refresh.getActiveCount()).toBe(0);
  });

  it('fetches at most the article concurrency of pages at once per worker while it holds twice as many jobs', async () => {
    // Politeness opened up, so that what bounds the fetches here is the worker's article concurrency.
    configPath = await writeConfig(tmp.dir, configYaml([{ id: 'finance', url: site.url(FEED), categories: ['finance'] }], { politeness: { perHost: 16, spacing: '0s' } }));
    const articles = Array.from({ length: 12 }, (_, i) => ({ ...bankArticle, code: `2022033023275710${String(i).padStart(2, '0')}`, title: `${bankArticle.title} 第${i}篇` }));
    for (const a of articles) site.addArticle(a);
    site.latencyMs = 100;
    const p = await open();
    await p.redisJobs.queues.article.pause();
    await p.redisJobs.jobs.enqueueArticles(
      articles.map((a) => ({ key: `NW${a.code}`, infoCode: `NW${a.code}`, sourceId: 'finance', categories: ['finance'], item: { link: site.url(`/a/${a.code}.html`), title: a.title, categories: [] } })),
    );
    p.workers = await startRedisWorkers(p.deps, { redisUrl: REDIS_URL, keyPrefix: prefix, concurrency: { article: 2 } });
    let active = 0;
    let maxActive = 0;
    p.workers.workers.article.on('active', () => (maxActive = Math.max(maxActive, ++active)));
    p.workers.workers.article.on('completed', () => active--);
    p.workers.workers.article.on('failed', () => active--);
    await p.redisJobs.queues.article.resume();
    const stored = async (): Promise<Item[] | undefined> => {
      const { items } = await p.runtime.store.listItems({ limit: 20 });
      return items.length === articles.length ? items : undefined;
    };
    const items = await waitFor(stored, 20_000, 'every article stored');
    expect(await drainIdle(p.redisJobs.queues, 20_000)).toBe(true);

    expect(site.requests).toHaveLength(articles.length);
    expect(site.maxInFlight).toBe(2);
    // More jobs held than pages fetched: the next job waits at the gate, not in the queue.
    expect(maxActive).toBeGreaterThan(2);
    expect(maxActive).toBeLessThanOrEqual(4);
    expect(items.every((i) => i.contentHtml.includes(bankArticle.paragraphs[0] as string))).toBe(true);
  });

  it('samples queue depth into the metrics', async () => {
    serveFeed();
    const p = await open();
    await p.redisJobs.queues.article.pause();
    for (const a of [bankArticle, cqArticle]) {
      await p.redisJobs.jobs.enqueueArticles([
        {
          key: `NW${a.code}`,
          infoCode: `NW${a.code}`,
          sourceId: 'finance',
          categories: ['finance'],
          item: { link: site.url(`/a/${a.code}.html`), title: a.title, categories: [] },
        },
      ]);
    }
    p.workers = await startRedisWorkers(p.deps, { redisUrl: REDIS_URL, keyPrefix: prefix, sampleEveryMs: 100 });
    const depth = async (queue: string): Promise<number | undefined> =>
      (await p.metrics.queueDepth.get()).values.find((v) => v.labels.queue === queue)?.value;

    await waitFor(async () => (await depth('article')) === 2, 5000, 'article depth 2');
    await p.redisJobs.queues.article.resume();
    expect(await drainIdle(p.redisJobs.queues, 20_000)).toBe(true);
    // Idle now; the sampler shows it within a round or two (each queue is read in turn).
    await waitFor(async () => (await depth('article')) === 0 && (await depth('refresh')) === 0 && (await depth('publish')) === 0, 5000, 'every depth 0');
  });
});
