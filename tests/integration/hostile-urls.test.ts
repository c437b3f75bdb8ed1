import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { siteDirectory } from '../../src/cli/export-jekyll.js';
import { exportJekyll } from '../../src/pipeline/export-jekyll.js';
import { buildServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics.js';
import { silentLogger } from '../../src/util/log.js';
import { configYaml, useFixtureSite, writeConfig } from '../support/harness.js';
import { runPass } from '../support/pass.js';

const fixture = useFixtureSite();

/** guids a hostile feed gives items that have no <link>: none may ever stand as a URL. */
const HOSTILE_GUIDS = [
  'javascript:alert(1)',
  'JAVASCRIPT:alert(2)',
  'java\tscript:alert(3)',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==',
  'file:///etc/passwd',
];

function hostileFeed(origin: string): string {
  const items = HOSTILE_GUIDS.map(
    (guid, i) => `<item><title>无链接条目${i + 1}</title><guid>${guid.replace('\t', '&#9;')}</guid>
<pubDate>Wed, 30 Mar 2022 0${i + 1}:00:00 GMT</pubDate><description>第${i + 1}条</description></item>`,
  ).join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>恶意频道</title><link>${origin}/</link><description>x</description>
<item><title>${'长😀'.repeat(60_000)}</title><link>${origin}/news/long.html</link><pubDate>Wed, 30 Mar 2022 08:00:00 GMT</pubDate></item>
<item><title>正常条目</title><link>${origin}/news/ok.html</link><pubDate>Wed, 30 Mar 2022 07:00:00 GMT</pubDate><description>正常</description></item>
${items}
</channel></rss>`;
}

/** No trace of a hostile scheme (tab-split or not) anywhere in `text`. */
function expectNoHostileUrl(text: string, where: string): void {
  const flat = text.replace(/\\t|\t|&#9;/g, '');
  for (const needle of [/javascript:/i, /data:text/i, /file:\/\//i, /\/etc\/passwd/, /alert\(/]) {
    expect(flat, where).not.toMatch(needle);
  }
}

it('never serves, renders or exports a javascript:, data: or file: guid as an item URL, and caps titles', async () => {
  const { site, dir } = fixture;
  site.feed('/rss/hostile.xml', () => hostileFeed(site.origin));
  site.route('/news/ok.html', (_req, res) => void res.writeHead(404).end());
  const configPath = await writeConfig(dir, configYaml([{ id: 'hostile', url: site.url('/rss/hostile.xml'), publisher: '测试报', articleFetch: false }]));
  const pass = await runPass({ configPath, dataDir: path.join(dir, 'data') });
  try {
    const { runtime } = pass;
    const { items } = await runtime.store.listItems({ limit: 50 });
    expect(items).toHaveLength(HOSTILE_GUIDS.length + 2);
    // A 120,000-code-point title is stored capped at 1,000 code points, surrogate pairs intact.
    const long = items.find((i) => i.title.startsWith('长😀'));
    expect([...(long?.title ?? '')]).toHaveLength(1000);
    expect(long?.title.endsWith('…')).toBe(true);
    expect(long?.title).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    for (const item of items) expect(item.url === '' || item.url.startsWith('http'), item.url).toBe(true);
    expect(items.find((i) => i.title === '正常条目')?.url).toBe(site.url('/news/ok.html'));

    const app = buildServer({ config: runtime.config, store: runtime.store, metrics: createMetrics(), log: silentLogger(), ready: async () => {} });
    await app.ready();
    const api = await app.inject({ url: '/api/items?limit=50' });
    expect(api.statusCode).toBe(200);
    const apiItems = (api.json() as { items: Array<{ title: string; url: string }> }).items;
    expect(apiItems.filter((i) => i.url === '').map((i) => i.title).sort()).toEqual(HOSTILE_GUIDS.map((_g, i) => `无链接条目${i + 1}`).sort());
    const slug = items[0]?.categories[0] ?? '';
    for (const url of ['/api/items?limit=50', '/feeds/all.xml', '/feeds/all.atom', '/feeds/all.json', `/feeds/${slug}.json`, '/', `/category/${slug}.html`]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expectNoHostileUrl(res.body, url);
    }
    await app.close();

    const out = path.join(dir, 'site');
    const exported = await exportJekyll({ config: runtime.config(), store: runtime.store }, siteDirectory(out));
    expect(exported.failed).toEqual([]);
    const posts = await readdir(path.join(out, '_posts'));
    expect(posts).toHaveLength(HOSTILE_GUIDS.length + 2);
    for (const post of posts) expectNoHostileUrl(await readFile(path.join(out, '_posts', post), 'utf8'), post);
  } finally {
    await pass.close();
  }
});
