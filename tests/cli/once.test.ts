import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { onceCommand } from '../../src/cli/once.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { createMetrics } from '../../src/metrics.js';
import { refreshSource } from '../../src/pipeline/refresh-source.js';
import { resolveOptions, type RuntimeOptions } from '../../src/runtime/options.js';
import { compose } from '../../src/runtime/compose.js';
import { ALL_SLUG } from '../../src/domain.js';
import { feedDocName, homePageDocName } from '../../src/publish/doc-names.js';
import { createLogger, silentLogger } from '../../src/util/log.js';
import { articlePage, rssFeed, type FixtureArticle } from '../support/fixture-site.js';
import { configYaml, useFixtureSite, writeConfig } from '../support/harness.js';
import { flashArticle } from '../support/news-fixtures.js';

const fixture = useFixtureSite();

const article = flashArticle;

/** Two sources carrying articles 1 and 2; the second also carries 3. */
async function twoSources(): Promise<string> {
  const { site, dir } = fixture;
  const articles = [1, 2, 3].map(article);
  for (const a of articles) site.addArticle(a);
  const link = (a: FixtureArticle): string => site.url(`/a/${a.code}.html`);
  site.feed('/rss/first.xml', () => rssFeed(site, '要闻', articles.slice(0, 2), link));
  site.feed('/rss/second.xml', () => rssFeed(site, '快讯', articles, link));
  // Room for the feeds while two article requests are held.
  const sources = [{ id: 'first', url: site.url('/rss/first.xml') }, { id: 'second', url: site.url('/rss/second.xml') }];
  return writeConfig(dir, configYaml(sources, { politeness: { perHost: 8, spacing: '0ms' } }));
}

function capture(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return () => text;
}

function runtimeOptions(configPath: string): RuntimeOptions {
  // Embedded mode: an empty environment has no REDIS_URL.
  return resolveOptions({ config: configPath, data: path.join(fixture.dir, 'data') }, {});
}

describe('once counts', () => {
  it('counts an item whose article another source has in flight as a duplicate, in the outcome and in finews_items_total', async () => {
    const { site } = fixture;
    const configPath = await twoSources();
    // Article pages wait until released: the first source's articles are in flight while the second polls.
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    for (const n of [1, 2, 3]) {
      const a = article(n);
      site.route(`/a/${a.code}.html`, (_req, res) => {
        void gate.then(() => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(articlePage(a));
        });
      });
    }
    const config = await loadConfigOrThrow(configPath);
    const metrics = createMetrics();
    const runtime = await compose(runtimeOptions(configPath), config, silentLogger(), { metrics, inProcess: { publishDebounceMs: 50 } });
    try {
      const { deps } = runtime;
      const first = await refreshSource(deps, 'first', { force: true });
      const second = await refreshSource(deps, 'second', { force: true });
      expect(first).toMatchObject({ status: 'ok', newItems: 2, duplicates: 0 });
      expect(second).toMatchObject({ status: 'ok', newItems: 1, duplicates: 2 });
      const counted = (await metrics.items.get()).values.filter((v) => v.labels.source === 'second');
      expect(counted.find((v) => v.labels.kind === 'duplicate')?.value).toBe(2);
      expect(counted.find((v) => v.labels.kind === 'new')?.value).toBe(1);
      release();
      await runtime.onIdle();
      const { items } = await runtime.store.listItems({ limit: 10 });
      expect(items).toHaveLength(3);
      expect(items.find((i) => i.title === '第1条快讯')?.sources.sort()).toEqual(['first', 'second']);
      // Each shared article was fetched once.
      expect(site.articleHits(article(1).code)).toHaveLength(1);
    } finally {
      release();
      await runtime.close();
    }
  });

  it('prints a summary whose totals add up: every item of every feed is new once or a duplicate', async () => {
    const configPath = await twoSources();
    const config = await loadConfigOrThrow(configPath);
    const out = new PassThrough();
    const text = capture(out);
    const code = await onceCommand(runtimeOptions(configPath), config, silentLogger(), { out: out as unknown as NodeJS.WriteStream, progress: false });
    expect(code).toBe(0);
    const rows = text().split('\n').filter((l) => /first|second/.test(l)).map((l) => l.split('│').map((c) => c.trim()).filter((c) => c !== ''));
    // 5 items in the two feeds: 3 distinct ones, whichever source saw each first.
    const sum = (col: number): number => rows.reduce((a, r) => a + Number(r[col]), 0);
    expect(rows).toHaveLength(2);
    expect(sum(2)).toBe(3);
    expect(sum(3)).toBe(2);
    expect(text()).toContain('2 sources, 0 failed; 3 new items, 2 duplicates');
  });

  it('publishes what the pass stored when it ends: every item in its publisher\'s feed, `all` and the home page', async () => {
    const configPath = await twoSources();
    const config = await loadConfigOrThrow(configPath);
    const out = new PassThrough();
    const code = await onceCommand(runtimeOptions(configPath), config, silentLogger(), { out: out as unknown as NodeJS.WriteStream, progress: false });
    expect(code).toBe(0);
    const runtime = await compose(runtimeOptions(configPath), config, silentLogger(), { metrics: createMetrics() });
    try {
      // A publisher's own feed keeps each of its copies (`all` shows a story once).
      const feed = (await runtime.store.getRendered(feedDocName('zhengquanshibao', 'rss')))?.body.toString('utf8') ?? '';
      for (const n of [1, 2, 3]) expect(feed).toContain(`第${n}条快讯`);
      expect((await runtime.store.getRendered(feedDocName(ALL_SLUG, 'atom')))?.body.toString('utf8')).toContain('第1条快讯');
      const home = (await runtime.store.getRendered(homePageDocName()))?.body.toString('utf8') ?? '';
      expect(home).toContain('first');
      expect(home).toContain('second');
    } finally {
      await runtime.close();
    }
  });

  it('holds logs to warnings while the progress bar runs, then draws the summary after the bar', async () => {
    const configPath = await twoSources();
    const config = await loadConfigOrThrow(configPath);
    const logs = new PassThrough();
    const logText = capture(logs);
    const log = createLogger({ level: 'info', stream: logs });
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    const text = capture(out);
    const code = await onceCommand(runtimeOptions(configPath), config, log, { out: out as unknown as NodeJS.WriteStream, progress: true });
    expect(code).toBe(0);
    expect(logText()).not.toContain('fetched source');
    expect(text()).toContain('sources');
    expect(text().lastIndexOf('2/2')).toBeLessThan(text().indexOf('3 new items, 2 duplicates'));
    expect(log.level).toBe('info');
  });
});
