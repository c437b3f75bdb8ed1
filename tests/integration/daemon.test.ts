import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixtureSite } from '../support/fixture-site.js';
import { configYaml, freePort, runCli, spawnCli, tempDir, useFixtureSite, waitFor, writeConfig, type TestSource } from '../support/harness.js';
import { bankArticle, threeFeedSite } from '../support/news-fixtures.js';

describe('finews once and status (embedded)', () => {
  const fixture = useFixtureSite();

  it('reports each broken source in status while the good ones complete', async () => {
    const { site, dir } = fixture;
    const good = threeFeedSite(site).slice(0, 2);
    site.route('/broken/slow.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      // never finishes: the source's 1s timeout must end it
    });
    site.route('/broken/huge.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = '<item><title>填充</title></item>'.repeat(200);
      let sent = 0;
      const pump = (): void => {
        while (sent < 400 && res.write(chunk)) sent++;
        if (sent < 400 && !res.destroyed) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    site.route('/broken/500.xml', (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    });
    site.route('/broken/page.xml', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>东方财富网</title></head><body><h1>页面</h1></body></html>');
    });
    const sources: TestSource[] = [
      ...good,
      { id: 'slow', url: site.url('/broken/slow.xml'), timeout: '1s' },
      { id: 'huge', url: site.url('/broken/huge.xml'), maxBytes: '64KB' },
      { id: 'server-error', url: site.url('/broken/500.xml') },
      { id: 'not-a-feed', url: site.url('/broken/page.xml') },
    ];
    const config = await writeConfig(dir, configYaml(sources));
    const env = { FINEWS_DATA_DIR: path.join(dir, 'data') };

    const once = await runCli(['once', '--config', config], env);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toMatch(/6 sources, 4 failed/);

    const status = await runCli(['status', '--config', config], env);
    expect(status.code, status.stderr).toBe(0);
    const row = (id: string): string => status.stdout.split('\n').find((l) => l.includes(` ${id} `)) ?? '';
    expect(row('industry')).toMatch(/ ok /);
    expect(row('finance')).toMatch(/ ok /);
    expect(row('slow')).toMatch(/ error .*timeout/);
    expect(row('huge')).toMatch(/ error .*too-large/);
    expect(row('server-error')).toMatch(/ error .*500/);
    expect(row('not-a-feed')).toMatch(/ error .*not-a-feed/);
  });

  it('once exits 2 when every source it polled failed, still printing the summary', async () => {
    const { site, dir } = fixture;
    site.route('/down.xml', (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('maintenance');
    });
    const config = await writeConfig(dir, configYaml([
      { id: 'down-a', url: site.url('/down.xml') },
      { id: 'down-b', url: site.url('/missing.xml') },
    ]));
    const once = await runCli(['once', '--config', config], { FINEWS_DATA_DIR: path.join(dir, 'data') });
    expect(once.code, once.stderr).toBe(2);
    expect(once.stdout).toMatch(/2 sources, 2 failed/);
  });

  it('status on an empty data dir says there is no data yet, and creates no database', async () => {
    const { site, dir } = fixture;
    const config = await writeConfig(dir, configYaml(threeFeedSite(site)));
    const data = path.join(dir, 'data');
    const status = await runCli(['status', '--config', config], { FINEWS_DATA_DIR: data });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout.trim()).toBe(`no data yet in ${data}: run \`finews start\` or \`finews once\` first (3 sources configured)`);
    expect(existsSync(data)).toBe(false);
  });

  it('exits 1 with line:column for an invalid config, and check agrees', async () => {
    const { site, dir } = fixture;
    const config = await writeConfig(dir, configYaml([{ id: 'a', url: site.url('/x.xml'), every: 'often' }]));
    const once = await runCli(['once', '--config', config], { FINEWS_DATA_DIR: path.join(dir, 'data') });
    expect(once.code).toBe(1);
    expect(once.stderr).toMatch(/feeds\.yaml:\d+:\d+: .*/);
    const check = await runCli(['check', '--config', config]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/feeds\.yaml:\d+:\d+: /);
  });
});

describe('finews start (embedded)', () => {
  it('hot-reloads sources, ignores an invalid edit, keeps stored articles, and exits 0 on SIGTERM', async () => {
    const site = await new FixtureSite().start();
    const tmp = await tempDir();
    const port = await freePort();
    const [industry, finance] = threeFeedSite(site);
    if (!industry || !finance) throw new Error('fixture');
    const configPath = await writeConfig(tmp.dir, configYaml([industry]));
    const child = spawnCli(['start', '--config', configPath], { FINEWS_DATA_DIR: path.join(tmp.dir, 'data'), PORT: String(port), HOST: '127.0.0.1' });
    let logs = '';
    child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
    const api = async (p: string): Promise<unknown> => (await fetch(`http://127.0.0.1:${port}${p}`)).json();
    const sourceIds = async (): Promise<string[]> => ((await api('/api/sources')) as { sources: Array<{ id: string }> }).sources.map((s) => s.id);
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok, 20_000, 'healthz');
      await waitFor(() => site.hits('/rss/industry.xml').length > 0, 10_000, 'first poll of industry');
      await waitFor(async () => ((await api('/api/items')) as { items: unknown[] }).items.length === 2, 10_000, 'industry items stored');

      await writeFile(configPath, configYaml([industry, finance]));
      await waitFor(() => site.hits('/rss/finance.xml').length > 0, 10_000, 'finance polled after reload');
      expect(await sourceIds()).toEqual(['industry', 'finance']);
      await waitFor(async () => ((await api('/api/items')) as { items: unknown[] }).items.length === 3, 10_000, 'finance items stored');

      const valid = await readFile(configPath, 'utf8');
      await writeFile(configPath, valid.replace('every: 10m', 'every: sometimes'));
      await waitFor(() => /feeds\.yaml:\d+:\d+/.test(logs), 10_000, 'invalid config logged with line:column');
      expect(await sourceIds()).toEqual(['industry', 'finance']);

      await writeFile(configPath, configYaml([finance]));
      await waitFor(async () => (await sourceIds()).join() === 'finance', 10_000, 'industry removed');
      // Articles that only the removed source carried stay stored.
      const items = ((await api('/api/items')) as { items: Array<{ infoCode: string }> }).items.map((i) => i.infoCode);
      expect(items).toContain('NW202203302327570002');
      expect(items).toContain(`NW${bankArticle.code}`);
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      await site.stop();
      await tmp.cleanup();
      expect(code, logs.slice(-2000)).toBe(0);
    }
  });
});

