import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { ALL_SLUG } from '../../src/domain.js';
import { createMetrics } from '../../src/metrics.js';
import type { PipelineDeps } from '../../src/pipeline/ports.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { feedDocName } from '../../src/publish/doc-names.js';
import { compose, type Composition } from '../../src/runtime/compose.js';
import { InProcessJobs, pipelineProcessors } from '../../src/runtime/in-process-jobs.js';
import { silentLogger } from '../../src/util/log.js';
import { testOptions } from '../support/compose.js';
import { countingJobs, countingStore, STORE_WRITES } from '../support/counting.js';
import { rssFeed, type FixtureArticle, type FixtureSite } from '../support/fixture-site.js';
import { configYaml, REDIS_URL, useFixtureSite, useRedisPrefix, writeConfig, type TestSource } from '../support/harness.js';
import type { Mode } from '../support/pass.js';
import { flashArticle } from '../support/news-fixtures.js';

const BURST = 500;

/** `count` flash items from `first` on: one feed's worth of distinct articles. */
function flashes(first: number, count: number): FixtureArticle[] {
  return Array.from({ length: count }, (_, i) => flashArticle(first + i));
}

/** A feed with an ETag (answers If-None-Match with 304), of a source that stores its items from the feed. */
function etagFeed(site: FixtureSite, id: string, items: FixtureArticle[]): TestSource {
  site.feed(`/rss/${id}.xml`, () => rssFeed(site, id, items, (a) => site.url(`/a/${a.code}.html`)));
  return { id, url: site.url(`/rss/${id}.xml`), articleFetch: false, categories: ['flash'] };
}

/** The same, of a source that fetches each article's page (served by the site). */
function fetchingFeed(site: FixtureSite, id: string, items: FixtureArticle[]): TestSource {
  for (const a of items) site.addArticle(a);
  return { ...etagFeed(site, id, items), articleFetch: true };
}

/** Every host open: the fixture site is one host serving hundreds of article pages. */
const OPEN_POLITENESS = { politeness: { perHost: 16, spacing: '0ms' } };

/** A feed with no validators at all: 200 and the same bytes on every request. */
function plainFeed(site: FixtureSite, id: string, items: FixtureArticle[]): TestSource {
  const body = rssFeed(site, id, items, (a) => site.url(`/news.html?infoCode=NW${a.code}`));
  site.route(`/rss/${id}.xml`, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    res.end(body);
  });
  return { id, url: site.url(`/rss/${id}.xml`), articleFetch: false, categories: ['flash'] };
}

describe.each<Mode>(['embedded', 'redis'])('ingest in batches (%s mode)', (mode) => {
  const fixture = useFixtureSite();
  const redis = useRedisPrefix();

  /** A process of this mode on the given sources, its workers running. */
  const open = async (sources: TestSource[]): Promise<{ runtime: Composition; close(): Promise<void> }> => {
    const { dir } = fixture;
    const configPath = await writeConfig(dir, configYaml(sources, OPEN_POLITENESS));
    const config = await loadConfigOrThrow(configPath);
    const options = testOptions({ dataDir: path.join(dir, 'data'), redisUrl: mode === 'redis' ? REDIS_URL : undefined, prefix: redis.prefix, configPath });
    const runtime = await compose(options, config, silentLogger(), { metrics: createMetrics(), inProcess: { publishDebounceMs: 50 } });
    const stopWorkers = mode === 'redis' ? await runtime.startWorkers() : async () => undefined;
    return {
      runtime,
      close: async () => {
        await stopWorkers(30_000);
        await runtime.close();
      },
    };
  };

  it(`stores a burst of ${BURST} new items of a feed that fetches nothing with one claim, one save and one publish request, queueing nothing`, async () => {
    const { site } = fixture;
    const { runtime, close } = await open([etagFeed(site, 'flash', flashes(0, BURST))]);
    try {
      const store = countingStore(runtime.store);
      const jobs = countingJobs(runtime.jobs);
      const deps: PipelineDeps = { ...runtime.deps, store: store.store, jobs: jobs.jobs };
      expect(await refreshSource(deps, 'flash', { force: true })).toMatchObject({ status: 'ok', newItems: BURST, duplicates: 0 });
      // O(1) in the burst: the feed's 500 keys claimed in one call, its 500 items saved in one, one publish asked for.
      expect(store.calls.of('claimMany')).toBe(1);
      expect(store.calls.of('claim')).toBe(0);
      expect(store.calls.of('saveItems')).toBe(1);
      expect(store.calls.of('saveItem')).toBe(0);
      expect(jobs.calls.all()).toEqual({ requestPublish: 1 });
      // Stored by the time the refresh returns, with no article work left pending.
      const { items } = await runtime.store.listItems({ category: 'flash', limit: BURST + 1 });
      expect(items).toHaveLength(BURST);
      // Each from its own feed entry: its title, and its description as the body.
      const byTitle = new Map(items.map((i) => [i.title, i]));
      for (const n of [0, 250, BURST - 1]) {
        expect(byTitle.get(`第${n}条快讯`)).toMatchObject({ contentHtml: expect.stringMatching(new RegExp(`^<p>快讯正文${n}\\s*</p>$`)), sources: ['flash'], categories: ['flash'] });
      }
      expect(await runtime.store.takePendingClaims(new Date(Date.now() + 3_600_000), 10, new Date())).toEqual([]);
      expect(await runtime.onIdle(60_000)).toBe(true);
      expect(await runtime.store.getRendered(feedDocName('flash', 'rss'))).not.toBeNull();
      expect((await runtime.store.getSourceState('flash'))?.items).toBe(BURST);
    } finally {
      await close();
    }
  });

  it(`claims a burst of ${BURST} new items of a feed that fetches its pages with one store call and queues them with one Jobs call`, async () => {
    const { site } = fixture;
    const { runtime, close } = await open([fetchingFeed(site, 'flash', flashes(0, BURST))]);
    try {
      const store = countingStore(runtime.store);
      const jobs = countingJobs(runtime.jobs);
      const deps: PipelineDeps = { ...runtime.deps, store: store.store, jobs: jobs.jobs };
      expect(await refreshSource(deps, 'flash', { force: true })).toMatchObject({ status: 'ok', newItems: BURST, duplicates: 0 });
      // O(1) in the burst: one claim call for the feed's 500 keys, one enqueue call for its 500 articles.
      expect(store.calls.of('claimMany')).toBe(1);
      expect(store.calls.of('claim')).toBe(0);
      expect(jobs.calls.of('enqueueArticles')).toBe(1);
      // Nothing stored by the refresh itself: the articles are the jobs'.
      expect(store.calls.of('saveItems')).toBe(0);
      expect(await runtime.onIdle(60_000)).toBe(true);
      const { items } = await runtime.store.listItems({ category: 'flash', limit: BURST + 1 });
      expect(items).toHaveLength(BURST);
      expect(site.hits('/a/')).toHaveLength(BURST);
    } finally {
      await close();
    }
  });

  it('does nothing for a pass in which one feed answers 304 and another the same bytes: no claim, item write, publish or render', async () => {
    const { site } = fixture;
    const { runtime, close } = await open([etagFeed(site, 'etag', flashes(0, 40)), plainFeed(site, 'plain', flashes(100, 40))]);
    try {
      for (const id of ['etag', 'plain']) await refreshSource(runtime.deps, id, { force: true });
      expect(await runtime.onIdle(60_000)).toBe(true);
      const rendered = await runtime.store.getRendered(feedDocName(ALL_SLUG, 'rss'));
      expect(rendered).not.toBeNull();

      const store = countingStore(runtime.store);
      const jobs = countingJobs(runtime.jobs);
      const deps: PipelineDeps = { ...runtime.deps, store: store.store, jobs: jobs.jobs };
      expect(await refreshSource(deps, 'etag', { force: true })).toEqual({ sourceId: 'etag', status: 'not-modified' });
      expect(await refreshSource(deps, 'plain', { force: true })).toEqual({ sourceId: 'plain', status: 'not-modified' });
      expect(await runtime.onIdle(60_000)).toBe(true);

      for (const write of STORE_WRITES) expect(store.calls.of(write), write).toBe(0);
      // Nothing read for publishing either: no category was touched.
      expect(store.calls.of('listItems')).toBe(0);
      expect(store.calls.of('listCategories')).toBe(0);
      expect(store.calls.of('putSourceState')).toBe(2);
      expect(jobs.calls.all()).toEqual({});
      expect(await runtime.store.getRendered(feedDocName(ALL_SLUG, 'rss'))).toMatchObject({ etag: rendered?.etag, lastModified: rendered?.lastModified });
      // Both were really asked again, and answered as their kind of feed does.
      expect(site.hits('/rss/plain.xml')).toHaveLength(2);
      const states = await runtime.store.listSourceStates();
      expect(states.map((s) => [s.id, s.lastStatus, s.items])).toEqual([
        ['etag', 304, 40],
        ['plain', 200, 40],
      ]);
    } finally {
      await close();
    }
  });
});

describe('the in-process queue', () => {
  const fixture = useFixtureSite();

  it('never holds more articles than its high-water mark: a refresh waits for article processing', async () => {
    const { site, dir } = fixture;
    const configPath = await writeConfig(dir, configYaml([fetchingFeed(site, 'flash', flashes(0, BURST))], OPEN_POLITENESS));
    const config = await loadConfigOrThrow(configPath);
    const runtime = await compose(testOptions({ dataDir: path.join(dir, 'data'), configPath }), config, silentLogger(), { metrics: createMetrics() });
    const highWater = 20;
    let maxHeld = 0;
    let processed = 0;
    const base = pipelineProcessors((j) => runtime.pipeline(j));
    const jobs: InProcessJobs = new InProcessJobs(
      {
        article: async (job, run) => {
          maxHeld = Math.max(maxHeld, jobs.held);
          const outcome = await base.article(job, run);
          processed++;
          return outcome;
        },
        publish: base.publish,
      },
      { articleConcurrency: 4, articleHighWater: highWater, publishDebounceMs: 50 },
    );
    try {
      expect(await refreshSource(runtime.pipeline(jobs), 'flash', { force: true })).toMatchObject({ status: 'ok', newItems: BURST });
      // The refresh returned once the last articles fit in the queue: all but those were done.
      expect(processed).toBeGreaterThanOrEqual(BURST - highWater);
      await jobs.onIdle();
      expect(processed).toBe(BURST);
      expect(maxHeld).toBeLessThanOrEqual(highWater);
      // It did fill up: more were held than run at once.
      expect(maxHeld).toBeGreaterThan(4);
      expect((await runtime.store.listItems({ category: 'flash', limit: BURST + 1 })).items).toHaveLength(BURST);
    } finally {
      await jobs.close();
      await runtime.close();
    }
  });
});
