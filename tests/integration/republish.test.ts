import path from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/util/log.js';
import { FixtureSite } from '../support/fixture-site.js';
import { configYaml, tempDir, writeConfig } from '../support/harness.js';
import { runPass, type Pass } from '../support/pass.js';
import { SEED_CODE, threeFeedSite } from '../support/news-fixtures.js';

describe('republished feeds after a real pass', () => {
  let site: FixtureSite;
  let tmp: { dir: string; cleanup(): Promise<void> };
  let pass: Pass;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    site = await new FixtureSite().start();
    tmp = await tempDir();
    const configPath = await writeConfig(tmp.dir, configYaml(threeFeedSite(site)));
    pass = await runPass({ configPath, dataDir: path.join(tmp.dir, 'data'), jobs: { publishDebounceMs: 20 } });
    const { runtime } = pass;
    server = await startServer(
      { config: runtime.config, store: runtime.store, metrics: runtime.metrics, log: silentLogger(), ready: runtime.ready },
      { host: '127.0.0.1', port: 0 },
    );
  });
  afterAll(async () => {
    await server.close();
    await pass.close();
    await site.stop();
    await tmp.cleanup();
  });

  const parser = new Parser();
  const feedItems = async (slug: string): Promise<Array<{ guid?: string; title?: string; link?: string }>> => {
    const res = await fetch(`${server.url}/feeds/${slug}.xml`);
    expect(res.status, slug).toBe(200);
    return (await parser.parseString(await res.text())).items;
  };

  it('puts the article carried by three sources once in each of their category feeds and once in all', async () => {
    for (const slug of ['industry', 'finance', 'policy', 'zhongguogongyebao', 'all']) {
      const items = await feedItems(slug);
      const seed = items.filter((i) => i.guid?.endsWith(`NW${SEED_CODE}`));
      expect(seed, slug).toHaveLength(1);
    }
    expect(await feedItems('all')).toHaveLength(3);
  });

  it('titles a publisher category with the publisher, in the API and in its feed', async () => {
    const { categories } = (await (await fetch(`${server.url}/api/categories`)).json()) as { categories: Array<{ slug: string; title: string; count: number }> };
    expect(categories.find((c) => c.slug === 'zhongguogongyebao')).toMatchObject({ title: '中国工业报', count: 1 });
    const feed = await parser.parseString(await (await fetch(`${server.url}/feeds/zhongguogongyebao.xml`)).text());
    expect(feed.title).toContain('中国工业报');
  });

  it('answers an unknown category with 404, never an empty feed', async () => {
    expect((await fetch(`${server.url}/feeds/no-such-category.xml`)).status).toBe(404);
  });
});
