import path from 'node:path';
import { parseRssFeed } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import { loadDemoSite } from '../../src/demo/site-model.js';
import { freePort, spawnCli, tempDir, waitFor } from '../support/harness.js';

const SEED_TITLE = '政策引导 重庆推进专精特新企业持续创新';

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
    } finally {
      child.kill('SIGINT');
      const code = await exited;
      await tmp.cleanup();
      expect(code, stderr.slice(-2000)).toBe(0);
    }
  });
});
