import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { createMetrics } from '../../src/metrics.js';
import { refreshSource, type RefreshOutcome } from '../../src/pipeline/refresh-source.js';
import { createRedisJobs, type RedisJobs } from '../../src/queue/redis-runtime.js';
import { compose, type Composition } from '../../src/runtime/compose.js';
import { silentLogger } from '../../src/util/log.js';
import { articlePage, FixtureSite, rssFeed } from '../support/fixture-site.js';
import { cleanupRedis, configYaml, REDIS_URL, redisPrefix, spawnCli, tempDir, waitFor, writeConfig } from '../support/harness.js';
import { bankArticle } from '../support/news-fixtures.js';
import { testOptions } from '../support/compose.js';
import { embeddedDaemons } from '../support/embedded-daemon.js';

// An article job whose worker dies under it again and again (kill -9 while its page is
// being fetched), after which the source only ever answers 304: the claim is all that is
// left of the work, and it must still end stored.

let site: FixtureSite;
let tmp: { dir: string; cleanup(): Promise<void> };
let prefix: string;
const children: ChildProcess[] = [];
const pagePath = `/a/${bankArticle.code}.html`;
const key = `ic-${bankArticle.code}`;

beforeEach(async () => {
  site = await new FixtureSite().start();
  tmp = await tempDir();
  prefix = redisPrefix();
  site.feed('/rss/finance.xml', () => rssFeed(site, '财经频道', [bankArticle], (a) => site.url(`/a/${a.code}.html`)));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await site.stop();
  await tmp.cleanup();
  await cleanupRedis(prefix);
});

/** Serves the article page from request `servedFrom` on; earlier requests hang (their worker is killed), later ones get `late`. */
function articleRoute(servedFrom: number, late: 'page' | 503 = 'page'): { requests(): number } {
  let requests = 0;
  site.route(pagePath, (_req, res) => {
    requests++;
    if (requests < servedFrom) return;
    if (late === 503) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('busy');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(articlePage(bankArticle));
  });
  return { requests: () => requests };
}

describe('Redis mode', () => {
  let runtime: Composition;
  let redisJobs: RedisJobs;
  let configPath: string;

  beforeEach(async () => {
    // Enough host slots that those of killed workers (held until their lease lapses) do not block the next.
    const yaml = configYaml([{ id: 'finance', url: site.url('/rss/finance.xml'), timeout: '60s' }], { politeness: { perHost: 8, spacing: '10ms' } });
    configPath = await writeConfig(tmp.dir, yaml);
    const log = silentLogger();
    runtime = await compose({ ...testOptions({ dataDir: tmp.dir, redisUrl: REDIS_URL, prefix }), jobs: 'in-process' }, await loadConfigOrThrow(configPath), log, { metrics: createMetrics() });
    redisJobs = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: prefix, log });
  });
  afterEach(async () => {
    await redisJobs.close();
    await runtime.close();
  });

  const startWorker = (): ChildProcess => {
    const env = { REDIS_URL, FINEWS_REDIS_PREFIX: prefix, FINEWS_JOB_LOCK_MS: '1500', FINEWS_DATA_DIR: path.join(tmp.dir, 'data') };
    const child = spawnCli(['worker', '--config', configPath], env);
    children.push(child);
    return child;
  };
  const killDuringPage = async (page: { requests(): number }, n: number): Promise<void> => {
    const worker = startWorker();
    await waitFor(() => page.requests() >= n, 30_000, `worker ${n} to request the article page`);
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('close', r));
  };
  const poll = (): Promise<RefreshOutcome> => refreshSource(runtime.pipeline(redisJobs.jobs), 'finance', { force: true });
  /** Polls the source every half second until the item is stored; returns every outcome. */
  const pollUntilStored = async (): Promise<RefreshOutcome['status'][]> => {
    const outcomes: RefreshOutcome['status'][] = [];
    await waitFor(async () => {
      outcomes.push((await poll()).status);
      await new Promise((r) => setTimeout(r, 400));
      return runtime.store.getItem(key);
    }, 45_000, 'article stored');
    return outcomes;
  };

  it('stores an article whose worker was killed with -9 twice during its job, though every later poll is a 304', async () => {
    const page = articleRoute(3);
    expect((await poll()).status).toBe('ok');
    await killDuringPage(page, 1);
    await killDuringPage(page, 2);

    const last = startWorker();
    const outcomes = await pollUntilStored();
    expect(new Set(outcomes)).toEqual(new Set(['not-modified']));
    const item = await runtime.store.getItem(key);
    expect(item?.title).toBe(bankArticle.title);
    // Stored from its page, fetched by the third worker.
    expect(item?.contentHtml).toContain('（文章来源：证券时报网）');
    const { items } = await runtime.store.listItems({ limit: 50 });
    expect(items.map((i) => i.key)).toEqual([key]);

    last.kill('SIGTERM');
    expect(await new Promise((r) => last.once('close', r))).toBe(0);
  }, 120_000);

  it('stores from feed content an article whose job failed for stalling too often, though every later poll is a 304', async () => {
    // Four workers die on the job; BullMQ then fails it. The fifth worker's sweep of pending
    // claims queues it once more as a final attempt, whose page answers 503.
    const page = articleRoute(5, 503);
    expect((await poll()).status).toBe('ok');
    for (let n = 1; n <= 4; n++) await killDuringPage(page, n);

    const last = startWorker();
    const outcomes = await pollUntilStored();
    expect(new Set(outcomes)).toEqual(new Set(['not-modified']));
    const item = await runtime.store.getItem(key);
    expect(item?.title).toBe(bankArticle.title);
    expect(item?.contentHtml).toContain(bankArticle.paragraphs[0]);
    expect(item?.contentHtml).not.toContain('（文章来源：证券时报网）');
    // One final attempt: no retries of the 503.
    expect(page.requests()).toBe(5);
    // The job is marked completed once its processor returns, a moment after the save.
    await waitFor(async () => (await redisJobs.queues.article.getJobState(key)) === 'completed' || undefined, 10_000, 'the final attempt marked completed');

    last.kill('SIGTERM');
    expect(await new Promise((r) => last.once('close', r))).toBe(0);
  }, 180_000);
});

it('embedded mode: a daemon killed with -9 mid-article stores that article after a restart whose polls are all 304', async () => {
  const page = articleRoute(2);
  const configPath = await writeConfig(tmp.dir, configYaml([{ id: 'finance', url: site.url('/rss/finance.xml'), every: '1s', timeout: '60s' }]));
  const daemons = embeddedDaemons({ configPath, dataDir: path.join(tmp.dir, 'data'), env: { FINEWS_JOB_LOCK_MS: '1500' }, children });

  const first = await daemons.start();
  await waitFor(() => page.requests() === 1, 20_000, 'first daemon to request the article page');
  await daemons.kill(first);
  const feedPollsBefore = site.hits('/rss/finance.xml').length;

  const second = await daemons.start();
  // Several polls of the second daemon, every one conditional (so a 304).
  await waitFor(() => site.hits('/rss/finance.xml').length >= feedPollsBefore + 3, 30_000, 'three polls by the second daemon');
  const items = await daemons.storedItems(second);
  expect(items.map((i) => [i.infoCode, i.title])).toEqual([[`NW${bankArticle.code}`, bankArticle.title]]);
  expect(page.requests()).toBe(2);
  const secondPolls = site.hits('/rss/finance.xml').slice(feedPollsBefore);
  expect(secondPolls.every((r) => r.headers['if-none-match'] !== undefined)).toBe(true);
  expect(daemons.logs()).toContain('re-queued article work claimed but never saved');

  expect(await daemons.stop(second)).toBe(0);
}, 90_000);
