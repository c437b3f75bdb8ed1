import { mkdtemp, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchConfig, type ConfigWatcher } from '../../src/config/watch.js';
import type { Config } from '../../src/domain.js';

const config = (title: string, every = '10m'): string => `site:
  title: ${title}
  url: https://finews.example.com
sources:
  - id: eastmoney-industry
    url: https://finance.eastmoney.com/rss/cywjh.xml
    every: ${every}
`;

interface LogLine {
  level: number;
  msg: string;
  issues?: string[];
}

/** A real pino logger writing into an array. */
function capturingLogger(): { log: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}

/** Rewrites the file through the same inode, as `>>`, a single-file bind mount or some editors do. */
async function rewriteInPlace(file: string, text: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const bytes = Buffer.from(text);
    await handle.write(bytes, 0, bytes.length, 0);
    await handle.truncate(bytes.length);
  } finally {
    await handle.close();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

describe('watchConfig', () => {
  let dir: string;
  let file: string;
  let watcher: ConfigWatcher | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'finews-watch-'));
    file = path.join(dir, 'feeds.yaml');
    await writeFile(file, config('财经新闻聚合'));
  });

  afterEach(async () => {
    watcher?.close();
    watcher = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('calls onChange with the new config after a valid edit', async () => {
    const { log } = capturingLogger();
    const seen: Config[] = [];
    watcher = watchConfig(file, { log, debounceMs: 50, onChange: (c) => seen.push(c) });
    await writeFile(file, config('工业新闻', '5m'));
    await until(() => seen.length > 0);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.site.title).toBe('工业新闻');
    expect(seen[0]?.sources[0]?.everyMs).toBe(300_000);
  });

  it('keeps the last good config after an invalid edit and logs every issue with its position', async () => {
    const { log, lines } = capturingLogger();
    const seen: Config[] = [];
    watcher = watchConfig(file, { log, debounceMs: 50, onChange: (c) => seen.push(c) });
    await writeFile(file, config('工业新闻', '5x').replace('  url: https://finews.example.com\n', '  url: finews\n'));
    await until(() => lines.some((l) => l.msg === 'config invalid; keeping last good config'));
    const logged = lines.find((l) => l.msg === 'config invalid; keeping last good config');
    expect(logged?.level).toBe(50);
    expect(logged?.issues).toEqual([
      `${file}:3:8: site.url: "finews" is not an absolute URL (write it with http:// or https://)`,
      expect.stringMatching(new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}:7:12: sources\\[0\\]\\.every: invalid duration "5x"`)),
    ]);
    await sleep(200);
    expect(seen).toEqual([]);

    // Fixing the file brings reloads back.
    await writeFile(file, config('工业新闻'));
    await until(() => seen.length > 0);
    expect(seen[0]?.site.title).toBe('工业新闻');
  });

  it('follows editors that save by renaming a new file over the old one', async () => {
    const { log } = capturingLogger();
    const seen: Config[] = [];
    watcher = watchConfig(file, { log, debounceMs: 50, onChange: (c) => seen.push(c) });
    for (const title of ['第一版', '第二版']) {
      const tmp = path.join(dir, `.feeds.yaml.${title}.swp`);
      await writeFile(tmp, config(title));
      await rename(tmp, file);
      await until(() => seen.some((c) => c.site.title === title));
    }
    expect(seen.map((c) => c.site.title)).toEqual(['第一版', '第二版']);
  });

  it('debounces a burst of writes into one reload', async () => {
    const { log } = capturingLogger();
    const seen: Config[] = [];
    watcher = watchConfig(file, { log, debounceMs: 400, onChange: (c) => seen.push(c) });
    for (let i = 1; i <= 5; i++) await writeFile(file, config(`版本${i}`));
    await until(() => seen.length > 0);
    await sleep(600);
    expect(seen.map((c) => c.site.title)).toEqual(['版本5']);
  });

  it('ignores a save that leaves the text unchanged', async () => {
    const { log, lines } = capturingLogger();
    const seen: Config[] = [];
    watcher = watchConfig(file, { log, debounceMs: 50, onChange: (c) => seen.push(c) });
    await writeFile(file, config('财经新闻聚合'));
    await sleep(300);
    expect(seen).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('stops calling onChange once closed', async () => {
    const { log } = capturingLogger();
    const seen: Config[] = [];
    watcher = watchConfig(file, { log, debounceMs: 50, onChange: (c) => seen.push(c) });
    watcher.close();
    await writeFile(file, config('工业新闻'));
    await sleep(300);
    expect(seen).toEqual([]);
  });
  it('reloads an in-place rewrite of the same inode', async () => {
    const { log } = capturingLogger();
    const seen: Config[] = [];
    const inode = (await stat(file)).ino;
    watcher = watchConfig(file, { log, debounceMs: 50, onChange: (c) => seen.push(c) });
    await rewriteInPlace(file, config('原地修改', '5m'));
    await until(() => seen.length > 0);
    expect((await stat(file)).ino).toBe(inode);
    expect(seen.map((c) => c.site.title)).toEqual(['原地修改']);
    expect(seen[0]?.sources[0]?.everyMs).toBe(300_000);
  });

  it('ignores an invalid in-place edit with its line:col, keeps the last good config, then takes the fix', async () => {
    const { log, lines } = capturingLogger();
    const seen: Config[] = [];
    watcher = watchConfig(file, { log, debounceMs: 50, onChange: (c) => seen.push(c) });
    await rewriteInPlace(file, config('坏的', 'soon'));
    await until(() => lines.some((l) => l.msg === 'config invalid; keeping last good config'));
    const logged = lines.find((l) => l.msg === 'config invalid; keeping last good config');
    expect(logged?.issues?.[0]).toMatch(new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}:7:12: sources\\[0\\]\\.every: invalid duration "soon"`));
    expect(seen).toEqual([]);
    await rewriteInPlace(file, config('修好了'));
    await until(() => seen.length > 0);
    expect(seen.map((c) => c.site.title)).toEqual(['修好了']);
  });

  it('keeps following in-place writes after a rename-over replaced the inode', async () => {
    const { log } = capturingLogger();
    const seen: Config[] = [];
    watcher = watchConfig(file, { log, debounceMs: 50, onChange: (c) => seen.push(c) });
    const tmp = path.join(dir, 'feeds.yaml.tmp');
    await writeFile(tmp, config('换了文件'));
    await rename(tmp, file);
    await until(() => seen.length === 1);
    await rewriteInPlace(file, config('再原地改'));
    await until(() => seen.length === 2);
    expect(seen.map((c) => c.site.title)).toEqual(['换了文件', '再原地改']);
  });

  it('with watching off, reloads only when asked, and reload() reads the file at once', async () => {
    const { log } = capturingLogger();
    const seen: Config[] = [];
    watcher = watchConfig(file, { log, debounceMs: 50, watch: false, onChange: (c) => seen.push(c) });
    await rewriteInPlace(file, config('手动重载'));
    await sleep(300);
    expect(seen).toEqual([]);
    watcher.reload();
    await until(() => seen.length > 0);
    expect(seen.map((c) => c.site.title)).toEqual(['手动重载']);
    // Asking again with the same text changes nothing.
    watcher.reload();
    await sleep(100);
    expect(seen).toHaveLength(1);
  });
});
