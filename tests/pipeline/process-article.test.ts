import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArticleApi, Item, SourceConfig } from '../../src/domain.js';
import type { ArticleJob } from '../../src/pipeline/ports.js';
import { processArticle } from '../../src/pipeline/process-article.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import type { Store } from '../../src/store/store.js';
import { testConfig, testSource } from '../support/config.js';
import { FakeClock, FakeFetcher, httpError, ok, RecordingJobs, tempSqliteStore, transportError, useCaseDeps } from '../support/fakes.js';
import { articlePage, type FixtureArticle } from '../support/fixture-site.js';

const FEED_URL = 'https://news.example.com/rss/cinn-industry.xml';
const API_URL = 'https://np-cnotice.example.com/api/content';
const RSS = 'application/rss+xml; charset=utf-8';
const HTML = 'text/html; charset=utf-8';
const SUMMARY = '3月30日，工业和信息化部召开新闻发布会，介绍一季度工业和信息化发展情况。';
/** The feed's summary as the stored body: one paragraph of it (sanitizing may leave trailing space). */
const SUMMARY_BODY = new RegExp(`^<p>${SUMMARY}\\s*</p>$`);

const article: FixtureArticle = {
  code: '202203302327570001',
  title: '央行开展1500亿元逆回购操作 维护季末流动性合理充裕',
  publisher: '证券时报网',
  pageDate: '2022年03月30日 10:12',
  pubDate: 'Wed, 30 Mar 2022 02:12:00 GMT',
  paragraphs: ['中国人民银行30日以利率招标方式开展了1500亿元7天期逆回购操作，中标利率2.1%。', '业内人士表示，季末因素扰动下，央行加大公开市场投放力度。'],
  author: '张欣然',
};
const PAGE_URL = `https://finance.eastmoney.com/a/${article.code}.html`;
const API_REQUEST = `${API_URL}?infoCode=NW${article.code}`;

const FEED = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>中国工业报</title>
<item><title>${article.title}</title><link>${PAGE_URL}</link><guid>${article.code}</guid>
<pubDate>${article.pubDate}</pubDate><description>${SUMMARY}</description></item></channel></rss>`;

/** A page whose body is drawn by script: extraction finds no text on it. */
const SCRIPT_PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${article.title}_东方财富网</title></head>
<body><div id="app"></div><script>window.render && window.render();</script></body></html>`;

const api: ArticleApi = { url: `${API_URL}?infoCode={infoCode}`, content: ['data.content'], headers: {} };

function apiAnswer(content: string): string {
  return JSON.stringify({ success: true, data: { content } });
}

let store: Store;
let cleanup: () => Promise<void>;
const clock = new FakeClock(Date.parse('2022-03-30T02:30:00Z'));
beforeEach(() => ({ store, cleanup } = tempSqliteStore()));
afterEach(() => cleanup());

const industry = testSource('cinn-industry', { url: FEED_URL, categories: ['industry'] });

/** The article job refreshing `source` hands out for the feed's one item. */
async function jobFor(source: SourceConfig): Promise<ArticleJob> {
  const jobs = new RecordingJobs();
  const fetcher = new FakeFetcher({ [source.url]: ok(FEED, { contentType: RSS }) });
  await refreshSource(useCaseDeps({ config: testConfig([source]), store, fetcher, jobs, now: clock.now }), source.id, { force: true });
  expect(jobs.articles).toHaveLength(1);
  return jobs.articles[0] as ArticleJob;
}

function deps(source: SourceConfig, fetcher: FakeFetcher, jobs = new RecordingJobs()) {
  return useCaseDeps({ config: testConfig([source]), store, fetcher, jobs, now: clock.now });
}

async function storedItems(): Promise<Item[]> {
  return (await store.listItems({ limit: 10 })).items;
}

async function onlyItem(): Promise<Item> {
  const items = await storedItems();
  expect(items).toHaveLength(1);
  return items[0] as Item;
}

describe('processArticle: the article page', () => {
  it('stores the page body, tagged with the publisher its attribution line names, and asks to publish its categories', async () => {
    const job = await jobFor(industry);
    const fetcher = new FakeFetcher({ [PAGE_URL]: ok(articlePage(article), { contentType: HTML }) });
    const jobs = new RecordingJobs();
    const outcome = await processArticle(deps(industry, fetcher, jobs), job);
    expect(outcome.page).toBe('fetched');

    const item = await onlyItem();
    expect(item).toMatchObject({
      infoCode: `NW${article.code}`,
      title: article.title,
      url: PAGE_URL,
      publisher: '证券时报网',
      categories: ['zhengquanshibaowang', 'industry'],
      tags: ['证券时报网新闻'],
      author: '张欣然',
      sources: ['cinn-industry'],
      summary: expect.stringContaining('中国人民银行30日'),
    });
    expect(item.contentHtml).toContain('1500亿元7天期逆回购操作');
    expect(item.contentHtml).not.toContain('责任编辑');
    expect(jobs.publishes).toEqual([outcome.changedCategories]);
    expect(jobs.publishedCategories()).toEqual(['all', 'industry', 'zhengquanshibaowang']);
    // An article link comes from feed content: fetched under the content rules, beside its source's origin.
    expect(fetcher.requests).toHaveLength(1);
    expect(fetcher.requests[0]).toMatchObject({ url: PAGE_URL, origin: 'content', sourceOrigin: FEED_URL });
  });

  it('keeps the feed summary as the body when the page has no text to extract', async () => {
    const job = await jobFor(industry);
    const fetcher = new FakeFetcher({ [PAGE_URL]: ok(SCRIPT_PAGE, { contentType: HTML }) });
    await processArticle(deps(industry, fetcher), job);
    const item = await onlyItem();
    expect(item.contentHtml).toMatch(SUMMARY_BODY);
    expect(item.summary).toBe(SUMMARY);
    expect(item.title).toBe(article.title);
  });

  it('stores the feed content without fetching when the source does not fetch pages', async () => {
    const noFetch = { ...industry, article: { fetch: false, remove: [] } };
    // Such a source's refresh stores its items itself; a job comes of the sweep of lost work,
    // or of a source whose config stopped fetching pages after the claim.
    const job = await jobFor(industry);
    const fetcher = new FakeFetcher();
    const outcome = await processArticle(deps(noFetch, fetcher), job);
    expect(outcome.page).toBe('skipped');
    expect(fetcher.requests).toEqual([]);
    // Without a page the publisher is the feed's title.
    expect(await onlyItem()).toMatchObject({ contentHtml: expect.stringMatching(SUMMARY_BODY), publisher: '中国工业报', categories: ['zhongguogongyebao', 'industry'] });
  });

  it('falls back to the feed content at once for a page that is gone (404)', async () => {
    const job = await jobFor(industry);
    const fetcher = new FakeFetcher({ [PAGE_URL]: httpError(404, { url: PAGE_URL }) });
    const outcome = await processArticle(deps(industry, fetcher), job);
    expect(outcome.page).toBe('fallback');
    expect(await onlyItem()).toMatchObject({ contentHtml: expect.stringMatching(SUMMARY_BODY), url: PAGE_URL });
  });

  it('throws a transient page failure so the job is retried, storing nothing; on the final attempt stores the feed content', async () => {
    const job = await jobFor(industry);
    const fetcher = new FakeFetcher({ [PAGE_URL]: httpError(503, { url: PAGE_URL }) });
    const jobs = new RecordingJobs();
    await expect(processArticle(deps(industry, fetcher, jobs), job)).rejects.toMatchObject({ code: 'http-status', retryable: true });
    expect(await storedItems()).toEqual([]);
    expect(jobs.publishes).toEqual([]);

    fetcher.on(PAGE_URL, transportError('timeout', { url: PAGE_URL }));
    const outcome = await processArticle(deps(industry, fetcher, jobs), job, { finalAttempt: true });
    expect(outcome.page).toBe('fallback');
    expect(await onlyItem()).toMatchObject({ contentHtml: expect.stringMatching(SUMMARY_BODY) });
    expect(jobs.publishedCategories()).toEqual(['all', 'industry', 'zhongguogongyebao']);
  });

  it('merges the categories and sources of a second source’s job for the same article into the stored item', async () => {
    const chongqing = testSource('cqrb', { url: 'https://news.example.com/rss/cqrb.xml', categories: ['chongqing'] });
    const job = await jobFor(industry);
    const fetcher = new FakeFetcher({ [PAGE_URL]: ok(articlePage(article), { contentType: HTML }) });
    const config = testConfig([industry, chongqing]);
    const jobs = new RecordingJobs();
    const both = useCaseDeps({ config, store, fetcher, jobs, now: clock.now });
    await processArticle(both, job);
    // The same article's work handed out again on behalf of the other source (a re-queued claim).
    const outcome = await processArticle(both, { ...job, sourceId: 'cqrb', categories: ['chongqing'] });
    const item = await onlyItem();
    expect(item.categories).toEqual(['zhengquanshibaowang', 'industry', 'chongqing']);
    expect(item.sources).toEqual(['cinn-industry', 'cqrb']);
    expect(outcome.changedCategories).toEqual(expect.arrayContaining(['all', 'chongqing']));
    expect((await store.listItems({ category: 'chongqing', limit: 10 })).items.map((i) => i.key)).toEqual([job.key]);
  });
});

describe('processArticle: the article API', () => {
  const withApi = { ...industry, article: { fetch: true, remove: [], api } };
  const apiBody = `<p>${article.paragraphs[0]}</p><p>（文章来源：证券时报网）</p>`;

  it('takes the body from the API first and never fetches the page', async () => {
    const job = await jobFor(withApi);
    const fetcher = new FakeFetcher({
      [API_REQUEST]: ok(apiAnswer(apiBody), { contentType: 'application/json' }),
      [PAGE_URL]: ok(articlePage({ ...article, paragraphs: ['页面正文'] }), { contentType: HTML }),
    });
    expect((await processArticle(deps(withApi, fetcher), job)).page).toBe('fetched');
    expect(fetcher.requests.map((r) => r.url)).toEqual([API_REQUEST]);
    // The API's host is the operator's, trusted like the source URL.
    expect(fetcher.requests[0]).toMatchObject({ origin: 'operator' });
    const item = await onlyItem();
    expect(item.contentHtml).toContain('1500亿元7天期逆回购操作');
    expect(item.contentHtml).not.toContain('页面正文');
    expect(item.publisher).toBe('证券时报网');
  });

  it('reads the page when the API answers an empty body, or is gone', async () => {
    const job = await jobFor(withApi);
    const page = ok(articlePage({ ...article, paragraphs: ['页面正文：季末流动性合理充裕。'] }), { contentType: HTML });
    const fetcher = new FakeFetcher({ [API_REQUEST]: ok(apiAnswer(''), { contentType: 'application/json' }), [PAGE_URL]: page });
    expect((await processArticle(deps(withApi, fetcher), job)).page).toBe('fetched');
    expect(fetcher.requests.map((r) => r.url)).toEqual([API_REQUEST, PAGE_URL]);
    expect((await onlyItem()).contentHtml).toContain('页面正文');

    fetcher.requests.length = 0;
    fetcher.on(API_REQUEST, httpError(404, { url: API_REQUEST }));
    await processArticle(deps(withApi, fetcher), job);
    expect(fetcher.requests.map((r) => r.url)).toEqual([API_REQUEST, PAGE_URL]);
    expect((await onlyItem()).contentHtml).toContain('页面正文');
  });

  it('retries a transient API failure before anything else; on the final attempt it reads the page', async () => {
    const job = await jobFor(withApi);
    const fetcher = new FakeFetcher({ [API_REQUEST]: httpError(503, { url: API_REQUEST }), [PAGE_URL]: ok(articlePage(article), { contentType: HTML }) });
    await expect(processArticle(deps(withApi, fetcher), job)).rejects.toMatchObject({ retryable: true });
    expect(fetcher.requests.map((r) => r.url)).toEqual([API_REQUEST]);
    expect(await storedItems()).toEqual([]);

    fetcher.requests.length = 0;
    expect((await processArticle(deps(withApi, fetcher), job, { finalAttempt: true })).page).toBe('fetched');
    expect(fetcher.requests.map((r) => r.url)).toEqual([API_REQUEST, PAGE_URL]);
    expect((await onlyItem()).contentHtml).toContain('中标利率2.1%');
  });

  it('stores the feed content when neither the API nor the page answers on the final attempt', async () => {
    const job = await jobFor(withApi);
    const fetcher = new FakeFetcher({ [API_REQUEST]: transportError('refused', { url: API_REQUEST }), [PAGE_URL]: transportError('timeout', { url: PAGE_URL }) });
    const outcome = await processArticle(deps(withApi, fetcher), job, { finalAttempt: true });
    expect(outcome.page).toBe('fallback');
    expect(fetcher.requests.map((r) => r.url)).toEqual([API_REQUEST, PAGE_URL]);
    expect((await onlyItem()).contentHtml).toMatch(SUMMARY_BODY);
  });
});
