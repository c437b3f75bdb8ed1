import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/domain.js';
import { processArticle } from '../../src/pipeline/process-article.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import type { Store } from '../../src/store/store.js';
import { testConfig, testSource } from '../support/config.js';
import { FakeClock, FakeFetcher, httpError, notModified, ok, RecordingJobs, tempSqliteStore, transportError, useCaseDeps } from '../support/fakes.js';

const FEED_URL = 'https://news.example.com/rss/cinn-industry.xml';
const OTHER_FEED_URL = 'https://news.example.com/rss/cqrb.xml';
const RSS = 'application/rss+xml; charset=utf-8';
const EVERY_MS = 600_000;
const HOUR_MS = 60 * 60 * 1000;

function code(i: number): string {
  return `2022033023275${String(i).padStart(5, '0')}`;
}

/** An RSS feed of items 0..count-1, each linking an Eastmoney article page by infoCode. */
function feed(count: number, first = 0): string {
  const items = Array.from({ length: count }, (_, n) => {
    const i = first + n;
    return `<item><title>工信部：一季度规模以上工业增加值同比增长6.5%（${i}）</title>
<link>https://finance.eastmoney.com/a/${code(i)}.html</link><guid>${code(i)}</guid>
<pubDate>Wed, 30 Mar 2022 01:34:12 GMT</pubDate><description>3月30日，工业和信息化部召开新闻发布会（${i}）。</description></item>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>中国工业报</title>${items.join('\n')}</channel></rss>`;
}

/**
 * The same feed in new bytes (as a feed whose build date moves on every request is): read
 * again, whereas the very same bytes are not (see "the same bytes again" below).
 */
function rebuilt(body: string, n: number): string {
  return `${body}\n<!-- build ${n} -->`;
}

let store: Store;
let cleanup: () => Promise<void>;
let clock: FakeClock;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
  clock = new FakeClock(Date.parse('2022-03-30T02:00:00Z'));
});
afterEach(() => cleanup());

const industry = testSource('cinn-industry', { url: FEED_URL, categories: ['industry'], everyMs: EVERY_MS });
const chongqing = testSource('cqrb', { url: OTHER_FEED_URL, categories: ['chongqing'], everyMs: EVERY_MS });

function deps(fetcher: FakeFetcher, jobs: RecordingJobs, sources: SourceConfig[] = [industry, chongqing]) {
  return useCaseDeps({ config: testConfig(sources), store, fetcher, jobs, now: clock.now });
}

/** Milliseconds from the clock's now to the source's recorded next run. */
async function nextRunIn(sourceId: string): Promise<number> {
  const state = await store.getSourceState(sourceId);
  expect(state?.nextRunAt).toBeDefined();
  return Date.parse(state?.nextRunAt ?? '') - clock.now().getTime();
}

describe('refreshSource: new and known items', () => {
  it('hands each new item to article processing once, with its source, categories and feed title', async () => {
    const fetcher = new FakeFetcher({ [FEED_URL]: ok(feed(3), { contentType: RSS, etag: '"v1"' }) });
    const jobs = new RecordingJobs();
    const outcome = await refreshSource(deps(fetcher, jobs), 'cinn-industry');
    expect(outcome).toEqual({ sourceId: 'cinn-industry', status: 'ok', newItems: 3, duplicates: 0, warnings: [] });
    expect(jobs.articles.map((j) => j.infoCode)).toEqual([0, 1, 2].map((i) => `NW${code(i)}`));
    for (const job of jobs.articles) {
      expect(job).toMatchObject({ sourceId: 'cinn-industry', categories: ['industry'], feedTitle: '中国工业报' });
      expect(job.item.link).toMatch(/^https:\/\/finance\.eastmoney\.com\/a\/\d+\.html$/);
    }
    // Nothing is stored yet, so nothing needs publishing.
    expect(jobs.publishes).toEqual([]);
    const state = await store.getSourceState('cinn-industry');
    expect(state).toMatchObject({ etag: '"v1"', lastStatus: 200, consecutiveFailures: 0, items: 3 });
    expect(state?.lastFetchAt).toBe(clock.now().toISOString());
  });

  it('polls again only when due: the next run is `every` away (±10%), or the feed max-age when longer', async () => {
    const fetcher = new FakeFetcher({ [FEED_URL]: ok(feed(1), { contentType: RSS }) });
    const jobs = new RecordingJobs();
    await refreshSource(deps(fetcher, jobs), 'cinn-industry');
    const delay = await nextRunIn('cinn-industry');
    expect(delay).toBeGreaterThanOrEqual(EVERY_MS * 0.9);
    expect(delay).toBeLessThanOrEqual(EVERY_MS * 1.1);

    clock.advance(EVERY_MS / 2);
    expect(await refreshSource(deps(fetcher, jobs), 'cinn-industry')).toEqual({ sourceId: 'cinn-industry', status: 'skipped', reason: 'not due' });
    expect(fetcher.requests).toHaveLength(1);
    // `force` (finews once, an operator's refresh) polls regardless.
    fetcher.on(FEED_URL, ok(rebuilt(feed(1), 1), { contentType: RSS }));
    expect((await refreshSource(deps(fetcher, jobs), 'cinn-industry', { force: true })).status).toBe('ok');
    expect(fetcher.requests).toHaveLength(2);

    fetcher.on(FEED_URL, ok(rebuilt(feed(1), 2), { contentType: RSS, maxAgeMs: 2 * HOUR_MS }));
    await refreshSource(deps(fetcher, jobs), 'cinn-industry', { force: true });
    const cached = await nextRunIn('cinn-industry');
    expect(cached).toBeGreaterThanOrEqual(2 * HOUR_MS * 0.9);
    expect(cached).toBeLessThanOrEqual(2 * HOUR_MS * 1.1);
  });

  it('queues nothing for items it already claimed; their work, lost before it was saved, is queued again', async () => {
    const fetcher = new FakeFetcher({ [FEED_URL]: ok(feed(3), { contentType: RSS }) });
    const jobs = new RecordingJobs();
    await refreshSource(deps(fetcher, jobs), 'cinn-industry');
    const first = [...jobs.articles];
    // The recording Jobs ran none of them, as a worker killed under each would: the claims stay pending.
    fetcher.on(FEED_URL, ok(rebuilt(feed(3), 1), { contentType: RSS }));
    const again = await refreshSource(deps(fetcher, jobs), 'cinn-industry', { force: true });
    expect(again).toMatchObject({ status: 'ok', newItems: 0, duplicates: 3 });
    expect(jobs.articles.slice(3)).toEqual(first);

    // Once stored, an item seen again is a duplicate and queues nothing.
    const stored = useCaseDeps({ config: testConfig([{ ...industry, article: { fetch: false, remove: [] } }]), store, fetcher, jobs, now: clock.now });
    for (const job of first) await processArticle(stored, job);
    jobs.articles.length = 0;
    jobs.publishes.length = 0;
    fetcher.on(FEED_URL, ok(rebuilt(feed(3), 2), { contentType: RSS }));
    const third = await refreshSource(deps(fetcher, jobs), 'cinn-industry', { force: true });
    expect(third).toMatchObject({ status: 'ok', newItems: 0, duplicates: 3 });
    expect(jobs.articles).toEqual([]);
    // The same source adds no category the items did not have: nothing to republish.
    expect(jobs.publishes).toEqual([]);
    expect((await store.getSourceState('cinn-industry'))?.items).toBe(3);
  });

  it('adds a second source and its categories to items already stored, and asks once to republish them', async () => {
    const fetcher = new FakeFetcher({
      [FEED_URL]: ok(feed(2), { contentType: RSS }),
      [OTHER_FEED_URL]: ok(feed(3), { contentType: RSS }),
    });
    const jobs = new RecordingJobs();
    const d = useCaseDeps({
      config: testConfig([{ ...industry, article: { fetch: false, remove: [] } }, chongqing]),
      store,
      fetcher,
      jobs,
      now: clock.now,
    });
    await refreshSource(d, 'cinn-industry');
    for (const job of jobs.articles) await processArticle(d, job);
    jobs.articles.length = 0;
    jobs.publishes.length = 0;

    const outcome = await refreshSource(d, 'cqrb');
    // Items 0 and 1 are known (stored by cinn-industry); item 2 is new to every source.
    expect(outcome).toMatchObject({ status: 'ok', newItems: 1, duplicates: 2 });
    expect(jobs.articles.map((j) => j.infoCode)).toEqual([`NW${code(2)}`]);
    // One request for the whole poll, naming the category the items joined (and every feed they are in).
    expect(jobs.publishes).toHaveLength(1);
    expect(jobs.publishedCategories()).toEqual(expect.arrayContaining(['all', 'chongqing']));

    const inChongqing = await store.listItems({ category: 'chongqing', limit: 10 });
    expect(inChongqing.items.map((i) => i.infoCode).sort()).toEqual([`NW${code(0)}`, `NW${code(1)}`]);
    for (const item of inChongqing.items) {
      expect(item.sources).toEqual(['cinn-industry', 'cqrb']);
      expect(item.categories).toEqual(expect.arrayContaining(['industry', 'chongqing']));
    }
    // Each source counts the distinct items it carried.
    expect((await store.getSourceState('cqrb'))?.items).toBe(3);
  });
});

describe('refreshSource: conditional GET', () => {
  it('sends the stored validators; a 304 queues nothing, publishes nothing and counts as a success', async () => {
    const fetcher = new FakeFetcher({
      [FEED_URL]: [ok(feed(3), { contentType: RSS, etag: '"v1"', lastModified: 'Wed, 30 Mar 2022 01:40:00 GMT' }), notModified()],
    });
    const jobs = new RecordingJobs();
    await refreshSource(deps(fetcher, jobs), 'cinn-industry');
    expect(fetcher.requests[0]?.validators).toEqual({});
    jobs.articles.length = 0;

    clock.advance(EVERY_MS * 2);
    const outcome = await refreshSource(deps(fetcher, jobs), 'cinn-industry');
    expect(outcome).toEqual({ sourceId: 'cinn-industry', status: 'not-modified' });
    expect(fetcher.requests[1]?.validators).toEqual({ etag: '"v1"', lastModified: 'Wed, 30 Mar 2022 01:40:00 GMT' });
    expect(jobs.articles).toEqual([]);
    expect(jobs.publishes).toEqual([]);
    const state = await store.getSourceState('cinn-industry');
    expect(state).toMatchObject({ lastStatus: 304, consecutiveFailures: 0, etag: '"v1"', items: 3 });
    expect(state?.lastFetchAt).toBe(clock.now().toISOString());
    const delay = await nextRunIn('cinn-industry');
    expect(delay).toBeGreaterThanOrEqual(EVERY_MS * 0.9);
    expect(delay).toBeLessThanOrEqual(EVERY_MS * 1.1);
  });
});

describe('refreshSource: failures', () => {
  it('records a failure and backs off: every × 2 per consecutive failure; a later success resets it', async () => {
    const fetcher = new FakeFetcher({ [FEED_URL]: transportError('timeout', { url: FEED_URL }) });
    const jobs = new RecordingJobs();
    const first = await refreshSource(deps(fetcher, jobs), 'cinn-industry');
    expect(first).toMatchObject({ sourceId: 'cinn-industry', status: 'error', retryable: true });
    let state = await store.getSourceState('cinn-industry');
    expect(state).toMatchObject({ consecutiveFailures: 1 });
    expect(state?.lastError).toContain('timeout');
    let delay = await nextRunIn('cinn-industry');
    expect(delay).toBeGreaterThanOrEqual(2 * EVERY_MS * 0.9);
    expect(delay).toBeLessThanOrEqual(2 * EVERY_MS * 1.1);

    await refreshSource(deps(fetcher, jobs), 'cinn-industry', { force: true });
    expect((await store.getSourceState('cinn-industry'))?.consecutiveFailures).toBe(2);
    delay = await nextRunIn('cinn-industry');
    expect(delay).toBeGreaterThanOrEqual(4 * EVERY_MS * 0.9);
    expect(delay).toBeLessThanOrEqual(4 * EVERY_MS * 1.1);

    fetcher.on(FEED_URL, ok(feed(1), { contentType: RSS }));
    expect((await refreshSource(deps(fetcher, jobs), 'cinn-industry', { force: true })).status).toBe('ok');
    state = await store.getSourceState('cinn-industry');
    expect(state).toMatchObject({ consecutiveFailures: 0, lastStatus: 200 });
    expect(state?.lastError).toBeUndefined();
    delay = await nextRunIn('cinn-industry');
    expect(delay).toBeLessThanOrEqual(EVERY_MS * 1.1);
  });

  it('honours Retry-After of a 429/503 when it is longer than the backoff', async () => {
    const fetcher = new FakeFetcher({ [FEED_URL]: httpError(503, { url: FEED_URL, retryAfterMs: 3 * HOUR_MS }) });
    const jobs = new RecordingJobs();
    const outcome = await refreshSource(deps(fetcher, jobs), 'cinn-industry');
    expect(outcome).toMatchObject({ status: 'error', retryable: true });
    expect(await store.getSourceState('cinn-industry')).toMatchObject({ lastStatus: 503, consecutiveFailures: 1 });
    const delay = await nextRunIn('cinn-industry');
    // The backoff alone would be 20 minutes.
    expect(delay).toBeGreaterThanOrEqual(3 * HOUR_MS * 0.9);
    expect(delay).toBeLessThanOrEqual(3 * HOUR_MS * 1.1);
    clock.advance(HOUR_MS);
    expect(await refreshSource(deps(fetcher, jobs), 'cinn-industry')).toMatchObject({ status: 'skipped', reason: 'not due' });
    expect(fetcher.requests).toHaveLength(1);
  });

  it('reports a 404 as not retryable and a body that is no feed as an error of the source', async () => {
    const fetcher = new FakeFetcher({ [FEED_URL]: httpError(404, { url: FEED_URL }) });
    const jobs = new RecordingJobs();
    expect(await refreshSource(deps(fetcher, jobs), 'cinn-industry')).toMatchObject({ status: 'error', retryable: false });
    expect((await store.getSourceState('cinn-industry'))?.lastStatus).toBe(404);

    fetcher.on(FEED_URL, ok('<!DOCTYPE html><html><body><p>维护中</p></body></html>', { contentType: 'text/html; charset=utf-8' }));
    const outcome = await refreshSource(deps(fetcher, jobs), 'cinn-industry', { force: true });
    expect(outcome.status).toBe('error');
    const state = await store.getSourceState('cinn-industry');
    expect(state?.consecutiveFailures).toBe(2);
    expect(state?.lastError).toBeTruthy();
    expect(jobs.articles).toEqual([]);
  });
});

describe('refreshSource: what it does not poll', () => {
  it('skips sources missing from the config or disabled, without fetching', async () => {
    const fetcher = new FakeFetcher({ [FEED_URL]: ok(feed(1), { contentType: RSS }) });
    const jobs = new RecordingJobs();
    const d = deps(fetcher, jobs, [{ ...industry, enabled: false }]);
    expect(await refreshSource(d, 'cinn-industry')).toEqual({ sourceId: 'cinn-industry', status: 'skipped', reason: 'disabled' });
    expect(await refreshSource(d, 'gone')).toEqual({ sourceId: 'gone', status: 'skipped', reason: 'not in config' });
    expect(fetcher.requests).toEqual([]);
  });

  it('runs one refresh of a source at a time: a second one while the first waits on the network is skipped', async () => {
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const fetcher = new FakeFetcher({
      [FEED_URL]: async (req) => {
        await held;
        return ok(feed(2), { contentType: RSS })(req);
      },
    });
    const jobs = new RecordingJobs();
    const first = refreshSource(deps(fetcher, jobs), 'cinn-industry');
    // Let the first take its lease and reach the fetch.
    while (fetcher.requests.length === 0) await new Promise((r) => setImmediate(r));
    const second = await refreshSource(deps(fetcher, jobs), 'cinn-industry', { force: true });
    expect(second).toEqual({ sourceId: 'cinn-industry', status: 'skipped', reason: 'already being refreshed' });
    answer();
    expect(await first).toMatchObject({ status: 'ok', newItems: 2 });
    expect(fetcher.requests).toHaveLength(1);
    // The lease is given back: the next refresh runs.
    fetcher.on(FEED_URL, ok(rebuilt(feed(2), 1), { contentType: RSS }));
    expect((await refreshSource(deps(fetcher, jobs), 'cinn-industry', { force: true })).status).toBe('ok');
  });
});

describe('refreshSource: the same bytes again', () => {
  it('does not read a feed answering 200 with the bytes it sent last time: no claim, no job, no publish', async () => {
    const fetcher = new FakeFetcher({ [FEED_URL]: ok(feed(3), { contentType: RSS }) });
    const jobs = new RecordingJobs();
    await refreshSource(deps(fetcher, jobs), 'cinn-industry');
    jobs.articles.length = 0;
    const before = await store.getSourceState('cinn-industry');
    clock.advance(EVERY_MS * 2);
    expect(await refreshSource(deps(fetcher, jobs), 'cinn-industry')).toEqual({ sourceId: 'cinn-industry', status: 'not-modified' });
    expect(fetcher.requests).toHaveLength(2);
    expect(jobs.articles).toEqual([]);
    expect(jobs.publishes).toEqual([]);
    expect(await store.getSourceState('cinn-industry')).toMatchObject({ lastStatus: 200, items: 3, lastFetchAt: clock.now().toISOString(), warningCount: before?.warningCount });
    // A config change reads the same bytes into other claims: they are read again.
    const moved = { ...industry, categories: ['industry', 'macro'] };
    clock.advance(EVERY_MS * 2);
    expect(await refreshSource(deps(fetcher, jobs, [moved]), 'cinn-industry')).toMatchObject({ status: 'ok', newItems: 0, duplicates: 3 });
  });
});

describe('refreshSource: paged sources', () => {
  const LIST_URL = 'https://np-listapi.example.com/comm/web/getNewsByColumns?page={page}';
  const paged = testSource('eastmoney-columns', {
    kind: 'json',
    url: LIST_URL,
    pages: 3,
    categories: ['finance'],
    mapping: { items: 'data.list', fields: { infoCode: 'code', title: 'title', link: 'uniqueUrl', publishedAt: 'showTime', summary: 'summary' } },
  });
  const pageUrl = (n: number): string => LIST_URL.replace('{page}', String(n));
  const listPage = (...items: number[]): string =>
    JSON.stringify({
      data: {
        list: items.map((i) => ({
          code: code(i),
          title: `央行开展逆回购操作（${i}）`,
          uniqueUrl: `https://finance.eastmoney.com/a/${code(i)}.html`,
          showTime: '2022-03-30 10:12:00',
          summary: '中国人民银行30日开展了7天期逆回购操作。',
        })),
      },
    });

  it('reads pages until one fails (a warning, the pages before it kept) or brings nothing new', async () => {
    const fetcher = new FakeFetcher({
      [pageUrl(1)]: ok(listPage(0, 1), { contentType: 'application/json' }),
      [pageUrl(2)]: ok(listPage(2, 3), { contentType: 'application/json' }),
      [pageUrl(3)]: httpError(502, { url: pageUrl(3) }),
    });
    const jobs = new RecordingJobs();
    const outcome = await refreshSource(deps(fetcher, jobs, [paged]), paged.id);
    expect(outcome).toMatchObject({ status: 'ok', newItems: 4, duplicates: 0 });
    expect(outcome.status === 'ok' ? outcome.warnings : []).toEqual([expect.stringMatching(/^page 3: /)]);
    expect(jobs.articles.map((j) => j.infoCode)).toEqual([0, 1, 2, 3].map((i) => `NW${code(i)}`));
    expect(await store.getSourceState(paged.id)).toMatchObject({ consecutiveFailures: 0, warningCount: 1 });

    // Everything on page 1 is known now (stored): the poll stops there.
    const stored = useCaseDeps({ config: testConfig([{ ...paged, article: { fetch: false, remove: [] } }]), store, fetcher, jobs, now: clock.now });
    for (const job of jobs.articles) await processArticle(stored, job);
    fetcher.requests.length = 0;
    jobs.articles.length = 0;
    fetcher.on(pageUrl(1), ok(`${listPage(0, 1)}\n`, { contentType: 'application/json' }));
    expect(await refreshSource(deps(fetcher, jobs, [paged]), paged.id, { force: true })).toMatchObject({ status: 'ok', newItems: 0, duplicates: 2, warnings: [] });
    expect(fetcher.requests.map((r) => r.url)).toEqual([pageUrl(1)]);
    expect(jobs.articles).toEqual([]);
  });
});
