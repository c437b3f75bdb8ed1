import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { runMigration, SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { storeContract } from './contract.js';
import { sqliteFixture } from './sqlite-fixture.js';
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

storeContract('sqlite', async (opts = {}) => {
  return sqliteFixture(tempFile(), opts);
});

describe('sqlite store file', () => {
  it('finds pending work through an index of claims with work only, not by scanning claims', async () => {
    const file = tempFile();
    const store = openSqliteStore(file);
    await store.claim(newsKey(1), 'cinn-industry', []);
    await store.close();
    const db = new Database(file, { readonly: true });
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT key, work FROM claims WHERE work IS NOT NULL AND queued_ms < ? ORDER BY queued_ms, key LIMIT ?')
      .all(Date.now(), 100) as Array<{ detail: string }>;
    db.close();
    expect(plan.map((p) => p.detail).join('; ')).toContain('USING INDEX claims_pending');
  });

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

  it('migrates a schema 1 file: claims of saved items, pruned or not, are not pending', async () => {
    const file = tempFile();
    mkdirSync(dirname(file), { recursive: true });
    // A file as finews with schema 1 left it: one stored item, one pruned item, both claimed.
    const v1 = new Database(file);
    v1.pragma('journal_mode = WAL');
    runMigration(v1, 1);
    v1.pragma('user_version = 1');
    const stored = makeItem(newsKey(1), { categories: ['zhongguogongyebao', 'industry'] });
    const storedMs = Date.parse(stored.storedAt);
    const claimMs = Date.parse('2022-03-30T01:35:00Z');
    const insertClaim = v1.prepare('INSERT INTO claims (key, first_ms, seen_ms, sources, categories) VALUES (?, ?, ?, ?, ?)');
    insertClaim.run(stored.key, claimMs, claimMs, '["cinn-industry"]', '["industry","zhongguogongyebao"]');
    insertClaim.run(newsKey(2), claimMs, claimMs, '["cinn-industry"]', '["industry"]');
    v1.prepare('INSERT INTO items (key, published_ms, published_at, stored_ms, doc) VALUES (?, ?, ?, ?, ?)').run(
      stored.key, Date.parse(stored.publishedAt), stored.publishedAt, storedMs, JSON.stringify(stored),
    );
    for (const c of stored.categories) {
      v1.prepare('INSERT INTO item_categories (category, key, published_ms) VALUES (?, ?, ?)').run(c, stored.key, Date.parse(stored.publishedAt));
    }
    v1.prepare("INSERT INTO sources (id, items) VALUES ('cinn-industry', 2)").run();
    v1.close();

    const store = openSqliteStore(file);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT key, saved_ms FROM claims ORDER BY key').all()).toEqual([
      { key: newsKey(1), saved_ms: storedMs },
      // Item gone: pruned or never saved, cannot tell; counted as saved so it is not ingested again.
      { key: newsKey(2), saved_ms: 0 },
    ]);
    db.close();

    expect(await store.getItem(stored.key)).toEqual(stored);
    expect(await store.claim(stored.key, 'cinn-industry', ['industry'])).toEqual({ isNew: false, changedCategories: [], pending: false });
    expect(await store.claim(newsKey(2), 'cinn-industry', ['industry'])).toEqual({ isNew: false, changedCategories: [], pending: false });
    // New claims after the upgrade track saving as usual.
    expect((await store.claim(newsKey(3), 'cinn-industry', [])).isNew).toBe(true);
    expect((await store.claim(newsKey(3), 'cinn-industry', [])).pending).toBe(true);
    expect((await store.getSourceState('cinn-industry'))?.items).toBe(3);
    await store.close();
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

  it('refuses at start a file that is not a database, naming the file', () => {
    const file = tempFile();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '<html>this is not a database</html>\n'.repeat(200));
    expect(() => openSqliteStore(file)).toThrow(`sqlite store ${file}: the database file is corrupt or not a SQLite database`);
  });

  it('refuses at start a database whose pages are damaged (quick_check), naming the file', async () => {
    const file = tempFile();
    const store = openSqliteStore(file);
    for (let n = 1; n <= 300; n++) await store.saveItem(makeItem(newsKey(n), { categories: ['zhongguogongyebao', 'industry'] }));
    await store.close(); // checkpoints the WAL into the file
    const pageSize = 4096;
    expect(statSync(file).size).toBeGreaterThan(20 * pageSize);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize * 4, 0xab), 0, pageSize * 4, pageSize * 6);
    closeSync(fd);

    let thrown: unknown;
    try {
      openSqliteStore(file);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'store-unavailable', retryable: false });
    expect((thrown as Error).message.startsWith(`sqlite store ${file}: the database file is corrupt`)).toBe(true);
  });

  it('stops answering ping once its file is deleted or replaced, and logs the path once', async () => {
    const lines: { level: number; msg: string; file?: string; problem?: string }[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[number]) });
    const file = tempFile();
    const store = openSqliteStore(file, { log });
    await store.saveItem(makeItem(newsKey(1)));
    await expect(store.ping()).resolves.toBeUndefined();

    rmSync(file);
    await expect(store.ping()).rejects.toThrow(`sqlite store ${file}: the database file is gone (ENOENT)`);
    await expect(store.ping()).rejects.toMatchObject({ code: 'store-unavailable' });
    const errors = lines.filter((l) => l.level >= 50);
    expect(errors).toEqual([expect.objectContaining({ msg: 'sqlite store file lost: not ready', file })]);

    // Another file put in its place is not the one this connection writes to.
    const other = openSqliteStore(`${file}.other`);
    await other.close();
    renameSync(`${file}.other`, file);
    await expect(store.ping()).rejects.toThrow('the database file was replaced by another file since it was opened');
    await store.close();
  });

  it('stops answering ping once its file is overwritten in place', async () => {
    const file = tempFile();
    const store = openSqliteStore(file);
    await store.saveItem(makeItem(newsKey(1)));
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from('garbage garbage garbage'), 0, 23, 0);
    closeSync(fd);
    await expect(store.ping()).rejects.toThrow('the database file no longer starts with the SQLite header');
    await store.close();
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

  it('claims a feed of 500 keys in one transaction', async () => {
    const statements: string[] = [];
    const store = openSqliteStore(tempFile(), { trace: (sql) => statements.push(sql) });
    statements.length = 0;
    const keys = Array.from({ length: 500 }, (_, i) => newsKey(i));
    const results = await store.claimMany(keys.map((key) => ({ key, sourceId: 'cinn-industry', categories: ['industry'] })));
    expect(results.every((r) => r.isNew)).toBe(true);
    expect(statements.filter((sql) => /^(BEGIN|COMMIT|SAVEPOINT)/.test(sql))).toEqual(['BEGIN IMMEDIATE', 'COMMIT']);
    await store.close();
  });

  it('claims and saves a page of new items with a few writes per item, source counts and category facts once per batch', async () => {
    const statements: string[] = [];
    const store = openSqliteStore(tempFile(), { trace: (sql) => statements.push(sql) });
    const keys = Array.from({ length: 200 }, (_, i) => newsKey(i));
    const writes = (pattern: RegExp) => statements.filter((sql) => pattern.test(sql)).length;
    statements.length = 0;
    await store.claimMany(
      keys.map((key) => ({ key, sourceId: 'cinn-industry', categories: ['industry'], work: { infoCode: key, sourceId: 'cinn-industry', categories: ['industry'], item: { title: key, categories: [] } } })),
    );
    // One row a claim, its work in it; the source's count once.
    expect(writes(/^\s*(INSERT|UPDATE|DELETE)/i)).toBe(keys.length + 1);
    expect(writes(/^\s*INSERT INTO sources/i)).toBe(1);
    statements.length = 0;
    await store.saveItems(keys.map((key) => makeItem(key, { categories: ['zhongguogongyebao', 'industry'] })));
    // Per item its claim, its row and its two category rows; per category its facts once.
    expect(writes(/^\s*(INSERT|UPDATE|DELETE)/i)).toBe(keys.length * 4 + 2 * 2);
    expect((await store.getSourceState('cinn-industry'))?.items).toBe(keys.length);
    const counts = new Map((await store.listCategories()).map((c) => [c.slug, c.count]));
    expect(counts.get('zhongguogongyebao')).toBe(keys.length);
    expect(counts.get('industry')).toBe(keys.length);
    await store.close();
  });

  it('writes nothing for a claim or a save that changes nothing', async () => {
    const statements: string[] = [];
    const store = openSqliteStore(tempFile(), { trace: (sql) => statements.push(sql) });
    const key = newsKey(1);
    await store.claim(key, 'cinn-industry', ['industry']);
    const item = makeItem(key, { categories: ['zhongguogongyebao'] });
    await store.saveItem(item);
    const writes = () => statements.filter((sql) => /^\s*(INSERT|UPDATE|DELETE|REPLACE)/i.test(sql));
    statements.length = 0;

    expect(await store.claim(key, 'cinn-industry', ['industry'])).toEqual({ isNew: false, changedCategories: [], pending: false });
    expect(await store.claimMany([{ key, sourceId: 'cinn-industry', categories: [] }])).toEqual([
      { isNew: false, changedCategories: [], pending: false },
    ]);
    expect(new Set(await store.saveItem(item))).toEqual(new Set(['zhongguogongyebao', 'industry', 'all']));
    expect(writes()).toEqual([]);

    // Something new is written.
    await store.claim(key, 'eastmoney-finance', []);
    expect(writes().length).toBeGreaterThan(0);
    expect((await store.getItem(key))?.sources).toEqual(['cinn-industry', 'eastmoney-finance']);
    await store.close();
  });

  it('tags item JSON with its version and reads rows written before the tag', async () => {
    const file = tempFile();
    const store = openSqliteStore(file);
    const item = makeItem(newsKey(1));
    await store.saveItem(item);
    const db = new Database(file);
    const { doc } = db.prepare('SELECT doc FROM items WHERE key = ?').get(newsKey(1)) as { doc: string };
    expect((JSON.parse(doc) as { v?: number }).v).toBe(1);
    // A row as an older finews wrote it: the untagged item.
    db.prepare('UPDATE items SET doc = ? WHERE key = ?').run(JSON.stringify(item), newsKey(1));
    db.close();
    expect(await store.getItem(newsKey(1))).toEqual(item);
    expect((await store.listItems({ limit: 10 })).items).toEqual([item]);
    await store.close();
  });

  it('takes lease times from its clock', async () => {
    let clock = new Date('2020-01-01T00:00:00Z');
    const store = openSqliteStore(tempFile(), { now: () => clock });
    expect(await store.acquireLease('refresh:stcn', 60_000)).toEqual(expect.any(String));
    expect(await store.acquireLease('refresh:stcn', 60_000)).toBeNull();
    clock = new Date('2020-01-01T00:01:00Z');
    expect(await store.acquireLease('refresh:stcn', 60_000)).toEqual(expect.any(String));
    await store.close();
  });
});
