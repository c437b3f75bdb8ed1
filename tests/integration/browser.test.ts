import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureSite } from '../support/fixture-site.js';
import { configYaml, freePort, REPO_ROOT, spawnCli, tempDir, waitFor, writeConfig } from '../support/harness.js';
import { threeFeedSite } from '../support/news-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = path.join(REPO_ROOT, 'tests/.output/browser');

describe.skipIf(!existsSync(CHROMIUM))('pages in a real browser', () => {
  let site: FixtureSite;
  let tmp: { dir: string; cleanup(): Promise<void> };
  let child: ReturnType<typeof spawnCli>;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    site = await new FixtureSite().start();
    tmp = await tempDir();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const configPath = await writeConfig(tmp.dir, configYaml(threeFeedSite(site)));
    child = spawnCli(['start', '--config', configPath], { FINEWS_DATA_DIR: path.join(tmp.dir, 'data'), PORT: String(port) });
    await waitFor(async () => {
      const res = await fetch(`${base}/api/items`).catch(() => undefined);
      return res?.ok && ((await res.json()) as { items: unknown[] }).items.length === 3;
    }, 30_000, 'daemon to store the fixture articles');
    // Items are stored before their feeds are published (debounced): wait for the category feed.
    await waitFor(async () => (await fetch(`${base}/feeds/zhongguogongyebao.xml`)).status === 200, 15_000, 'publish');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    await mkdir(OUTPUT, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    child?.kill('SIGTERM');
    if (child) await new Promise((r) => child.once('close', r));
    await site?.stop();
    await tmp?.cleanup();
  });

  it('opens the home page, finds the feeds, follows a category and sees its items', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone
    await page.goto(`${base}/`);
    await expect(page.title()).resolves.toContain('财经新闻聚合');

    const alternates = await page.$$eval('link[rel="alternate"]', (links) => links.map((l) => [l.getAttribute('type'), l.getAttribute('href')]));
    const types = alternates.map(([t]) => t);
    expect(types).toEqual(expect.arrayContaining(['application/rss+xml', 'application/atom+xml', 'application/feed+json']));
    await page.screenshot({ path: path.join(OUTPUT, 'home.png'), fullPage: true });

    await page.click('a[href$="/category/zhongguogongyebao.html"]');
    await page.waitForURL(/\/category\/zhongguogongyebao\.html$/);
    const titles = await page.$$eval('article', (articles) => articles.map((a) => a.textContent ?? ''));
    expect(titles).toHaveLength(1);
    expect(titles[0]).toContain('政策引导 重庆推进专精特新企业持续创新');
    const categoryFeeds = await page.$$eval('link[rel="alternate"]', (links) => links.map((l) => l.getAttribute('href') ?? ''));
    expect(categoryFeeds.some((href) => href.endsWith('/feeds/zhongguogongyebao.atom'))).toBe(true);
    await page.screenshot({ path: path.join(OUTPUT, 'category.png'), fullPage: true });

    // The autodiscovered feed is really there.
    const rss = categoryFeeds.find((href) => href.endsWith('.xml')) ?? '';
    const res = await page.request.get(new URL(rss, base).toString());
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/rss+xml; charset=utf-8');
  });

  it('leads the home page with the merged stream, each story once, categories as navigation', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/`);
    const keys = await page.$$eval('main .stream li.item', (rows) => rows.map((r) => r.getAttribute('data-key') ?? ''));
    // Three articles, the seed carried by all three feeds: three rows, each infoCode once.
    expect(keys.sort()).toEqual(['NW202203302327570001', 'NW202203302327570002', 'NW202203302327572513']);
    const seed = page.locator('main .stream li.item[data-key="NW202203302327572513"]');
    await expect(seed.locator('a.publisher').textContent()).resolves.toBe('中国工业报');
    const categories = await seed.locator('a.category').allTextContents();
    expect(categories.sort()).toEqual(['finance', 'industry', 'policy']);
    const nav = await page.$$eval('nav.categories li', (lis) => lis.map((li) => li.textContent?.replace(/\s+/g, ' ').trim() ?? ''));
    expect(nav).toEqual(expect.arrayContaining(['中国工业报 1', 'industry 2']));
    await page.screenshot({ path: path.join(OUTPUT, 'home-desktop.png'), fullPage: true });

    await page.click('nav.categories a[href$="/category/industry.html"]');
    await page.waitForURL(/\/category\/industry\.html$/);
    await expect(page.locator('article').count()).resolves.toBe(2);
  });
});
