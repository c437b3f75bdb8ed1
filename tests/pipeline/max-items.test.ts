import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { createMetrics } from '../../src/metrics.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { compose } from '../../src/runtime/compose.js';
import { capItems } from '../../src/sources/max-items.js';
import { silentLogger } from '../../src/util/log.js';
import { rssFeed } from '../support/fixture-site.js';
import { testOptions } from '../support/compose.js';
import { configYaml, useFixtureSite, writeConfig } from '../support/harness.js';
import { flashArticle } from '../support/news-fixtures.js';

const fixture = useFixtureSite();

const article = flashArticle;

describe('maxItems', () => {
  it('keeps the newest maxItems items of one poll and says so in one warning', async () => {
    const { site, dir } = fixture;
    const articles = Array.from({ length: 40 }, (_v, i) => article(i + 1));
    site.feed('/rss/flood.xml', () => rssFeed(site, '快讯', articles, (a) => site.url(`/a/${a.code}.html`)));
    const configPath = await writeConfig(dir, configYaml([{ id: 'flood', url: site.url('/rss/flood.xml'), articleFetch: false }]));
    const loaded = await loadConfigOrThrow(configPath);
    const config = { ...loaded, sources: loaded.sources.map((s) => ({ ...s, maxItems: 25 })) };
    const runtime = await compose(testOptions({ dataDir: path.join(dir, 'data') }), config, silentLogger(), { metrics: createMetrics(), inProcess: { publishDebounceMs: 50 } });
    try {
      const outcome = await refreshSource(runtime.deps, 'flood', { force: true });
      await runtime.onIdle();
      expect(outcome.status).toBe('ok');
      if (outcome.status !== 'ok') return;
      expect(outcome.newItems).toBe(25);
      expect(outcome.warnings.filter((w) => w.includes('maxItems'))).toEqual(['40 items, more than maxItems 25: kept the newest 25, skipped 15']);
      const { items } = await runtime.store.listItems({ limit: 100 });
      expect(items.map((i) => i.title).sort()).toEqual(articles.slice(15).map((a) => a.title).sort());
    } finally {
      await runtime.close();
    }
  });

  it('leaves a feed within the cap as it is, and counts undated items as oldest', () => {
    const feed = { items: [{ title: 'a', categories: [] }, { title: 'b', categories: [], publishedAt: '2022-03-30T09:00:00+08:00' }], warnings: [] };
    expect(capItems(feed, 2)).toBe(feed);
    expect(capItems(feed, 1).items.map((i) => i.title)).toEqual(['b']);
  });
});
