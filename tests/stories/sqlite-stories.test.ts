import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { BANDS_PER_STATEMENT, SQLITE_STORY_SQL } from '../../src/store/sqlite-stories.js';
import { CANDIDATES_PER_BAND } from '../../src/store/stories.js';
import { storyCorpus } from '../fixtures/stories/corpus.js';
import { sqliteFixture } from '../store/sqlite-fixture.js';
import { orderFreeGroups, storyIndexContract } from './story-index-contract.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'finews-stories-'));
  dirs.push(dir);
  return join(dir, 'finews.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

storyIndexContract('sqlite', async () => {
  return sqliteFixture(tempFile());
});

describe('sqlite story index', () => {
  it('looks candidates up through the band index, never by scanning entries', async () => {
    const file = tempFile();
    await openSqliteStore(file).close();
    const db = new Database(file, { readonly: true });
    const plan = (sql: string, ...args: unknown[]): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((p) => p.detail).join('; ');
    // Every band of a fingerprint in one statement: a seek of the band index per band,
    // each arm's own limit applied as it reads (no table scan, no sort).
    const bands = Array.from({ length: BANDS_PER_STATEMENT }, (_, i) => [`${i.toString(16)}:0000000000000000`, 0, 1]).flat();
    const bandKeys = plan(SQLITE_STORY_SQL.bandKeys, ...bands);
    const seeks = bandKeys.match(/SEARCH story_bands USING PRIMARY KEY \(band=\? AND published_ms>\? AND published_ms<\?\)/g) ?? [];
    expect(seeks).toHaveLength(BANDS_PER_STATEMENT);
    expect(bandKeys).not.toMatch(/SCAN story_|TEMP B-TREE/);
    const indexed = plan(SQLITE_STORY_SQL.indexed, 'k');
    expect(indexed).toMatch(/SEARCH story_entries USING INDEX sqlite_autoindex_story_entries_1 \(key=\?\)/);
    expect(indexed).not.toMatch(/SCAN/);
    expect(plan(SQLITE_STORY_SQL.members, 's')).toContain('USING COVERING INDEX story_entries_story');
    expect(plan(SQLITE_STORY_SQL.expired, 0, 10)).toContain('USING INDEX story_entries_expiry');
    db.close();
  });

  it('puts reprints placed at the same moment by three processes on one file into one story each', async () => {
    const file = tempFile();
    await openSqliteStore(file).close(); // migrate once so the children race on assignments only
    const goFile = `${file}.go`;
    const child = fileURLToPath(new URL('./assign-race-child.ts', import.meta.url));
    const runs = [0, 1, 2].map((copy) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', child, file, goFile, String(copy)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      let markReady: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.startsWith('ready\n')) markReady();
      });
      const done = new Promise<void>((resolve, reject) => {
        proc.on('error', reject);
        proc.on('close', (code) => (code === 0 && out.endsWith('done\n') ? resolve() : reject(new Error(`copy ${copy} exited with ${code}`))));
      });
      return { ready, done };
    });
    await Promise.all(runs.map((r) => r.ready));
    writeFileSync(goFile, 'go');
    await Promise.all(runs.map((r) => r.done));

    const store = openSqliteStore(file);
    const corpus = storyCorpus();
    for (const group of orderFreeGroups()) {
      const copies = corpus.filter((a) => a.group === group).slice(0, 3);
      const stories = await Promise.all(copies.map((a) => store.stories.storyOf(a.key)));
      expect(new Set(stories).size, group).toBe(1);
      expect((await store.stories.members(stories[0] ?? '')).map((m) => m.key).sort(), group).toEqual(copies.map((a) => a.key).sort());
    }
    await store.close();
  }, 60_000);

  it('shows a batch the same candidates as one at a time when more than the limit share a band and a publication time', async () => {
    const band = '3:00000000deadbeef';
    const copy = (i: number) => ({ key: `tie-${String((i * 37) % 100).padStart(2, '0')}`, fingerprint: 'f', bands: [band, `${i}:x`], publishedMs: 1_700_000_000_000 });
    const span = { sinceMs: 1_600_000_000_000, untilMs: 1_800_000_000_000 };
    const copies = Array.from({ length: CANDIDATES_PER_BAND + 20 }, (_, i) => copy(i));
    const shownBy = async (batchSize: number): Promise<string[][]> => {
      const store = openSqliteStore(tempFile());
      const shown: string[][] = [];
      for (let at = 0; at < copies.length; at += batchSize) {
        await store.stories.assignMany(
          copies.slice(at, at + batchSize).map((entry) => ({ entry, span })),
          (candidates, a) => (shown.push(candidates.map((c) => c.key).sort()), a.entry.key),
        );
      }
      await store.close();
      return shown;
    };
    const one = await shownBy(1);
    expect(one.at(-1)).toHaveLength(CANDIDATES_PER_BAND);
    expect(await shownBy(copies.length)).toEqual(one);
    expect(await shownBy(7)).toEqual(one);
  });
});
