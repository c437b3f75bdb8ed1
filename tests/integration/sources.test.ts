import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import type { Item } from '../../src/domain.js';
import { sourceRows } from '../../src/pipeline/source-status.js';
import type { Composition } from '../../src/runtime/compose.js';
import { rssFeed, type FixtureArticle, type FixtureSite } from '../support/fixture-site.js';
import { REPO_ROOT, runCli, useFixtureSite, useRedisPrefix, writeConfig } from '../support/harness.js';
import { bodyApi, columnsRecord, showTime, unreadableApis } from '../support/json-sources.js';
import { bankArticle, cqArticle, SEED_CODE, seedArticle } from '../support/news-fixtures.js';
import { runPass, type Mode } from '../support/pass.js';

const flashArticle: FixtureArticle = {
  code: '202203302327570003',
  title: '工信部：加快培育一批专精特新“小巨人”企业',
  publisher: '证券时报网',
  pageDate: '2022年03月30日 12:01',
  pubDate: 'Wed, 30 Mar 2022 04:01:00 GMT',
  paragraphs: ['工业和信息化部表示，将加快培育一批专精特新“小巨人”企业，带动中小企业走专精特新发展道路。'],
};

const SITE_BLOCK = `site:
  title: 财经新闻聚合
  url: https://finews.example.com
  timezone: Asia/Shanghai
  retentionDays: 36500
defaults:
  every: 10m
  timeout: 5s
  userAgent: "finews-test/1"
`;

/** getNewsByColumns on the fixture site: pages of data.list, refused without its Referer. */
function columnsApi(site: FixtureSite, pages: FixtureArticle[][]): void {
  site.route('/comm/web/getNewsByColumns', (req, res, url) => {
    if (req.headers.referer !== 'https://finance.eastmoney.com/') {
      res.writeHead(403, { 'content-type': 'text/html' });
      res.end('<html>forbidden</html>');
      return;
    }
    const page = Number(url.searchParams.get('page_index'));
    const list: Array<Record<string, string>> = (pages[page - 1] ?? []).map((a) => columnsRecord(site, a));
    // Eastmoney sometimes sends a record with everything empty.
    if (page === 2) list.push({ code: '', showTime: '', title: '', mediaName: '', summary: '', uniqueUrl: '' });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ code: 1, data: { list, page_index: page } }));
  });
}

function overlappingSite(site: FixtureSite): string {
  for (const a of [seedArticle, bankArticle, cqArticle, flashArticle]) site.addArticle(a);
  site.feed('/rss/industry.xml', () => rssFeed(site, '工业频道', [seedArticle, cqArticle], (a) => site.url(`/a/${a.code}.html`)));
  columnsApi(site, [[seedArticle, bankArticle], [flashArticle], []]);
  // The body API has the seed's body, an empty one for the flash and a 404 for the bank article.
  bodyApi(site, [seedArticle], [flashArticle]);
  site.route('/kuaixun/v1/getlist_102_ajaxResult_50_1_.html', (_req, res) => {
    const lives = [cqArticle, flashArticle].map((a) => ({ newsid: `NW${a.code}`, title: a.title, digest: `【${a.title}】${a.paragraphs[0] ?? ''}`, showtime: showTime(a), url_w: site.url(`/a/${a.code}.html`) }));
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
    res.end(`var ajaxResult=${JSON.stringify({ rc: 1, LivesList: lives })};`);
  });
  site.route('/news/list.html', (_req, res) => {
    const li = [seedArticle, bankArticle]
      .map((a) => `<li><a href="/a/${a.code}.html">${a.title}</a><span class="time">${a.pageDate.replace(/ .*/, '')} ${a.pageDate.slice(-5)}</span></li>`)
      .join('\n');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>要闻</title></head><body><ul class="news-list">${li}</ul></body></html>`);
  });
  unreadableApis(site);
  return `${SITE_BLOCK}politeness:
  hosts:
    127.0.0.1: { perHost: 2, spacing: 0s }
sources:
  - id: industry
    url: "${site.url('/rss/industry.xml')}"
    categories: [industry]
  - id: em-columns
    kind: json
    url: "${site.url('/comm/web/getNewsByColumns')}?client=web&biz=web_news_col&column=350&page_index={page}&page_size=20&req_trace={now}"
    headers: { Referer: "https://finance.eastmoney.com/" }
    pages: 5
    items: data.list
    fields:
      infoCode: code
      title: title
      link: uniqueUrl
      summary: summary
      publishedAt: showTime
      publisher: mediaName
    categories: [columns]
    article:
      api:
        url: "${site.url('/NewsData/GetNewsText.do')}?id={infoCode}"
        content: [content, text]
  - id: em-kuaixun
    kind: json
    url: "${site.url('/kuaixun/v1/getlist_102_ajaxResult_50_1_.html')}"
    items: LivesList
    fields: { infoCode: newsid, title: title, link: url_w, summary: digest, publishedAt: showtime }
    categories: [kuaixun]
  - id: html-list
    kind: html
    url: "${site.url('/news/list.html')}"
    items: "ul.news-list > li"
    fields: { title: a, link: "a@href", publishedAt: span.time }
    categories: [list]
  - id: wrong-items
    kind: json
    url: "${site.url('/api/wrong')}"
    items: data.list
    fields: { title: title, link: url }
  - id: answers-html
    kind: json
    url: "${site.url('/api/html')}"
    items: data.list
    fields: { title: title, link: url }
`;
}

async function allItems(runtime: Composition): Promise<Item[]> {
  return (await runtime.store.listItems({ limit: 500 })).items;
}

/** Body requests per article: its page and its body API, by code. */
function bodyHits(site: FixtureSite): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of site.requests) {
    const url = new URL(r.path, site.origin);
    const code = /^\/a\/(\d+)\.html$/.exec(url.pathname)?.[1] ?? (url.pathname === '/NewsData/GetNewsText.do' ? `api:${url.searchParams.get('id')}` : undefined);
    if (code !== undefined) out[code] = (out[code] ?? 0) + 1;
  }
  return out;
}

describe.each<Mode>(['embedded', 'redis'])('an RSS feed, two JSON APIs and an HTML list with overlapping articles (%s mode)', (mode) => {
  const fixture = useFixtureSite();
  const redis = useRedisPrefix();

  it('stores, fetches and publishes each article once, in the union of categories and sources; bad sources end in error', async () => {
    const { site, dir } = fixture;
    const configPath = await writeConfig(dir, overlappingSite(site));
    const t0 = Date.now();
    const first = await runPass({ mode, configPath, dataDir: path.join(dir, 'data'), prefix: redis.prefix });
    const items = await allItems(first.runtime);
    const states = await first.runtime.store.listSourceStates();
    await first.close();

    expect(items.map((i) => i.infoCode).sort()).toEqual([seedArticle, bankArticle, cqArticle, flashArticle].map((a) => `NW${a.code}`).sort());
    const byCode = (a: FixtureArticle): Item | undefined => items.find((i) => i.infoCode === `NW${a.code}`);
    expect(byCode(seedArticle)?.sources.sort()).toEqual(['em-columns', 'html-list', 'industry']);
    expect(byCode(seedArticle)?.categories.sort()).toEqual(['columns', 'industry', 'list', 'zhongguogongyebao']);
    expect(byCode(bankArticle)?.sources.sort()).toEqual(['em-columns', 'html-list']);
    expect(byCode(cqArticle)?.sources.sort()).toEqual(['em-kuaixun', 'industry']);
    expect(byCode(flashArticle)?.sources.sort()).toEqual(['em-columns', 'em-kuaixun']);
    for (const item of items) expect(item.contentHtml).toContain('（文章来源：');
    expect(byCode(flashArticle)?.publisher).toBe('证券时报网');
    // An empty API body and a 404 fall back to the article page.
    expect(site.hits(`/NewsData/GetNewsText.do?id=NW${bankArticle.code}`)).toHaveLength(1);
    expect(site.hits(`/NewsData/GetNewsText.do?id=NW${flashArticle.code}`)).toHaveLength(1);
    expect(site.articleHits(bankArticle.code)).toHaveLength(1);
    expect(site.articleHits(flashArticle.code)).toHaveLength(1);

    // List requests carried the configured Referer and a fresh {now}; pages 1..3, page 3 empty, so no page 4.
    const columns = site.hits('/comm/web/getNewsByColumns');
    expect(columns.map((r) => new URL(r.path, site.origin).searchParams.get('page_index'))).toEqual(['1', '2', '3']);
    for (const r of columns) {
      expect(r.headers.referer).toBe('https://finance.eastmoney.com/');
      const trace = Number(new URL(r.path, site.origin).searchParams.get('req_trace'));
      expect(trace).toBeGreaterThanOrEqual(t0);
      expect(trace).toBeLessThanOrEqual(Date.now());
    }
    expect(new Set(columns.map((r) => new URL(r.path, site.origin).searchParams.get('req_trace'))).size).toBeGreaterThan(1);

    const state = (id: string) => states.find((s) => s.id === id);
    expect(state('em-columns')).toMatchObject({ consecutiveFailures: 0, warningCount: 1 });
    expect(state('em-columns')?.warnings?.[0]).toMatch(/^page 2: record data\.list\.1: skipped, no title/);
    expect(state('wrong-items')?.consecutiveFailures).toBe(1);
    expect(state('wrong-items')?.lastError).toContain('items path "data.list" not found; "data" has keys: items, page_index');
    expect(state('answers-html')?.consecutiveFailures).toBe(1);
    expect(state('answers-html')?.lastError).toContain('text/html');

    // /api/sources and `finews status` show the same rows.
    const rows = sourceRows(await loadConfigOrThrow(configPath), states);
    expect(rows.map((r) => [r.id, r.kind, r.state])).toEqual([
      ['industry', 'rss', 'ok'],
      ['em-columns', 'json', 'ok'],
      ['em-kuaixun', 'json', 'ok'],
      ['html-list', 'html', 'ok'],
      ['wrong-items', 'json', 'error'],
      ['answers-html', 'json', 'error'],
    ]);
    expect(rows.find((r) => r.id === 'em-columns')).toMatchObject({ warningCount: 1, warnings: [expect.stringContaining('skipped, no title')] });
    if (mode === 'embedded') {
      const status = await runCli(['status', '--config', configPath], { FINEWS_DATA_DIR: path.join(dir, 'data') });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain('em-columns: 1 warning in the last poll\n  page 2: record data.list.1: skipped, no title');
      expect(status.stdout).toContain('items path "data.list" not found');
    }

    // One body request per article and endpoint; a second pass fetches none again and reads one page only.
    const hits = bodyHits(site);
    for (const n of Object.values(hits)) expect(n).toBe(1);
    const second = await runPass({ mode, configPath, dataDir: path.join(dir, 'data'), prefix: redis.prefix });
    await second.close();
    expect(bodyHits(site)).toEqual(hits);
    expect(site.hits('/comm/web/getNewsByColumns')).toHaveLength(4);
  });
});

const useSeedFixture = useFixtureSite();

it('turns the seed article, reached through a JSON list and the JSON body API, into the seed post', async () => {
  const { site, dir } = useSeedFixture;
  columnsApi(site, [[seedArticle]]);
  bodyApi(site, [seedArticle]);
  const config = await writeConfig(
    dir,
    `${SITE_BLOCK.replace('url: https://finews.example.com', 'url: "//finews.withounder.com"\n  shareUrl: "http://finews.zning.xyz/html_News/NewsShare.html?infoCode={infoCode}"')}sources:
  - id: em-columns
    kind: json
    url: "${site.url('/comm/web/getNewsByColumns')}?page_index=1&req_trace={now}"
    headers: { Referer: "https://finance.eastmoney.com/" }
    items: data.list
    fields: { infoCode: code, title: title, link: "https://finance.eastmoney.com/a/{code}.html", publishedAt: showTime, publisher: mediaName }
    article:
      api: { url: "${site.url('/NewsData/GetNewsText.do')}?id={infoCode}", content: [content, text] }
`,
  );
  const env = { FINEWS_DATA_DIR: path.join(dir, 'data') };
  const once = await runCli(['once', '--config', config], env);
  expect(once.code, once.stderr).toBe(0);
  expect(site.hits('/NewsData/GetNewsText.do')).toHaveLength(1);
  expect(site.articleHits(SEED_CODE)).toHaveLength(0);

  const out = path.join(dir, 'site');
  const exported = await runCli(['export', 'jekyll', out, '--config', config], env);
  expect(exported.code, exported.stderr).toBe(0);
  expect(await readdir(path.join(out, '_posts'))).toEqual([`2022-03-30-NW${SEED_CODE}.md`]);
  const written = await readFile(path.join(out, '_posts', `2022-03-30-NW${SEED_CODE}.md`), 'utf8');
  expect(written).toBe(await readFile(path.join(REPO_ROOT, 'tests/fixtures/articles/seed-post.md'), 'utf8'));
});
