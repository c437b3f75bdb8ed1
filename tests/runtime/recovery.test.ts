import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { createMetrics } from '../../src/metrics.js';
import type { ArticleJob, Jobs } from '../../src/pipeline/ports.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { compose, type Composition } from '../../src/runtime/compose.js';
import { silentLogger } from '../../src/util/log.js';
import { testOptions } from '../support/compose.js';
import { rssFeed, type FixtureArticle } from '../support/fixture-site.js';
import { configYaml, REDIS_URL, useFixtureSite, useRedisPrefix, waitFor, writeConfig } from '../support/harness.js';
import { bankArticle, flashArticle } from '../support/news-fixtures.js';

// Work claimed but never run (its enqueue failed, or the process holding it died) while the
// source goes on answering 304: a process that starts workers queues it again at once, and
// one already running does after a job lock. The same rule in both modes.

/** A Jobs sink that loses every article handed to it, as a failed queue write does. */
class LosingJobs implements Jobs {
  readonly lost: ArticleJob[] = [];
  async enqueueArticles(jobs: readonly ArticleJob[]): Promise<void> {
    this.lost.push(...jobs);
  }
  async requestPublish(): Promise<void> {}
}

const fixture = useFixtureSite();
const redis = useRedisPrefix();

describe.each(['embedded', 'redis'] as const)('%s mode', (mode) => {
  /** A process of this mode on the test's feeds.yaml, data dir or Redis prefix. */
  const open = async (jobLockMs: number): Promise<Composition> => {
    const { site, dir } = fixture;
    const configPath = await writeConfig(dir, configYaml([{ id: 'finance', url: site.url('/rss/finance.xml') }]));
    const options = testOptions({ dataDir: path.join(dir, 'data'), redisUrl: mode === 'redis' ? REDIS_URL : undefined, prefix: redis.prefix, configPath });
    return compose({ ...options, jobLockMs }, await loadConfigOrThrow(configPath), silentLogger(), { metrics: createMetrics(), inProcess: { publishDebounceMs: 10 } });
  };
  const feedOf = (articles: FixtureArticle[]): void => {
    const { site } = fixture;
    for (const a of articles) site.addArticle(a);
    site.feed('/rss/finance.xml', () => rssFeed(site, '财经频道', articles, (a) => site.url(`/a/${a.code}.html`)));
  };

  it('a process starting its workers stores work claimed before it and lost, though the source answers 304', async () => {
    feedOf([bankArticle]);
    // The first process claims the item; its article job is lost.
    const first = await open(10 * 60_000);
    const losing = new LosingJobs();
    try {
      expect(await refreshSource(first.pipeline(losing), 'finance', { force: true })).toMatchObject({ status: 'ok', newItems: 1 });
      expect(losing.lost.map((j) => j.key)).toEqual([`ic-${bankArticle.code}`]);
    } finally {
      await first.close();
    }

    // The next process: a job lock of ten minutes, so only the sweep at start can find it.
    const next = await open(10 * 60_000);
    const stop = await next.startWorkers();
    try {
      expect((await refreshSource(next.deps, 'finance', { force: true })).status).toBe('not-modified');
      const item = await waitFor(() => next.store.getItem(`ic-${bankArticle.code}`), 20_000, 'the lost article stored');
      expect(item.title).toBe(bankArticle.title);
      expect(item.contentHtml).toContain('（文章来源：证券时报网）');
      expect(fixture.site.articleHits(bankArticle.code)).toHaveLength(1);
    } finally {
      await stop(10_000);
      await next.close();
    }
  });

  it('a running process stores work lost after it started once it has been out a job lock', async () => {
    const later = flashArticle(1);
    feedOf([bankArticle]);
    const app = await open(300);
    const stop = await app.startWorkers();
    try {
      expect((await refreshSource(app.deps, 'finance', { force: true })).status).toBe('ok');
      await waitFor(() => app.store.getItem(`ic-${bankArticle.code}`), 20_000, 'the first article stored');
      // A new item whose article job is lost; every poll after it is a 304.
      feedOf([later, bankArticle]);
      const losing = new LosingJobs();
      expect(await refreshSource(app.pipeline(losing), 'finance', { force: true })).toMatchObject({ status: 'ok', newItems: 1 });
      expect(losing.lost).toHaveLength(1);
      expect((await refreshSource(app.deps, 'finance', { force: true })).status).toBe('not-modified');
      const item = await waitFor(() => app.store.getItem(losing.lost[0]?.key ?? ''), 20_000, 'the lost article stored');
      expect(item.title).toBe(later.title);
    } finally {
      await stop(10_000);
      await app.close();
    }
  });
});
