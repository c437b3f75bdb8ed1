import path from 'node:path';
import { expect, it } from 'vitest';
import { articlePage, rssFeed, type FixtureArticle } from '../support/fixture-site.js';
import { configYaml, freePort, spawnCli, useFixtureSite, waitFor, writeConfig } from '../support/harness.js';

const fixture = useFixtureSite();

/** A 0.6 MB article page nested 50,000 deep: cheerio alone takes seconds to parse it. */
function deepPage(depth: number): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>嵌套页面</title></head><body>${'<div>'.repeat(depth)}<p>正文</p>${'</div>'.repeat(depth)}</body></html>`;
}

interface ApiItem {
  infoCode: string;
  contentHtml: string;
  url: string;
}

it('answers /healthz throughout while a page nested 50,000 deep is refused, and stores that item from its feed content, fetched once', async () => {
  const { site, dir } = fixture;
  const hostile: FixtureArticle = {
    code: '202203302327579001',
    title: '深度嵌套的页面',
    publisher: '中国工业报',
    pageDate: '2022年03月30日 09:34',
    pubDate: 'Wed, 30 Mar 2022 09:34:00 +0800',
    paragraphs: ['工业和信息化部发布一季度工业经济运行情况，摘要来自订阅源。'],
    html: deepPage(50_000),
  };
  const normal: FixtureArticle = {
    code: '202203302327579002',
    title: '一季度工业经济稳中有进',
    publisher: '中国工业报',
    pageDate: '2022年03月30日 10:00',
    pubDate: 'Wed, 30 Mar 2022 10:00:00 +0800',
    paragraphs: ['一季度规模以上工业增加值同比增长6.5%。', '制造业投资增长15.6%。'],
  };
  expect(hostile.html?.length).toBeGreaterThan(550_000);
  site.addArticle(hostile);
  site.addArticle(normal);
  // The page of the normal article waits until probing has begun, so both run while /healthz is watched.
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  site.route(`/a/${normal.code}.html`, async (_req, res) => {
    await released;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(articlePage(normal));
  });
  site.route(`/a/${hostile.code}.html`, async (_req, res) => {
    await released;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(hostile.html);
  });
  site.feed('/rss/industry.xml', () => rssFeed(site, '中国工业报-工业', [hostile, normal], (a) => `${site.origin}/a/${a.code}.html`));

  const port = await freePort();
  const configPath = await writeConfig(dir, configYaml([{ id: 'industry', url: site.url('/rss/industry.xml') }]));
  const child = spawnCli(['start', '--config', configPath], { FINEWS_DATA_DIR: path.join(dir, 'data'), PORT: String(port), HOST: '127.0.0.1' });
  let logs = '';
  child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const items = async (): Promise<ApiItem[]> => ((await (await fetch(`${base}/api/items`)).json()) as { items: ApiItem[] }).items;

  const probes: Array<{ ok: boolean; error?: string }> = [];
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      const answer = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => ({ ok: r.ok }),
        (err: unknown) => ({ ok: false, error: String(err) }),
      );
      probes.push(answer);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok, 20_000, 'healthz');
    probes.length = 0;
    release();
    const stored = await waitFor(async () => {
      const list = await items();
      return list.length === 2 ? list : undefined;
    }, 30_000, 'both items stored');
    // A few more probes after the work, so the whole processing window is covered.
    const after = probes.length + 5;
    await waitFor(() => probes.length >= after, 10_000, 'probes after processing');
    probing = false;
    await probeLoop;

    expect(probes.length).toBeGreaterThan(5);
    expect(probes.filter((p) => !p.ok)).toEqual([]);

    const fromFeed = stored.find((i) => i.infoCode === `NW${hostile.code}`);
    expect(fromFeed?.contentHtml).toContain('工业和信息化部发布一季度工业经济运行情况');
    expect(fromFeed?.url).toBe(`${site.origin}/a/${hostile.code}.html`);
    const fromPage = stored.find((i) => i.infoCode === `NW${normal.code}`);
    expect(fromPage?.contentHtml).toContain('制造业投资增长15.6%。');

    // Refused once, permanently: not retried.
    await new Promise((r) => setTimeout(r, 1500));
    expect(site.articleHits(hostile.code)).toHaveLength(1);
    expect(logs).toContain('too complex');
  } finally {
    probing = false;
    await probeLoop;
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, logs.slice(-2000)).toBe(0);
  }
}, 60_000);
