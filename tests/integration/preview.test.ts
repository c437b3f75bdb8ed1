import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PreviewReport } from '../../src/cli/preview.js';
import type { FixtureSite } from '../support/fixture-site.js';
import { runCli, useFixtureSite, writeConfig } from '../support/harness.js';
import { bodyApi, columnsRecord, unreadableApis } from '../support/json-sources.js';
import { bankArticle, SEED_CODE, seedArticle } from '../support/news-fixtures.js';

function previewSite(site: FixtureSite): string {
  for (const a of [seedArticle, bankArticle]) site.addArticle(a);
  site.route('/comm/web/getNewsByColumns', (_req, res) => {
    const list: Array<Record<string, string>> = [seedArticle, bankArticle].map((a) => columnsRecord(site, a));
    list.push({ code: '', showTime: '', title: '', mediaName: '', summary: '', uniqueUrl: '' });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ code: 1, data: { list, page_index: 1 } }));
  });
  bodyApi(site, [seedArticle]);
  unreadableApis(site);
  site.route('/api/gone', (_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html>not found</html>');
  });
  const json = (id: string, route: string) => `  - id: ${id}
    kind: json
    url: "${site.url(route)}"
    items: data.list
    fields: { infoCode: code, title: title, link: uniqueUrl, publishedAt: showTime, publisher: mediaName }
    article:
      api:
        url: "${site.url('/NewsData/GetNewsText.do')}?id={infoCode}"
        content: [content, text]
`;
  return `site:
  title: 财经新闻聚合
  url: https://finews.example.com
defaults:
  timeout: 5s
  userAgent: "finews-test/1"
sources:
${json('em-columns', '/comm/web/getNewsByColumns')}${json('wrong-items', '/api/wrong')}${json('answers-html', '/api/html')}${json('gone', '/api/gone')}`;
}

describe('finews preview', () => {
  const fx = useFixtureSite();

  async function setUp(): Promise<{ config: string; data: string }> {
    const config = await writeConfig(fx.dir, previewSite(fx.site));
    const data = path.join(fx.dir, 'data');
    await mkdir(data);
    return { config, data };
  }

  it('shows every record as mapped in 100 columns, names the skipped one, exits 0 and stores nothing', async () => {
    const { config, data } = await setUp();
    const r = await runCli(['preview', 'em-columns', '--config', config, '--data', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('HTTP 200: 2 items, 1 skipped');
    expect(r.stdout).toContain(SEED_CODE);
    expect(r.stdout).toContain('2022-03-30 09:34');
    expect(r.stdout).toMatch(/warning: record data\.list\.2: skipped, no title/);
    for (const line of r.stdout.split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(100);
    expect(await readdir(data)).toEqual([]);
    // One list request, no page or body request without --article.
    expect(fx.site.requests.map((q) => new URL(q.path, fx.site.origin).pathname)).toEqual(['/comm/web/getNewsByColumns']);
  });

  it('--json prints the same report for scripts', async () => {
    const { config, data } = await setUp();
    const r = await runCli(['preview', 'em-columns', '--json', '--config', config, '--data', data]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as PreviewReport;
    expect(report.items.map((i) => i.infoCode)).toEqual([`NW${SEED_CODE}`, `NW${bankArticle.code}`]);
    expect(report.items[0]).toMatchObject({ title: seedArticle.title, publisher: seedArticle.publisher, publishedAt: '2022-03-30T09:34:12+08:00' });
    expect(report.skipped).toBe(1);
    expect(report.error).toBeNull();
  });

  it('--article shows the first item as it would be stored, from the body API, still storing nothing', async () => {
    const { config, data } = await setUp();
    const r = await runCli(['preview', 'em-columns', '--article', '--json', '--config', config, '--data', data]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as PreviewReport;
    expect(report.article?.page).toBe('fetched');
    expect(report.article?.item?.publisher).toBe('中国工业报');
    expect(report.article?.item?.contentHtml).toContain('<p class="em_media">（文章来源：中国工业报）</p>');
    expect(await readdir(data)).toEqual([]);
  });

  it('exits 1 with the reason when nothing comes out', async () => {
    const { config, data } = await setUp();
    const wrong = await runCli(['preview', 'wrong-items', '--config', config, '--data', data]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('items path "data.list" not found; "data" has keys: items, page_index');

    const html = await runCli(['preview', 'answers-html', '--config', config, '--data', data]);
    expect(html.code).toBe(1);
    expect(html.stdout).toMatch(/not JSON.*text\/html.*系统维护中/);

    const gone = await runCli(['preview', 'gone', '--json', '--config', config, '--data', data]);
    expect(gone.code).toBe(1);
    const report = JSON.parse(gone.stdout) as PreviewReport;
    expect(report.status).toBe(404);
    expect(report.error).toContain('404');

    const unknown = await runCli(['preview', 'nope', '--config', config, '--data', data]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no source "nope"');
    expect(await readdir(data)).toEqual([]);
  });
});

/** Terminal columns of a line: CJK and fullwidth characters take two. */
function visibleWidth(line: string): number {
  let width = 0;
  for (const ch of line) width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return width;
}
