import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { createMetrics } from '../../src/metrics.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { createRedisJobs } from '../../src/queue/redis-runtime.js';
import { compose } from '../../src/runtime/compose.js';
import { silentLogger } from '../../src/util/log.js';
import { articlePage, FixtureSite, rssFeed } from '../support/fixture-site.js';
import { cleanupRedis, configYaml, REDIS_URL, redisPrefix, spawnCli, tempDir, waitFor, writeConfig } from '../support/harness.js';
import { bankArticle } from '../support/news-fixtures.js';
import { testOptions } from '../support/compose.js';
import { embeddedDaemons } from '../support/embedded-daemon.js';

let site: FixtureSite;
let tmp: { dir: string; cleanup(): Promise<void> };
let prefix: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  site = await new FixtureSite().start();
  tmp = await tempDir();
  prefix = redisPrefix();
});
afterEach(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await site.stop();
  await tmp.cleanup();
  await cleanupRedis(prefix);
});

it('a worker killed with -9 mid-article loses nothing: another worker stores the article exactly once', async () => {
  // The first request for the article page hangs, so the first worker is mid-job when it dies.
  let pageRequests = 0;
  site.route(`/a/${bankArticle.code}.html`, (_req, res) => {
    pageRequests++;
    if (pageRequests === 1) return;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(articlePage(bankArticle));
  });
  site.feed('/rss/finance.xml', () => rssFeed(site, '财经频道', [bankArticle], (a) => site.url(`/a/${a.code}.html`)));
  const configPath = await writeConfig(tmp.dir, configYaml([{ id: 'finance', url: site.url('/rss/finance.xml'), timeout: '60s' }]));
  const env = { REDIS_URL, FINEWS_REDIS_PREFIX: prefix, FINEWS_JOB_LOCK_MS: '1500', FINEWS_DATA_DIR: path.join(tmp.dir, 'data') };
  const startWorker = (): ChildProcess => {
    const child = spawnCli(['worker', '--config', configPath], env);
    children.push(child);
    return child;
  };

  const config = await loadConfigOrThrow(configPath);
  const log = silentLogger();
  const runtime = await compose({ ...testOptions({ dataDir: tmp.dir, redisUrl: REDIS_URL, prefix }), jobs: 'in-process' }, config, log, { metrics: createMetrics() });
  const redisJobs = await createRedisJobs({ redisUrl: REDIS_URL, keyPrefix: prefix, log });
  try {
    const first = startWorker();
    const outcome = await refreshSource(runtime.pipeline(redisJobs.jobs), 'finance', { force: true });
    expect(outcome.status).toBe('ok');
    await waitFor(() => pageRequests === 1, 20_000, 'first worker to request the article page');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('close', r));

    const second = startWorker();
    const key = `ic-${bankArticle.code}`;
    const item = await waitFor(() => runtime.store.getItem(key), 30_000, 'article stored by the second worker');
    expect(item.title).toBe(bankArticle.title);
    expect(item.contentHtml).toContain('（文章来源：证券时报网）');
    const { items } = await runtime.store.listItems({ limit: 50 });
    expect(items.filter((i) => i.infoCode === `NW${bankArticle.code}`)).toHaveLength(1);
    expect(pageRequests).toBe(2);

    second.kill('SIGTERM');
    const code = await new Promise((r) => second.once('close', r));
    expect(code).toBe(0);
  } finally {
    await redisJobs.close();
    await runtime.close();
  }
});

it('an embedded daemon killed with -9 mid-article stores that article after a restart', async () => {
  let pageRequests = 0;
  site.route(`/a/${bankArticle.code}.html`, (_req, res) => {
    pageRequests++;
    if (pageRequests === 1) return; // the first daemon dies while waiting for this page
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(articlePage(bankArticle));
  });
  site.feed('/rss/finance.xml', () => rssFeed(site, '财经频道', [bankArticle], (a) => site.url(`/a/${a.code}.html`)));
  const configPath = await writeConfig(tmp.dir, configYaml([{ id: 'finance', url: site.url('/rss/finance.xml'), every: '2s', timeout: '60s' }]));
  const daemons = embeddedDaemons({ configPath, dataDir: path.join(tmp.dir, 'data'), children });

  const first = await daemons.start();
  await waitFor(() => pageRequests === 1, 20_000, 'first daemon to request the article page');
  await daemons.kill(first);

  const second = await daemons.start();
  const items = await daemons.storedItems(second);
  expect(items.map((i) => [i.infoCode, i.title])).toEqual([[`NW${bankArticle.code}`, bankArticle.title]]);
  expect(pageRequests).toBe(2);

  expect(await daemons.stop(second)).toBe(0);
}, 60_000);
