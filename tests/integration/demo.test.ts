import path from 'node:path';
import { parseRssFeed } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import { loadDemoSite } from '../../src/demo/site-model.js';
import { freePort, spawnCli, tempDir, waitFor } from '../support/harness.js';

const SEED_TITLE = '政策引导 重庆推进专精特新企业持续创新';
/** In the RSS feed demo-industry, the JSON list API demo-headlines and the HTML list page demo-enterprise. */
const OVERLAP_CODE = '202203301015080101';
/** In the JSON list API only: its body can come only from the body API or its page. */
const JSON_ONLY_CODE = '202203311330000801';
/** In the HTML list page only, linked relative to the page. */
const HTML_ONLY_CODE = '202203301905000804';

interface ApiItem {
  infoCode: string;
  url: string;
  publisher: string;
  categories: string[];
  contentHtml: string;
  sources: string[];
}

describe('finews demo', () => {
  it('serves the bundled news site and publishes its merged, deduplicated, tagged items; SIGINT stops both', async () => {
    const site = await loadDemoSite();
    const tmp = await tempDir();
    const port = await freePort();
    const child = spawnCli(['demo', '--port', String(port), '--news-port', '0', '--data', path.join(tmp.dir, 'demo-data')]);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const newsOrigin = await waitFor(() => /news site\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1], 20_000, 'the banner');
      expect(stdout).toContain(`http://127.0.0.1:${port}/feeds/all.xml`);

      const feed = await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/feeds/all.xml`).catch(() => undefined);
        if (!res?.ok) return undefined;
        const parsed = parseRssFeed(await res.text());
        return (parsed.items ?? []).length === site.articles.length ? parsed : undefined;
      }, 20_000, `all ${site.articles.length} demo items in /feeds/all.xml`);
      const items = feed.items ?? [];

      // Every demo article once (GBK ones decoded), the seed once although three feeds carry it.
      expect(items.map((i) => i.title).sort()).toEqual(site.articles.map((a) => a.title).sort());
      expect(items.filter((i) => i.title === SEED_TITLE)).toHaveLength(1);
      const labels = (title: string): string[] => (items.find((i) => i.title === title)?.categories ?? []).map((c) => c.name ?? '');
      // Tagged by publisher from the page, in the union of its sources' categories.
      expect(labels(SEED_TITLE)).toEqual(expect.arrayContaining(['中国工业报', '工业', '财经', '宏观政策']));
      // 证券时报网 is an alias of 证券时报.
      expect(labels('央行开展1500亿元逆回购操作 维护季末流动性合理充裕')).toContain('证券时报');
      // Links point at the local news site.
      expect(items.every((i) => i.link?.startsWith(`${newsOrigin}/`))).toBe(true);

      // The JSON list API and the HTML list page: their items are in the merged feed, each once,
      // the article they share with an RSS feed once with the union of its sources.
      const title = (code: string): string => site.articles.find((a) => a.code === code)?.title ?? code;
      for (const code of [OVERLAP_CODE, JSON_ONLY_CODE, HTML_ONLY_CODE]) expect(items.filter((i) => i.title === title(code)), code).toHaveLength(1);
      expect(labels(title(OVERLAP_CODE))).toEqual(expect.arrayContaining(['中国工业报', '工业', '要闻', '企业动态']));
      expect(labels(title(JSON_ONLY_CODE))).toEqual(expect.arrayContaining(['证券日报', '要闻']));
      expect(labels(title(HTML_ONLY_CODE))).toEqual(expect.arrayContaining(['中国工业报', '企业动态']));

      const res = await fetch(`http://127.0.0.1:${port}/api/items?limit=200`);
      const byCode = new Map(((await res.json()) as { items: ApiItem[] }).items.map((i) => [i.infoCode, i]));
      expect(byCode.size).toBe(site.articles.length);
      expect(byCode.get(`NW${OVERLAP_CODE}`)?.sources.sort()).toEqual(['demo-enterprise', 'demo-headlines', 'demo-industry']);
      // The relative link of the HTML list page, made absolute against the page.
      expect(byCode.get(`NW${HTML_ONLY_CODE}`)?.url).toBe(`${newsOrigin}/a/${HTML_ONLY_CODE}.html`);
      // The JSON-only article's whole body (the list's summary has only its first paragraph),
      // with the （文章来源：…） line of the body API's content.
      const jsonOnly = byCode.get(`NW${JSON_ONLY_CODE}`);
      expect(jsonOnly?.sources).toEqual(['demo-headlines']);
      expect(jsonOnly?.contentHtml).toContain('累计交易金额达875亿元');
      expect(jsonOnly?.contentHtml).toContain('（文章来源：证券日报）');
    } finally {
      child.kill('SIGINT');
      const code = await exited;
      await tmp.cleanup();
      expect(code, stderr.slice(-2000)).toBe(0);
    }
  });
});
