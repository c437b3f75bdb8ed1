import path from 'node:path';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/http/server.js';
import { slugOf } from '../../src/tagging/slug.js';
import { silentLogger } from '../../src/util/log.js';
import { configYaml, useFixtureSite, useRedisPrefix, writeConfig } from '../support/harness.js';
import { runPass, type Mode, type Pass } from '../support/pass.js';
import { MARKET_WRAPS, STORY_MEMBERS, reprintSite, storyOriginal, storyReprint, storyShortReprint } from '../support/story-fixtures.js';

interface StoryJson {
  id: string;
  members: Array<{ infoCode: string | null; publisher: string; url: string; publishedAt: string }>;
}

interface JsonFeedItem {
  id: string;
  title: string;
  content_html: string;
  _finews: { infoCode: string | null; publisher: string; story?: StoryJson };
}

interface ApiItems {
  items: Array<{ infoCode: string | null; publisher: string; story?: StoryJson }>;
  next: string | null;
}

const code = (a: { code: string }): string => `NW${a.code}`;

/** Runs one pass on the reprint site and serves what it stored; `close` stops both. */
async function passAndServe(opts: { mode: Mode; dir: string; prefix: string; yaml: string }): Promise<{ pass: Pass; url: string; close(): Promise<void> }> {
  const configPath = await writeConfig(opts.dir, opts.yaml);
  // Redis mode: three reprints processed at once by the workers, so they are placed in their story concurrently.
  const pass = await runPass({ mode: opts.mode, configPath, dataDir: path.join(opts.dir, 'data'), prefix: opts.prefix, articleConcurrency: 5 });
  const { runtime } = pass;
  const server = await startServer(
    { config: runtime.config, store: runtime.store, metrics: runtime.metrics, log: silentLogger(), ready: runtime.ready },
    { host: '127.0.0.1', port: 0 },
  );
  return {
    pass,
    url: server.url,
    close: async () => {
      await server.close();
      await pass.close();
    },
  };
}

async function jsonFeed(url: string, slug: string): Promise<JsonFeedItem[]> {
  const res = await fetch(`${url}/feeds/${slug}.json`);
  expect(res.status, slug).toBe(200);
  return ((await res.json()) as { items: JsonFeedItem[] }).items;
}

describe.each<Mode>(['embedded', 'redis'])('three reprints of one story and two market wraps (%s mode)', (mode) => {
  const fixture = useFixtureSite();
  const redis = useRedisPrefix();

  it('shows the story once in all and in a topic, each publisher its own copy, the wraps as two items', async () => {
    const { site, dir } = fixture;
    // No spacing between page fetches, so the reprints' pages arrive, and are saved, together.
    const yaml = configYaml(reprintSite(site), { politeness: { perHost: 5, spacing: '0ms' } });
    const served = await passAndServe({ mode, dir, prefix: redis.prefix, yaml });
    try {
      // Every article fetched once and stored on its own.
      for (const a of [...STORY_MEMBERS, ...MARKET_WRAPS]) expect(site.articleHits(a.code), a.code).toHaveLength(1);
      const stored = await served.pass.runtime.store.listItems({ limit: 50 });
      expect(stored.items).toHaveLength(5);
      // The three reprints, saved at the same moment, are one story.
      const stories = await Promise.all(STORY_MEMBERS.map((a) => served.pass.runtime.store.stories.storyOf(code(a))));
      expect(new Set(stories).size).toBe(1);

      for (const slug of ['all', 'markets']) {
        const items = await jsonFeed(served.url, slug);
        expect(items.map((i) => i._finews.infoCode).sort(), slug).toEqual([code(storyOriginal), ...MARKET_WRAPS.map(code)].sort());
        const lead = items.find((i) => i._finews.infoCode === code(storyOriginal));
        expect(lead?._finews.story?.members.map((m) => [m.infoCode, m.publisher]), slug).toEqual([
          [code(storyReprint), '上海证券报'],
          [code(storyShortReprint), '中国证券报'],
        ]);
        expect(lead?._finews.story?.members[0]?.url).toBe(site.url(`/a/${storyReprint.code}.html`));
        expect(Date.parse(lead?._finews.story?.members[0]?.publishedAt ?? '')).toBe(Date.parse('2024-03-15T20:05:00+08:00'));
        expect(lead?.content_html).toMatch(/<p class="finews-story">同时由 <a href="[^"]+">上海证券报<\/a>、<a href="[^"]+">中国证券报<\/a> 报道<\/p>$/);
        for (const wrap of items.filter((i) => i._finews.infoCode !== code(storyOriginal))) expect(wrap._finews.story).toBeUndefined();
      }

      for (const a of STORY_MEMBERS) {
        const own = await jsonFeed(served.url, slugOf(a.publisher));
        expect(own.map((i) => i._finews.infoCode), a.publisher).toEqual([code(a)]);
        expect(own[0]?._finews.story).toBeUndefined();
      }

      const rss = await new Parser().parseString(await (await fetch(`${served.url}/feeds/all.xml`)).text());
      expect(rss.items).toHaveLength(3);
      const leadRss = rss.items.find((i) => i.guid?.endsWith(code(storyOriginal)));
      expect((leadRss as { 'content:encoded'?: string } | undefined)?.['content:encoded']).toContain(`同时由 <a href="${site.url(`/a/${storyReprint.code}.html`)}">上海证券报</a>、`);

      const api = (await (await fetch(`${served.url}/api/items`)).json()) as ApiItems;
      expect(api.items).toHaveLength(3);
      expect(api.items.find((i) => i.infoCode === code(storyOriginal))?.story?.members).toHaveLength(2);
      const ungrouped = (await (await fetch(`${served.url}/api/items?stories=false`)).json()) as ApiItems;
      expect(ungrouped.items).toHaveLength(5);
      expect(ungrouped.items.every((i) => i.story === undefined)).toBe(true);

      const home = await (await fetch(`${served.url}/`)).text();
      expect(home.split(storyOriginal.title).length - 1).toBe(1);
      expect(home).not.toContain(storyReprint.title);
      expect(home).toMatch(/同时由 <a href="[^"]+">上海证券报<\/a>、<a href="[^"]+">中国证券报<\/a> 报道/);
      const topic = await (await fetch(`${served.url}/category/markets.html`)).text();
      expect(topic.split('<article>').length - 1).toBe(3);
      expect(topic).toContain('同时由 ');
    } finally {
      await served.close();
    }
  });
});

describe('stories.enabled: false', () => {
  const fixture = useFixtureSite();
  const redis = useRedisPrefix();

  it('lists every reprint on its own and fingerprints nothing', async () => {
    const { site, dir } = fixture;
    const yaml = `${configYaml(reprintSite(site))}stories:\n  enabled: false\n`;
    const off = await passAndServe({ mode: 'embedded', dir, prefix: redis.prefix, yaml });
    try {
      const items = await jsonFeed(off.url, 'all');
      expect(items).toHaveLength(5);
      expect(items.every((i) => i._finews.story === undefined && !i.content_html.includes('同时由'))).toBe(true);
      expect(await off.pass.runtime.store.stories.storyOf(code(storyOriginal))).toBeNull();
    } finally {
      await off.close();
    }
  });
});
