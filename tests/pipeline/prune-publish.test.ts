import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/domain.js';
import type { PipelineDeps } from '../../src/pipeline/ports.js';
import { processArticle } from '../../src/pipeline/process-article.js';
import { prune } from '../../src/pipeline/prune.js';
import { publishAll, publishCategories } from '../../src/pipeline/publish.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { feedDocName, opmlDocName } from '../../src/publish/doc-names.js';
import { OUTPUT_FORMATS } from '../../src/publish/formats.js';
import type { Store } from '../../src/store/store.js';
import { testConfig, testSite, testSource } from '../support/config.js';
import { FakeClock, FakeFetcher, ok, RecordingJobs, tempSqliteStore, useCaseDeps } from '../support/fakes.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const noPages = { fetch: false, remove: [] };
const industry = testSource('cinn-industry', { categories: ['industry'], article: noPages });
const chongqing = testSource('cqrb', { categories: ['chongqing'], article: noPages });

/** An RSS feed of one item per [infoCode, title, pubDate]. */
function feed(title: string, items: [string, string, string][]): string {
  const entries = items.map(
    ([code, itemTitle, date]) =>
      `<item><title>${itemTitle}</title><link>https://finance.eastmoney.com/a/${code}.html</link><guid>${code}</guid><pubDate>${date}</pubDate><description>${itemTitle}。</description></item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${title}</title>${entries.join('')}</channel></rss>`;
}

let store: Store;
let cleanup: () => Promise<void>;
let clock: FakeClock;
let jobs: RecordingJobs;
let deps: PipelineDeps;
beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
  clock = new FakeClock(Date.parse('2022-03-30T04:00:00Z'));
  jobs = new RecordingJobs();
  const fetcher = new FakeFetcher({
    [industry.url]: ok(feed('中国工业报', [['202203302327570011', '工业和信息化部召开一季度新闻发布会', 'Wed, 30 Mar 2022 01:34:12 GMT']])),
    [chongqing.url]: ok(feed('重庆日报', [['202203302327570012', '重庆一季度工业投资同比增长12.6%', 'Wed, 30 Mar 2022 03:05:00 GMT']])),
  });
  deps = useCaseDeps({ config: testConfig([industry, chongqing], { site: testSite({ retentionDays: 30 }) }), store, fetcher, jobs, now: clock.now });
});
afterEach(() => cleanup());

/** Refreshes `sources` and stores each article they hand out, as the workers would. */
async function ingest(...sources: SourceConfig[]): Promise<void> {
  for (const s of sources) await refreshSource(deps, s.id, { force: true });
  for (const job of jobs.articles.splice(0)) await processArticle(deps, job);
}

describe('prune', () => {
  it('drops items older than site.retentionDays and asks to republish the categories that lost them', async () => {
    await ingest(industry);
    clock.advance(20 * DAY_MS);
    // A newer item from the other source, published and stored 20 days later.
    deps.fetcher = new FakeFetcher({
      [chongqing.url]: ok(feed('重庆日报', [['202204192327570012', '重庆4月工业投资同比增长10.1%', 'Tue, 19 Apr 2022 03:05:00 GMT']])),
    });
    await ingest(chongqing);
    jobs.publishes.length = 0;

    clock.advance(15 * DAY_MS);
    expect(await prune(deps)).toBe(1);
    const left = (await store.listItems({ limit: 10 })).items;
    expect(left.map((i) => i.title)).toEqual(['重庆4月工业投资同比增长10.1%']);
    expect(jobs.publishes).toHaveLength(1);
    expect(jobs.publishedCategories()).toEqual(['all', 'industry', 'zhongguogongyebao']);

    // Nothing old left: nothing removed, nothing to publish.
    expect(await prune(deps)).toBe(0);
    expect(jobs.publishes).toHaveLength(1);
  });

  it('remembers a pruned item, so its source carrying it again does not bring it back', async () => {
    await ingest(industry);
    clock.advance(31 * DAY_MS);
    expect(await prune(deps)).toBe(1);
    // The feed in new bytes (the very same bytes are not read again at all).
    deps.fetcher = new FakeFetcher({
      [industry.url]: ok(`${feed('中国工业报', [['202203302327570011', '工业和信息化部召开一季度新闻发布会', 'Wed, 30 Mar 2022 01:34:12 GMT']])}\n<!-- build 2 -->`),
    });
    const outcome = await refreshSource(deps, industry.id, { force: true });
    expect(outcome).toMatchObject({ status: 'ok', newItems: 0, duplicates: 1 });
    expect(jobs.articles).toEqual([]);
    expect((await store.listItems({ limit: 10 })).items).toEqual([]);
  });
});

describe('publishCategories', () => {
  it('renders each asked-for category in every format, and the OPML list with `all`', async () => {
    await ingest(industry, chongqing);
    await publishAll(deps);
    for (const slug of ['all', 'industry', 'chongqing', 'zhongguogongyebao', 'chongqingribao']) {
      for (const { id: format } of OUTPUT_FORMATS) expect(await store.getRendered(feedDocName(slug, format)), `${slug}.${format}`).not.toBeNull();
    }
    const all = (await store.getRendered(feedDocName('all', 'rss')))?.body.toString('utf8') ?? '';
    expect(all).toContain('工业和信息化部召开一季度新闻发布会');
    expect(all).toContain('重庆一季度工业投资同比增长12.6%');
    const industryFeed = (await store.getRendered(feedDocName('industry', 'rss')))?.body.toString('utf8') ?? '';
    expect(industryFeed).toContain('工业和信息化部召开一季度新闻发布会');
    expect(industryFeed).not.toContain('重庆一季度工业投资');
    expect((await store.getRendered(opmlDocName()))?.body.toString('utf8')).toContain('chongqing');
  });

  it('keeps ETag and Last-Modified of a feed whose bytes did not change, and moves them when an item arrives', async () => {
    await ingest(industry);
    await publishCategories(deps, ['all', 'industry']);
    const before = await store.getRendered(feedDocName('industry', 'rss'));
    clock.advance(60_000);
    await publishCategories(deps, ['all', 'industry']);
    const same = await store.getRendered(feedDocName('industry', 'rss'));
    expect(same?.etag).toBe(before?.etag);
    expect(same?.lastModified).toBe(before?.lastModified);

    deps.fetcher = new FakeFetcher({
      [industry.url]: ok(feed('中国工业报', [['202203302327570021', '一季度全国规模以上工业增加值同比增长6.5%', 'Wed, 30 Mar 2022 05:00:00 GMT']])),
    });
    await ingest(industry);
    await publishCategories(deps, ['all', 'industry']);
    const after = await store.getRendered(feedDocName('industry', 'rss'));
    expect(after?.etag).not.toBe(before?.etag);
    expect(after?.lastModified).toBe(clock.now().toUTCString());
  });

  it('removes the feeds of a category whose items were all pruned (404, not an empty feed), keeping `all`', async () => {
    await ingest(industry);
    await publishAll(deps);
    clock.advance(31 * DAY_MS);
    await prune(deps);
    await publishCategories(deps, jobs.publishedCategories());
    for (const { id: format } of OUTPUT_FORMATS) expect(await store.getRendered(feedDocName('industry', format))).toBeNull();
    expect(await store.getRendered(feedDocName('all', 'rss'))).not.toBeNull();
  });
});
