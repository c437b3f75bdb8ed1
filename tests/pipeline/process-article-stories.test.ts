import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/domain.js';
import type { ArticleJob } from '../../src/pipeline/ports.js';
import { processArticle } from '../../src/pipeline/process-article.js';
import type { Store } from '../../src/store/store.js';
import { testConfig, testSource } from '../support/config.js';
import { FakeFetcher, ok, RecordingJobs, tempSqliteStore, useCaseDeps } from '../support/fakes.js';
import { articlePage, type FixtureArticle } from '../support/fixture-site.js';
import { storyOriginal, storyReprint, wrapAfter } from '../support/story-fixtures.js';

const HTML = 'text/html; charset=utf-8';
const pageUrl = (a: FixtureArticle): string => `https://finance.eastmoney.com/a/${a.code}.html`;

const policy = testSource('policy', { categories: ['policy'] });
const markets = testSource('markets', { categories: ['markets'] });

function jobOf(a: FixtureArticle, source: SourceConfig): ArticleJob {
  return {
    key: `NW${a.code}`,
    infoCode: `NW${a.code}`,
    sourceId: source.id,
    categories: source.categories,
    item: { title: a.title, link: pageUrl(a), categories: [], publishedAt: new Date(a.pubDate).toISOString() },
  };
}

let store: Store;
let cleanup: () => Promise<void>;
beforeEach(() => ({ store, cleanup } = tempSqliteStore()));
afterEach(() => cleanup());

describe('processArticle: stories', () => {
  const fetcher = new FakeFetcher(Object.fromEntries([storyOriginal, storyReprint, wrapAfter].map((a) => [pageUrl(a), ok(articlePage(a), { contentType: HTML })])));

  it('places a reprint in its original’s story and asks to republish the original’s topic too', async () => {
    const jobs = new RecordingJobs();
    const deps = useCaseDeps({ config: testConfig([policy, markets]), store, fetcher, jobs });
    await processArticle(deps, jobOf(storyOriginal, policy));
    const reprint = await processArticle(deps, jobOf(storyReprint, markets));
    expect(await store.stories.storyOf(`NW${storyReprint.code}`)).toBe(`NW${storyOriginal.code}`);
    // The original lists the reprint now wherever it stands for the story: all and policy.
    expect([...reprint.changedCategories].sort()).toEqual(['all', 'markets', 'policy', 'shanghaizhengquanbao']);
    expect(jobs.publishes.at(-1)).toEqual(reprint.changedCategories);

    // An unrelated article is a story of its own and touches only its own feeds.
    const wrap = await processArticle(deps, jobOf(wrapAfter, markets));
    expect(await store.stories.storyOf(`NW${wrapAfter.code}`)).toBe(`NW${wrapAfter.code}`);
    expect([...wrap.changedCategories].sort()).toEqual(['all', 'markets', 'zhongzhengwang']);
  });

  it('fingerprints nothing with stories disabled', async () => {
    const config = { ...testConfig([policy]), stories: { enabled: false, windowMs: 72 * 3600_000, maxDistance: 24 } };
    await processArticle(useCaseDeps({ config, store, fetcher, jobs: new RecordingJobs() }), jobOf(storyOriginal, policy));
    expect(await store.stories.storyOf(`NW${storyOriginal.code}`)).toBeNull();
    expect(await store.getItem(`NW${storyOriginal.code}`)).not.toBeNull();
  });
});
