import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { FetchRequest, FetchResult } from '../../src/fetch/fetcher.js';
import { createMetrics } from '../../src/metrics.js';
import type { Jobs, PipelineDeps } from '../../src/pipeline/ports.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { requeuePending } from '../../src/pipeline/requeue-pending.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/log.js';
import { testConfig, testSource } from '../support/config.js';
import { RecordingJobs } from '../support/fakes.js';

const FEED_URL = 'https://news.example.com/rss/cinn-industry.xml';
const ETAG = '"v1"';

function feed(count: number): string {
  const items = Array.from({ length: count }, (_, i) => {
    const code = `2022033023275${String(i).padStart(5, '0')}`;
    return `<item><title>工信部：一季度规模以上工业增加值同比增长6.5%（${i}）</title>
<link>https://finance.eastmoney.com/a/${code}.html</link><guid>${code}</guid>
<pubDate>Wed, 30 Mar 2022 01:34:12 GMT</pubDate><description>3月30日，工业和信息化部召开新闻发布会。</description></item>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>中国工业报</title>${items.join('\n')}</channel></rss>`;
}

/** A source that answers its feed once, then 304 to every request carrying its ETag. */
function feedOnceThen304(body: string): { fetch(req: FetchRequest): Promise<FetchResult>; statuses: number[] } {
  const statuses: number[] = [];
  return {
    statuses,
    async fetch(req) {
      const notModified = req.validators?.etag === ETAG;
      statuses.push(notModified ? 304 : 200);
      return {
        url: req.url,
        finalUrl: req.url,
        status: notModified ? 304 : 200,
        notModified,
        permanentRedirect: false,
        body: notModified ? Buffer.alloc(0) : Buffer.from(body),
        contentType: 'application/rss+xml; charset=utf-8',
        validators: { etag: ETAG },
        headers: {},
      };
    },
  };
}

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'finews-requeue-'));
  store = openSqliteStore(join(dir, 'finews.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function deps(jobs: Jobs, fetcher: PipelineDeps['fetcher'], now = (): Date => new Date()): PipelineDeps {
  const config = testConfig([testSource('cinn-industry', { url: FEED_URL, categories: ['industry'] })]);
  return { config: () => config, store, fetcher, jobs, log: silentLogger(), metrics: createMetrics(), now };
}

it('queues again, though the source now answers 304, exactly the article jobs whose work was lost', async () => {
  // The recording Jobs runs none of the work handed to it, as a worker killed under each job.
  const jobs = new RecordingJobs();
  const source = feedOnceThen304(feed(3));
  expect((await refreshSource(deps(jobs, source), 'cinn-industry', { force: true })).status).toBe('ok');
  const lost = [...jobs.articles];
  expect(lost).toHaveLength(3);
  // The source has nothing new to say, and says so.
  expect((await refreshSource(deps(jobs, source), 'cinn-industry', { force: true })).status).toBe('not-modified');
  expect(jobs.articles).toHaveLength(3);

  // Too recent: the work may still be running.
  expect(await requeuePending(deps(jobs, source), { olderThan: new Date(Date.now() - 30_000) })).toEqual({ requeued: 0 });

  const sweepAt = new Date(Date.now() + 60_000);
  const later = deps(jobs, source, () => sweepAt);
  expect(await requeuePending(later, { olderThan: sweepAt })).toEqual({ requeued: 3 });
  expect(jobs.articles.slice(3)).toEqual(lost);
  expect(source.statuses).toEqual([200, 304]);
});

it('re-queues at most `max` claims per sweep; the next sweeps take the others, and saved items never come back', async () => {
  const jobs = new RecordingJobs();
  const source = feedOnceThen304(feed(900));
  await refreshSource(deps(jobs, source), 'cinn-industry', { force: true });
  expect(jobs.articles).toHaveLength(900);
  // 200 of them were stored after all.
  for (const job of jobs.articles.slice(0, 200)) {
    await store.saveItem({
      key: job.key,
      infoCode: job.infoCode,
      title: job.item.title,
      url: job.item.link ?? '',
      publishedAt: '2022-03-30T09:34:12+08:00',
      publisher: '中国工业报',
      categories: ['zhongguogongyebao', 'industry'],
      tags: ['中国工业报新闻'],
      summary: '',
      contentHtml: '<p>3月30日，工业和信息化部召开新闻发布会。</p>',
      sources: ['cinn-industry'],
      storedAt: '2022-03-30T09:40:00+08:00',
    });
  }
  const unsaved = new Set(jobs.articles.slice(200).map((j) => j.key));
  jobs.articles.length = 0;

  const sweepAt = new Date(Date.now() + 60_000);
  const later = deps(jobs, source, () => sweepAt);
  const sweeps = [];
  for (let i = 0; i < 3; i++) sweeps.push((await requeuePending(later, { olderThan: sweepAt, batch: 100, max: 300 })).requeued);
  expect(sweeps).toEqual([300, 300, 100]);
  const keys = jobs.articles.map((j) => j.key);
  expect(new Set(keys).size).toBe(keys.length);
  expect(new Set(keys)).toEqual(unsaved);
  expect(await requeuePending(later, { olderThan: sweepAt })).toEqual({ requeued: 0 });
});
