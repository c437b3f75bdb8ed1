import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ParsedFeed, SourceConfig, SourceItem } from '../../src/domain.js';
import { processArticle } from '../../src/pipeline/process-article.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { requeuePending } from '../../src/pipeline/requeue-pending.js';
import { ARTICLE_BATCH, claimItems } from '../../src/pipeline/refresh-steps.js';
import type { Store } from '../../src/store/store.js';
import { testConfig, testSource } from '../support/config.js';
import { countingStore } from '../support/counting.js';
import { FakeClock, FakeFetcher, ok, RecordingJobs, tempSqliteStore, useCaseDeps } from '../support/fakes.js';

const FEED_URL = 'https://news.example.com/rss/cinn-industry.xml';
const RSS = 'application/rss+xml; charset=utf-8';

function code(i: number): string {
  return `2022033023275${String(i).padStart(5, '0')}`;
}

/** Feed item `i` as a reader hands it over: an Eastmoney article of 中国工业报 with its body. */
function sourceItem(i: number, overrides: Partial<SourceItem> = {}): SourceItem {
  return {
    guid: code(i),
    link: `https://finance.eastmoney.com/a/${code(i)}.html`,
    title: `工信部：一季度规模以上工业增加值同比增长6.5%（${i}）`,
    summary: `3月30日，工业和信息化部召开新闻发布会（${i}）。`,
    contentHtml: `<p>3月30日，工业和信息化部召开新闻发布会，介绍一季度工业通信业发展情况（${i}）。</p><script>track()</script>`,
    categories: ['工业经济'],
    publishedAt: '2022-03-30T09:34:12+08:00',
    ...overrides,
  };
}

function parsedFeed(items: SourceItem[]): ParsedFeed {
  return { title: '中国工业报', items, warnings: [] };
}

/** The same items as RSS, bodies in `content:encoded`. */
function rss(items: SourceItem[]): string {
  const entries = items.map(
    (it) => `<item><title>${it.title}</title><link>${it.link}</link><guid>${it.guid}</guid>
<pubDate>Wed, 30 Mar 2022 01:34:12 GMT</pubDate><description>${it.summary}</description>
<content:encoded><![CDATA[${it.contentHtml}]]></content:encoded></item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>中国工业报</title>${entries.join('\n')}</channel></rss>`;
}

const feedOnly = testSource('cinn-industry', { url: FEED_URL, categories: ['industry'], article: { fetch: false, remove: [] } });
const fetching: SourceConfig = { ...feedOnly, article: { fetch: true, remove: [] } };

let store: Store;
let cleanup: () => Promise<void>;
let clock: FakeClock;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
  clock = new FakeClock(Date.parse('2022-03-30T02:00:00Z'));
});
afterEach(() => cleanup());

function deps(jobs: RecordingJobs, source: SourceConfig = feedOnly, on: Store = store, fetcher = new FakeFetcher(), stories = true) {
  const config = testConfig([source], { stories: { enabled: stories, windowMs: 72 * 3600_000, maxDistance: 24 } });
  return useCaseDeps({ config, store: on, fetcher, jobs, now: clock.now });
}

describe('refreshSource: a source that fetches nothing', () => {
  it('stores its new items itself, each exactly as an article job would store it, and asks for one publish', async () => {
    const items = Array.from({ length: 30 }, (_, i) => sourceItem(i));
    const fetcher = new FakeFetcher({ [FEED_URL]: ok(rss(items), { contentType: RSS }) });
    const jobs = new RecordingJobs();
    const outcome = await refreshSource(deps(jobs, feedOnly, store, fetcher), 'cinn-industry');
    expect(outcome).toMatchObject({ status: 'ok', newItems: 30, duplicates: 0 });
    expect(jobs.articles).toEqual([]);
    expect(jobs.publishes).toHaveLength(1);
    expect(jobs.publishedCategories()).toEqual(['all', 'industry', 'zhongguogongyebao']);

    // The job path on another store: the same feed claimed, each article processed as a job.
    const other = tempSqliteStore();
    try {
      const viaJobs = new RecordingJobs();
      await refreshSource(deps(viaJobs, fetching, other.store, fetcher), 'cinn-industry');
      expect(viaJobs.articles).toHaveLength(30);
      for (const job of viaJobs.articles) await processArticle(deps(viaJobs, feedOnly, other.store), job);
      for (const job of viaJobs.articles) {
        const mine = await store.getItem(job.key);
        expect(mine?.contentHtml).not.toContain('script');
        expect(mine).toEqual(await other.store.getItem(job.key));
      }
      expect((await store.listItems({ category: 'industry', limit: 50 })).items).toHaveLength(30);
      // Nothing is left pending for the sweep.
      expect(await store.takePendingClaims(new Date(Date.now() + 3_600_000), 50, new Date())).toEqual([]);
    } finally {
      await other.cleanup();
    }
  });

  it('stores an article that changed at its source over the stored copy, with updatedAt, and republishes its feeds', async () => {
    const jobs = new RecordingJobs();
    const d = deps(jobs);
    await claimItems(d, feedOnly, parsedFeed([sourceItem(1), sourceItem(2)]));
    jobs.publishes.length = 0;
    const key = (await store.listItems({ limit: 10 })).items.map((i) => i.key).sort()[0] as string;

    clock.advance(3_600_000);
    const corrected = sourceItem(1, { title: '更正：工信部一季度规模以上工业增加值同比增长6.5%', contentHtml: '<p>更正后的正文。</p>' });
    const counts = await claimItems(d, feedOnly, parsedFeed([corrected, sourceItem(2)]));
    expect(counts).toMatchObject({ newItems: 0, duplicates: 2, changedItems: 1, queued: 1, stored: 1 });
    expect(jobs.articles).toEqual([]);
    expect(await store.getItem(key)).toMatchObject({
      title: '更正：工信部一季度规模以上工业增加值同比增长6.5%',
      contentHtml: expect.stringContaining('更正后的正文。'),
      publishedAt: '2022-03-30T09:34:12+08:00',
      updatedAt: '2022-03-30T11:00:00+08:00',
    });
    expect(new Set(counts.changedCategories)).toEqual(new Set(['all', 'industry', 'zhongguogongyebao']));
    expect(await store.takePendingClaims(new Date(Date.now() + 3_600_000), 50, new Date())).toEqual([]);
  });

  it('queues as an article job only the item it cannot build, and stores the rest of the page', async () => {
    const jobs = new RecordingJobs();
    // A record a reader handed over broken: its body is not text.
    const broken = sourceItem(5, { contentHtml: 42 as unknown as string });
    const counts = await claimItems(deps(jobs), feedOnly, parsedFeed([sourceItem(4), broken, sourceItem(6)]));
    expect(counts).toMatchObject({ newItems: 3, queued: 3, stored: 2 });
    expect(jobs.articles.map((j) => j.item.guid)).toEqual([code(5)]);
    expect((await store.listItems({ limit: 10 })).items.map((i) => i.url).sort()).toEqual([4, 6].map((i) => sourceItem(i).link));
    // Its claim keeps the work until the job (or the sweep) stores it.
    const pending = await store.takePendingClaims(new Date(Date.now() + 3_600_000), 50, new Date());
    expect(pending.map((p) => p.work.item.guid)).toEqual([code(5)]);
  });

  it('queues the whole page as article jobs when its batch cannot be saved, so the job path stores all it can', async () => {
    const jobs = new RecordingJobs();
    // A date no store accepts fails the batch as a whole; alone, it fails only its own article.
    const badDate = sourceItem(8, { publishedAt: '2022年3月30日' });
    const items = [sourceItem(7), badDate, sourceItem(9)];
    const counts = await claimItems(deps(jobs), feedOnly, parsedFeed(items));
    expect(counts).toMatchObject({ newItems: 3, queued: 3, stored: 0 });
    expect(jobs.articles.map((j) => j.item.guid)).toEqual([7, 8, 9].map(code));
    expect((await store.listItems({ limit: 10 })).items).toEqual([]);

    const results = await Promise.allSettled(jobs.articles.map((job) => processArticle(deps(jobs), job)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.listItems({ limit: 10 })).items).toHaveLength(2);
  });

  it(`stores a page of ${ARTICLE_BATCH * 2 + 1} items in batches of ${ARTICLE_BATCH}`, async () => {
    const jobs = new RecordingJobs();
    const counted = countingStore(store);
    const many = Array.from({ length: ARTICLE_BATCH * 2 + 1 }, (_, i) => sourceItem(1000 + i));
    // Stories off: a thousand near-identical test articles would make one giant story.
    const counts = await claimItems(deps(jobs, feedOnly, counted.store, new FakeFetcher(), false), feedOnly, parsedFeed(many));
    expect(counts).toMatchObject({ newItems: many.length, stored: many.length });
    expect(counted.calls.of('claimMany')).toBe(1);
    expect(counted.calls.of('saveItems')).toBe(3);
    expect(counted.calls.of('saveItem')).toBe(0);
    expect(jobs.articles).toEqual([]);
    expect((await store.listCategories()).find((c) => c.slug === 'industry')?.count).toBe(many.length);
  });

  it('leaves a page whose process died between its claims and its save to the sweep of pending claims', async () => {
    const items = [sourceItem(11), sourceItem(12), sourceItem(13)];
    // The process dies at the save: nothing it held in memory (its queue) survives.
    const dying = new Proxy(store, {
      get: (target, prop, receiver) =>
        prop === 'saveItems' ? async () => Promise.reject(new Error('process killed')) : (Reflect.get(target, prop, receiver) as unknown),
    });
    await claimItems(deps(new RecordingJobs(), feedOnly, dying), feedOnly, parsedFeed(items));
    expect((await store.listItems({ limit: 10 })).items).toEqual([]);

    // The next process's sweep hands the work back; its jobs store every item once.
    const jobs = new RecordingJobs();
    const sweepAt = new Date(Date.now() + 60_000);
    expect(await requeuePending(deps(jobs), { olderThan: sweepAt })).toEqual({ requeued: 3 });
    for (const job of jobs.articles) await processArticle(deps(jobs), job);
    expect((await store.listItems({ limit: 10 })).items.map((i) => i.url).sort()).toEqual(items.map((i) => i.link));
    expect(await requeuePending(deps(jobs), { olderThan: sweepAt })).toEqual({ requeued: 0 });
  });
});
