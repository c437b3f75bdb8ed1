import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { cinnItem, newsCode } from '../http/harness.js';
import { rssFeed } from '../support/fixture-site.js';
import { configYaml, REPO_ROOT, runCli, useFixtureSite, writeConfig } from '../support/harness.js';
import { SEED_CODE, seedArticle } from '../support/news-fixtures.js';

const fixture = useFixtureSite();

const normalize = (s: string): string => s.replace(/\s+/g, ' ').trim();

it('turns the seed article page into the seed post, and rewrites only changed files', async () => {
  const { site, dir } = fixture;
  site.addArticle(seedArticle);
  site.feed('/rss/industry.xml', () => rssFeed(site, '工业频道', [seedArticle], (a) => site.url(`/a/${a.code}.html`)));
  const config = await writeConfig(
    dir,
    configYaml([{ id: 'cinn-industry', url: site.url('/rss/industry.xml') }], {
      site: { url: '//finews.withounder.com', shareUrl: 'http://finews.zning.xyz/html_News/NewsShare.html?infoCode={infoCode}' },
    }),
  );
  const env = { FINEWS_DATA_DIR: path.join(dir, 'data') };
  const once = await runCli(['once', '--config', config], env);
  expect(once.code, once.stderr).toBe(0);

  const out = path.join(dir, 'site');
  const first = await runCli(['export', 'jekyll', out, '--config', config], env);
  expect(first.code, first.stderr).toBe(0);
  expect(first.stdout).toContain('1 posts written, 0 unchanged');
  expect(await readdir(path.join(out, '_posts'))).toEqual([`2022-03-30-NW${SEED_CODE}.md`]);

  const written = await readFile(path.join(out, '_posts', `2022-03-30-NW${SEED_CODE}.md`), 'utf8');
  const seed = await readFile(path.join(REPO_ROOT, 'tests/fixtures/articles/seed-post.md'), 'utf8');
  expect(normalize(written)).toBe(normalize(seed));
  expect(written).toBe(seed);

  const second = await runCli(['export', 'jekyll', out, '--config', config], env);
  expect(second.stdout).toContain('0 posts written, 1 unchanged');
});

it('exports only items published since --since, and rejects a date it cannot read', async () => {
  const { site, dir } = fixture;
  site.addArticle(seedArticle);
  site.feed('/rss/industry.xml', () => rssFeed(site, '工业频道', [seedArticle], (a) => site.url(`/a/${a.code}.html`)));
  const config = await writeConfig(dir, configYaml([{ id: 'cinn-industry', url: site.url('/rss/industry.xml') }]));
  const env = { FINEWS_DATA_DIR: path.join(dir, 'data') };
  expect((await runCli(['once', '--config', config], env)).code).toBe(0);

  const out = path.join(dir, 'site');
  expect((await runCli(['export', 'jekyll', out, '--since', '2022-03-31', '--config', config], env)).stdout).toContain('0 posts written, 0 unchanged');
  expect((await runCli(['export', 'jekyll', out, '--since', '2022-03-30', '--config', config], env)).stdout).toContain('1 posts written, 0 unchanged');
  const bad = await runCli(['export', 'jekyll', out, '--since', 'yesterday-ish', '--config', config], env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('not a date: yesterday-ish');
});

it('writes every other post when infoCodes are 300 characters long or collide, and reports the one it cannot write', async () => {
  const { dir } = fixture;
  const config = await writeConfig(dir, configYaml([{ id: 'cinn-industry', url: 'http://127.0.0.1:9/rss.xml' }]));
  const dataDir = path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const store = openSqliteStore(path.join(dataDir, 'finews.db'));
  const codes = [`NW${'7'.repeat(298)}`, 'COLL/A', 'COLL?A', ...Array.from({ length: 6 }, (_v, i) => newsCode(i + 1))];
  for (const [i, code] of codes.entries()) await store.saveItem(cinnItem(i + 1, { key: code, infoCode: code, title: `条目 ${code}` }));
  await store.close();

  const out = path.join(dir, 'site');
  // Something in the way of one post: a directory where its file goes.
  const blocked = newsCode(3);
  await mkdir(path.join(out, '_posts', `2022-03-30-${blocked}.md`), { recursive: true });

  const env = { FINEWS_DATA_DIR: dataDir };
  const first = await runCli(['export', 'jekyll', out, '--config', config], env);
  expect(first.code).toBe(1);
  expect(first.stdout).toContain(`${codes.length - 1} posts written, 0 unchanged, 1 failed`);
  expect(first.stderr).toContain(`skipped ${blocked}`);
  expect(first.stderr).not.toMatch(/\n\s+at /); // a line per bad item, no stack trace
  const files = (await readdir(path.join(out, '_posts'))).filter((f) => !f.includes(blocked));
  expect(files).toHaveLength(codes.length - 1);
  const titles = await Promise.all(files.map(async (f) => /title: "条目 (.*)"/.exec(await readFile(path.join(out, '_posts', f), 'utf8'))?.[1]));
  expect(titles.sort()).toEqual(codes.filter((c) => c !== blocked).sort());

  // Deterministic names: a second run finds every file as it left it.
  await rm(path.join(out, '_posts', `2022-03-30-${blocked}.md`), { recursive: true });
  const second = await runCli(['export', 'jekyll', out, '--config', config], env);
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toContain(`1 posts written, ${codes.length - 1} unchanged`);
});
