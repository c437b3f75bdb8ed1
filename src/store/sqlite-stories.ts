import type { Database, Statement } from 'better-sqlite3';
import { storeFailure } from './item-merge.js';
import {
  CANDIDATES_PER_BAND,
  type ChooseStory,
  type ChooseStoryFor,
  type StoryAssignment,
  type StoryEntry,
  type StoryIndex,
  type StoryIndexed,
  type StoryMember,
  type StoryPlacement,
  type StorySpan,
} from './stories.js';

/** Tables of the story index (migration 6 of sqlite-schema.ts). */
export const STORY_INDEX_SCHEMA = `
  CREATE TABLE story_entries (
    key          TEXT PRIMARY KEY,
    fingerprint  TEXT NOT NULL,
    bands        TEXT NOT NULL,         -- JSON array of the band values indexed for the key
    published_ms INTEGER NOT NULL,
    expiry_ms    INTEGER NOT NULL,      -- max(published, recorded): prune like items
    story        TEXT NOT NULL
  );
  CREATE INDEX story_entries_story ON story_entries (story, published_ms, key);
  CREATE INDEX story_entries_expiry ON story_entries (expiry_ms);
  CREATE TABLE story_bands (
    band         TEXT NOT NULL,
    published_ms INTEGER NOT NULL,
    key          TEXT NOT NULL,
    PRIMARY KEY (band, published_ms, key)
  ) WITHOUT ROWID;
`;

/**
 * The newest keys of one band value within a span, from the band index alone. The limit
 * is written into the statement: bound as a parameter, it made each lookup several
 * times slower.
 */
const BAND_KEYS = `SELECT key FROM story_bands WHERE band = ? AND published_ms BETWEEN ? AND ? ORDER BY published_ms DESC LIMIT ${CANDIDATES_PER_BAND}`;

/** Most band values one lookup statement reads: the bands of one fingerprint. */
export const BANDS_PER_STATEMENT = 16;

/**
 * The lookup statement for `n` band values: {@link BAND_KEYS} for each, joined by UNION
 * ALL so one statement (one crossing into SQLite) reads every band of an article. Each
 * arm keeps its own limit ({@link CANDIDATES_PER_BAND}); its parameters are band, since, until.
 */
export function bandKeysSql(n: number): string {
  return Array.from({ length: n }, () => `SELECT key FROM (${BAND_KEYS})`).join(' UNION ALL ');
}

/**
 * The statements of the story index, by name, so tests can check their query plans. A
 * lookup reads keys alone from the band index (`bandKeys`: every band of an article in one
 * statement, each band covered by the primary key), then the entry (`indexed`) of each
 * distinct key it does not hold already.
 */
export const SQLITE_STORY_SQL = {
  bandKeys: bandKeysSql(BANDS_PER_STATEMENT),
  indexed: 'SELECT key, fingerprint, published_ms, story FROM story_entries WHERE key = ?',
  getEntry: 'SELECT key, bands, published_ms, story FROM story_entries WHERE key = ?',
  putEntry: `INSERT INTO story_entries (key, fingerprint, bands, published_ms, expiry_ms, story) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, bands = excluded.bands,
      published_ms = excluded.published_ms, expiry_ms = excluded.expiry_ms, story = excluded.story`,
  deleteEntry: 'DELETE FROM story_entries WHERE key = ?',
  // One row per statement: one that may write several rows inside a transaction opens a statement journal.
  putBand: 'INSERT INTO story_bands (band, published_ms, key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  deleteBand: 'DELETE FROM story_bands WHERE band = ? AND published_ms = ? AND key = ?',
  members: 'SELECT key, published_ms FROM story_entries WHERE story = ? ORDER BY published_ms, key',
  expired: 'SELECT key, bands, published_ms FROM story_entries WHERE expiry_ms < ? LIMIT ?',
} as const;

interface EntryRow {
  key: string;
  bands: string;
  published_ms: number;
  story: string;
}

interface IndexedRow {
  key: string;
  fingerprint: string;
  published_ms: number;
  story: string;
}

const PRUNE_BATCH = 500;

/**
 * Most entries an index keeps in memory (about 450 bytes each): more than a story window
 * of a busy install holds, so lookups in steady state read the band index alone.
 */
const ENTRY_CACHE_SIZE = 20_000;

/**
 * Entries this connection read or wrote, by key, so that a lookup reads only the band
 * index for the keys it has seen. Emptied whenever another connection may have written
 * the file (PRAGMA data_version moved) and when a transaction of ours fails, so it never
 * answers other than the tables would. Holds at most {@link ENTRY_CACHE_SIZE}, dropping
 * the longest held first.
 */
class EntryCache {
  private readonly entries = new Map<string, StoryIndexed>();
  private dataVersion: number | undefined;

  /** Empties the cache when `dataVersion` (read inside the current transaction) is not the one last seen. */
  validate(dataVersion: number): void {
    if (dataVersion !== this.dataVersion) this.entries.clear();
    this.dataVersion = dataVersion;
  }

  get(key: string): StoryIndexed | undefined {
    return this.entries.get(key);
  }

  set(entry: StoryIndexed): void {
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
    if (this.entries.size > ENTRY_CACHE_SIZE) {
      for (const key of this.entries.keys()) {
        this.entries.delete(key);
        if (this.entries.size <= ENTRY_CACHE_SIZE) break;
      }
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.dataVersion = undefined;
  }
}

/**
 * The story index of the SQLite store, on the store's connection. `assignMany` runs in
 * one IMMEDIATE transaction, so it is atomic across connections and processes on the
 * file. Its lookups read keys from the band index and entries from an {@link EntryCache}
 * of the connection, going to the entries table only for keys it has not seen.
 */
export class SqliteStoryIndex implements StoryIndex {
  private readonly sql;
  private readonly cache = new EntryCache();
  /** Lookup statements by number of band values ({@link bandKeysSql}), prepared when first needed. */
  private readonly bandKeys = new Map<number, Statement<unknown[], string>>();

  constructor(
    private readonly db: Database,
    private readonly file: string,
  ) {
    this.sql = {
      indexed: db.prepare<[string], IndexedRow>(SQLITE_STORY_SQL.indexed),
      getEntry: db.prepare<[string], EntryRow>(SQLITE_STORY_SQL.getEntry),
      putEntry: db.prepare<[string, string, string, number, number, string]>(SQLITE_STORY_SQL.putEntry),
      deleteEntry: db.prepare<[string]>(SQLITE_STORY_SQL.deleteEntry),
      putBand: db.prepare<[string, number, string]>(SQLITE_STORY_SQL.putBand),
      deleteBand: db.prepare<[string, number, string]>(SQLITE_STORY_SQL.deleteBand),
      members: db.prepare<[string], { key: string; published_ms: number }>(SQLITE_STORY_SQL.members),
      expired: db.prepare<[number, number], EntryRow>(SQLITE_STORY_SQL.expired),
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    };
  }

  async assign(entry: StoryEntry, span: StorySpan, choose: ChooseStory): Promise<string> {
    const [placed] = await this.assignMany([{ entry, span }], (candidates) => choose(candidates));
    return (placed as StoryPlacement).storyId;
  }

  async assignMany<A extends StoryAssignment>(assignments: readonly A[], choose: ChooseStoryFor<A>): Promise<StoryPlacement[]> {
    if (assignments.length === 0) return [];
    const tx = this.db.transaction((): StoryPlacement[] => {
      // Inside the IMMEDIATE transaction no other connection writes, so entries cached
      // (and updated by this transaction's own writes) hold until it commits.
      this.cache.validate(this.sql.dataVersion.get() as number);
      return assignments.map((a, index): StoryPlacement => {
        const { entry } = a;
        const found = this.lookup(entry.bands, a.span, this.cache).filter((c) => c.key !== entry.key);
        const storyId = choose(found, a, index);
        const previous = this.sql.getEntry.get(entry.key);
        if (previous) this.unindexRow(previous);
        this.sql.putEntry.run(
          entry.key,
          entry.fingerprint,
          JSON.stringify(entry.bands),
          entry.publishedMs,
          Math.max(entry.publishedMs, Date.now()),
          storyId,
        );
        this.recordBands(entry);
        this.cache.set({ key: entry.key, fingerprint: entry.fingerprint, publishedMs: entry.publishedMs, storyId });
        return { storyId, previousStoryId: previous?.story ?? null };
      });
    });
    const first = (assignments[0] as A).entry.key;
    return this.run('assign', () => this.uncachedOnFailure(() => tx.immediate()), assignments.length === 1 ? first : `${first} and ${assignments.length - 1} more`);
  }

  async candidates(bands: readonly string[], span: StorySpan): Promise<StoryIndexed[]> {
    // Outside a write transaction another connection may commit at any moment: no cache.
    return this.run('candidates', () => this.lookup(bands, span, new EntryCache()));
  }

  async storyOf(key: string): Promise<string | null> {
    return this.run('storyOf', () => this.sql.getEntry.get(key)?.story ?? null, key);
  }

  async members(storyId: string): Promise<StoryMember[]> {
    return this.run('members', () => this.sql.members.all(storyId)).map((r) => ({ key: r.key, publishedMs: r.published_ms }));
  }

  async remove(key: string): Promise<void> {
    const tx = this.db.transaction(() => {
      const row = this.sql.getEntry.get(key);
      if (row) this.unindexRow(row);
    });
    this.run('remove', () => this.uncachedOnFailure(() => tx.immediate()), key);
  }

  async prune(before: Date): Promise<number> {
    return this.run('prune', () => this.pruneNow(before.getTime()));
  }

  /** Prune inside a transaction the caller holds (the store's own prune). */
  pruneNow(beforeMs: number): number {
    let removed = 0;
    for (;;) {
      const rows = this.sql.expired.all(beforeMs, PRUNE_BATCH);
      for (const row of rows) this.unindexRow(row);
      removed += rows.length;
      if (rows.length < PRUNE_BATCH) return removed;
    }
  }

  /**
   * The entries sharing a band with `bands` within `span`: the keys of every band first
   * (the band index alone, one statement for up to {@link BANDS_PER_STATEMENT} bands),
   * then the entry of each distinct key not in `cache`, which keeps it.
   */
  private lookup(bands: readonly string[], span: StorySpan, cache: EntryCache): StoryIndexed[] {
    const keys = new Set<string>();
    const distinct = [...new Set(bands)];
    for (let at = 0; at < distinct.length; at += BANDS_PER_STATEMENT) {
      const chunk = distinct.slice(at, at + BANDS_PER_STATEMENT);
      const args: Array<string | number> = [];
      for (const band of chunk) args.push(band, span.sinceMs, span.untilMs);
      for (const key of this.bandKeysFor(chunk.length).all(args)) keys.add(key);
    }
    const out: StoryIndexed[] = [];
    for (const key of keys) {
      let found = cache.get(key);
      if (found === undefined) {
        const r = this.sql.indexed.get(key);
        if (r === undefined) continue;
        found = { key: r.key, fingerprint: r.fingerprint, publishedMs: r.published_ms, storyId: r.story };
        cache.set(found);
      }
      out.push(found);
    }
    return out;
  }

  private bandKeysFor(n: number): Statement<unknown[], string> {
    let statement = this.bandKeys.get(n);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], string>(bandKeysSql(n)).pluck();
      this.bandKeys.set(n, statement);
    }
    return statement;
  }

  /**
   * Records the band values of `entry`, one row per statement: a statement that may write
   * several rows inside a transaction opens a statement journal (a temp file once it holds
   * more than a few pages), which cost more than the crossings it saved.
   */
  private recordBands(entry: StoryEntry): void {
    for (const band of entry.bands) this.sql.putBand.run(band, entry.publishedMs, entry.key);
  }

  /** Runs a transaction, emptying the cache when it fails: it may hold writes rolled back. */
  private uncachedOnFailure<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      this.cache.clear();
      throw err;
    }
  }

  private unindexRow(row: Pick<EntryRow, 'key' | 'bands' | 'published_ms'>): void {
    for (const band of JSON.parse(row.bands) as string[]) this.sql.deleteBand.run(band, row.published_ms, row.key);
    this.sql.deleteEntry.run(row.key);
    this.cache.delete(row.key);
  }

  private run<T>(op: string, fn: () => T, key?: string): T {
    try {
      return fn();
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      const transient = typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR)/.test(code);
      throw storeFailure(`sqlite story index ${this.file}`, key === undefined ? op : `${op} ${key}`, err, transient);
    }
  }
}
