import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/domain.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import type { Composition } from '../../src/runtime/compose.js';
import { FixtureSite } from '../support/fixture-site.js';
import { cleanupRedis, configYaml, redisPrefix, tempDir, useFixtureSite, useRedisPrefix, writeConfig } from '../support/harness.js';
import { runPass, type Mode } from '../support/pass.js';
import { SEED_CODE, threeFeedSite } from '../support/news-fixtures.js';

async function allItems(runtime: Composition): Promise<Item[]> {
  const { items } = await runtime.store.listItems({ limit: 500 });
  return items;
}

/** Items as a comparison across modes: without the time they happened to be stored. */
function comparable(items: Item[]): Array<Omit<Item, 'storedAt'>> {
  return items
    .map(({ storedAt: _storedAt, ...rest }) => ({ ...rest, categories: [...rest.categories].sort(), sources: [...rest.sources].sort() }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

describe.each<Mode>(['embedded', 'redis'])('three feeds, one article (%s mode)', (mode) => {
  const fixture = useFixtureSite();
  const redis = useRedisPrefix();

  it('stores and fetches the shared article once, in the union of categories, across passes and restarts', async () => {
    const { site, dir } = fixture;
    const { prefix } = redis;
    const configPath = await writeConfig(dir, configYaml(threeFeedSite(site)));
    const first = await runPass({ mode, configPath, dataDir: path.join(dir, 'data'), prefix });
    const items = await allItems(first.runtime);
    await first.close();

    expect(items).toHaveLength(3);
    const seed = items.find((i) => i.infoCode === `NW${SEED_CODE}`);
    expect(seed).toBeDefined();
    expect(seed?.publisher).toBe('中国工业报');
    expect(seed?.categories.sort()).toEqual(['finance', 'industry', 'policy', 'zhongguogongyebao']);
    expect(seed?.sources.sort()).toEqual(['finance', 'industry', 'policy']);
    expect(seed?.tags).toEqual(['中国工业报新闻']);
    expect(seed?.contentHtml).toContain('<p class="em_media">（文章来源：中国工业报）</p>');
    expect(site.articleHits(SEED_CODE)).toHaveLength(1);

    // A second pass and a restart add nothing: feeds answer 304, no page is fetched again.
    const pageHitsBefore = site.requests.filter((r) => !r.path.startsWith('/rss') && !r.path.startsWith('/atom')).length;
    const second = await runPass({ mode, configPath, dataDir: path.join(dir, 'data'), prefix });
    const again = await allItems(second.runtime);
    const states = await second.runtime.store.listSourceStates();
    await second.close();
    expect(comparable(again)).toEqual(comparable(items));
    expect(site.requests.filter((r) => !r.path.startsWith('/rss') && !r.path.startsWith('/atom')).length).toBe(pageHitsBefore);
    const industryHits = site.hits('/rss/industry.xml');
    expect(industryHits.at(-1)?.headers['if-none-match']).toBeTruthy();
    expect(states.map((s) => s.lastStatus)).toEqual([304, 304, 304]);
  });
});

describe('embedded and Redis mode', () => {
  it('store the same articles from the same site', async () => {
    const results: Array<Array<Omit<Item, 'storedAt'>>> = [];
    for (const mode of ['embedded', 'redis'] as const) {
      const site = await new FixtureSite().start();
      const tmp = await tempDir();
      const prefix = redisPrefix();
      try {
        const configPath = await writeConfig(tmp.dir, configYaml(threeFeedSite(site)));
        const p = await runPass({ mode, configPath, dataDir: path.join(tmp.dir, 'data'), prefix });
        // Links carry the fixture's random port: compare them without it.
        results.push(comparable(await allItems(p.runtime)).map((i) => JSON.parse(JSON.stringify(i).replaceAll(site.origin, 'ORIGIN'))));
        await p.close();
      } finally {
        await site.stop();
        await tmp.cleanup();
        await cleanupRedis(prefix);
      }
    }
    expect(results[0]).toHaveLength(3);
    expect(results[1]).toEqual(results[0]);
  });
});

describe('one refresh per source at a time', () => {
  const fixture = useFixtureSite();

  it('skips a refresh of a source that another refresh (another process, here a second runtime) is doing', async () => {
    const { site, dir } = fixture;
    const configPath = await writeConfig(dir, configYaml(threeFeedSite(site).slice(0, 1)));
    const a = await runPass({ configPath, dataDir: path.join(dir, 'data') });
    const b = await runPass({ configPath, dataDir: path.join(dir, 'data') });
    try {
      site.latencyMs = 300;
      const before = site.hits('/rss/industry.xml').length;
      const outcomes = await Promise.all([a, b].map((p) => refreshSource(p.runtime.deps, 'industry', { force: true })));
      expect(outcomes.map((o) => o.status).sort()).toEqual(['not-modified', 'skipped']);
      expect(outcomes.find((o) => o.status === 'skipped')).toMatchObject({ reason: 'already being refreshed' });
      expect(site.hits('/rss/industry.xml').length - before).toBe(1);
      // Once it is done, the next refresh runs.
      expect((await refreshSource(b.runtime.deps, 'industry', { force: true })).status).toBe('not-modified');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
