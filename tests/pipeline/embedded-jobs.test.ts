import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Item } from '../../src/domain.js';
import type { Jobs, PipelineDeps } from '../../src/pipeline/ports.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { feedDocName } from '../../src/publish/doc-names.js';
import { InProcessJobs, pipelineProcessors, type InProcessProcessors } from '../../src/runtime/in-process-jobs.js';
import type { Store } from '../../src/store/store.js';
import { testConfig, testSource } from '../support/config.js';
import { FakeFetcher, httpError, ok, tempSqliteStore, transportError, useCaseDeps, type FakeAnswer } from '../support/fakes.js';
import { articlePage, type FixtureArticle } from '../support/fixture-site.js';
import { waitFor } from '../support/harness.js';

/**
 * Embedded mode's Jobs (InProcessJobs) running the real use cases over a temp store, with
 * pages answered by a canned fetcher: retries, the final attempt's fallback, publishing.
 */

const FEED_URL = 'https://news.example.com/rss/cinn-industry.xml';
const SUMMARY = '3月30日，工业和信息化部召开新闻发布会，介绍一季度工业和信息化发展情况。';
const article: FixtureArticle = {
  code: '202203302327572513',
  title: '政策引导 重庆推进专精特新企业持续创新',
  publisher: '中国工业报',
  pageDate: '2022年03月30日 09:34',
  pubDate: 'Wed, 30 Mar 2022 01:34:12 GMT',
  paragraphs: ['为培育壮大一批专注细分市场、创新能力强、质量效益高的“专精特新”中小企业，重庆出台系列政策。'],
  author: '刘英',
};
const PAGE_URL = `https://finance.eastmoney.com/a/${article.code}.html`;
const FEED = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>中国工业报</title>
<item><title>${article.title}</title><link>${PAGE_URL}</link><guid>${article.code}</guid>
<pubDate>${article.pubDate}</pubDate><description>${SUMMARY}</description></item></channel></rss>`;

let store: Store;
let cleanup: () => Promise<void>;
beforeEach(() => ({ store, cleanup } = tempSqliteStore()));
afterEach(() => cleanup());

const source = testSource('cinn-industry', { url: FEED_URL, categories: ['industry'] });

/** Refreshes the source with embedded jobs whose article pages answer `page`, and waits for all the work to finish. */
async function embeddedPass(page: FakeAnswer | FakeAnswer[], attempts: number): Promise<FakeFetcher> {
  const fetcher = new FakeFetcher({ [FEED_URL]: ok(FEED, { contentType: 'application/rss+xml' }), [PAGE_URL]: page });
  const config = testConfig([source]);
  const depsFor = (jobs: Jobs): PipelineDeps => useCaseDeps({ config, store, fetcher, jobs });
  const jobs = new InProcessJobs(pipelineProcessors(depsFor), { retries: { attempts, delayMs: 1, jitter: 0 }, publishDebounceMs: 1 });
  const deps = depsFor(jobs);
  try {
    expect(await refreshSource(deps, source.id)).toMatchObject({ status: 'ok', newItems: 1 });
    await jobs.onIdle();
  } finally {
    await jobs.close();
  }
  return fetcher;
}

async function onlyItem(): Promise<Item> {
  const { items } = await store.listItems({ limit: 10 });
  expect(items).toHaveLength(1);
  return items[0] as Item;
}

it('retries a page that fails transiently and stores its body once it answers', async () => {
  const fetcher = await embeddedPass([httpError(503, { url: PAGE_URL }), transportError('timeout', { url: PAGE_URL }), ok(articlePage(article), { contentType: 'text/html' })], 5);
  expect(fetcher.requestsFor(PAGE_URL)).toHaveLength(3);
  const item = await onlyItem();
  expect(item.contentHtml).toContain('专精特新');
  expect(item.author).toBe('刘英');
});

it('on the last attempt stores the item from its feed content when the page keeps failing', async () => {
  const fetcher = await embeddedPass(httpError(503, { url: PAGE_URL }), 3);
  expect(fetcher.requestsFor(PAGE_URL)).toHaveLength(3);
  const item = await onlyItem();
  expect(item.contentHtml).toMatch(new RegExp(`^<p>${SUMMARY}\\s*</p>$`));
  expect(item.categories).toEqual(['zhongguogongyebao', 'industry']);
  // Claimed and saved: nothing left for the sweep of pending claims.
  expect(await store.takePendingClaims(new Date(Date.now() + 3_600_000), 10, new Date())).toEqual([]);
});

it('publishes the categories of what it stored: the merged feed and the publisher’s and source’s categories', async () => {
  await embeddedPass(ok(articlePage(article), { contentType: 'text/html' }), 1);
  for (const slug of ['all', 'zhongguogongyebao', 'industry']) {
    const doc = await store.getRendered(feedDocName(slug, 'rss'));
    expect(doc, slug).not.toBeNull();
    expect(doc?.body.toString('utf8')).toContain(article.title);
  }
});

it('publishes again later what a failed render was to show, with no further save', async () => {
  const fetcher = new FakeFetcher({ [FEED_URL]: ok(FEED, { contentType: 'application/rss+xml' }), [PAGE_URL]: ok(articlePage(article), { contentType: 'text/html' }) });
  const config = testConfig([source]);
  const depsFor = (jobs: Jobs): PipelineDeps => useCaseDeps({ config, store, fetcher, jobs });
  const real = pipelineProcessors(depsFor);
  let renders = 0;
  const processors: InProcessProcessors = {
    ...real,
    // The first render meets a store hiccup.
    publish: async (slugs, run) => {
      if (++renders === 1) throw new Error('database is locked');
      return real.publish(slugs, run);
    },
  };
  const jobs = new InProcessJobs(processors, { publishDebounceMs: 1, publishAgainAfterMs: 50 });
  try {
    expect(await refreshSource(depsFor(jobs), source.id)).toMatchObject({ status: 'ok', newItems: 1 });
    const doc = await waitFor(() => store.getRendered(feedDocName('all', 'rss')), 5000, 'the merged feed rendered again');
    expect(doc.body.toString('utf8')).toContain(article.title);
    expect(renders).toBeGreaterThanOrEqual(2);
  } finally {
    await jobs.close();
  }
});
