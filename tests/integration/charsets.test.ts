import { readFile } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { expect, it } from 'vitest';
import { configYaml, REPO_ROOT, useFixtureSite, writeConfig } from '../support/harness.js';
import { runPass } from '../support/pass.js';

const fixture = useFixtureSite();

it('reads a GBK feed declared only in its XML prolog and a GBK page declared only in <meta>', async () => {
  const { site, dir } = fixture;
  const code = '202204183456789012';
  // Neither response names a charset in its Content-Type: the prolog and the meta tag must do.
  const feed = `<?xml version="1.0" encoding="GBK"?>
<rss version="2.0"><channel><title>证券时报网-要闻</title><link>${site.origin}/</link><description>要闻</description>
<item><title>深市两融余额连续三日回升 电子行业获融资净买入居前</title><link>${site.origin}/a/${code}.html</link>
<pubDate>Mon, 18 Apr 2022 16:05:00 +0800</pubDate><description>深市两融余额连续三日回升。</description></item>
</channel></rss>`;
  site.route('/rss/stcn.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(iconv.encode(feed, 'gbk'));
  });
  const page = await readFile(path.join(REPO_ROOT, 'tests/fixtures/articles/gbk-article.html'));
  site.route(`/a/${code}.html`, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page);
  });
  const configPath = await writeConfig(dir, configYaml([{ id: 'stcn', url: site.url('/rss/stcn.xml') }]));
  const { runtime, close } = await runPass({ configPath, dataDir: path.join(dir, 'data') });
  try {
    expect((await runtime.store.getSourceState('stcn'))?.lastError).toBeUndefined();
    const { items } = await runtime.store.listItems({ limit: 10 });
    expect(items).toHaveLength(1);
    const [item] = items;
    expect(item?.title).toBe('深市两融余额连续三日回升 电子行业获融资净买入居前');
    expect(item?.publisher).toBe('证券时报网');
    expect(item?.categories).toEqual(['zhengquanshibaowang']);
    expect(item?.tags).toEqual(['证券时报网新闻']);
    expect(item?.contentHtml).toContain('<p class="em_media">（文章来源：证券时报网）</p>');
    expect(item?.contentHtml).not.toMatch(/\uFFFD/);
    expect(item?.publishedAt).toBe('2022-04-18T16:05:00+08:00');
  } finally {
    await close();
  }
});
