import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import type { Store } from '../../src/store/store.js';
import { storeContract } from './contract.js';
import { makeItem, newsKey } from './items.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'finews-sqlite-'));
  dirs.push(dir);
  return join(dir, 'data', 'finews.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

storeContract('sqlite', async () => {
  const file = tempFile();
  const opened: Store[] = [openSqliteStore(file)];
  return {
    store: opened[0] as Store,
    async openAnother() {
      const store = openSqliteStore(file);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const store of opened) await store.close();
    },
  };
});

describe('sqlite store file', () => {
  it('creates its directory, uses WAL and records the schema version', async () => {
    const file = tempFile();
    const store = openSqliteStore(file);
    await store.saveItem(makeItem(newsKey(1)));
    await store.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();

    // Reopening an up-to-date file migrates nothing and loses nothing.
    const again = openSqliteStore(file);
    expect((await again.getItem(newsKey(1)))?.title).toContain('工信部');
    await again.close();
  });

  it('refuses a file written by a newer finews', () => {
    const file = tempFile();
    openSqliteStore(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openSqliteStore(file)).toThrow(/newer than this finews understands/);
    try {
      openSqliteStore(file);
    } catch (err) {
      expect(err).toMatchObject({ code: 'store-unavailable', retryable: false });
    }
  });

  it('lets exactly one of three processes win each claim on one file', async () => {
    const file = tempFile();
    openSqliteStore(file).close(); // migrate once so the children race on claims only
    const goFile = `${file}.go`;
    const child = fileURLToPath(new URL('./claim-race-child.ts', import.meta.url));
    const count = 400;

    const runs = ['proc-a', 'proc-b', 'proc-c'].map((sourceId) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', child, file, goFile, sourceId, String(count)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      let markReady: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.startsWith('ready\n')) markReady();
      });
      const done = new Promise<string[]>((resolve, reject) => {
        proc.on('error', reject);
        proc.on('close', (code) => {
          if (code !== 0) reject(new Error(`${sourceId} exited with ${code}`));
          else resolve(JSON.parse(out.slice('ready\n'.length)) as string[]);
        });
      });
      return { ready, done };
    });
    await Promise.all(runs.map((r) => r.ready));
    writeFileSync(goFile, 'go');
    const won = await Promise.all(runs.map((r) => r.done));

    const all = won.flat();
    expect(all).toHaveLength(count);
    expect(new Set(all).size).toBe(count);

    const store = openSqliteStore(file);
    for (const sourceId of ['proc-a', 'proc-b', 'proc-c']) {
      expect((await store.getSourceState(sourceId))?.items).toBe(count);
    }
    await store.close();
  }, 60_000);
});
