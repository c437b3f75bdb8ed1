import type { Database } from 'better-sqlite3';
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
 * The statements of the story index, by name, so tests can check their query plans. A
 * lookup reads keys alone from the band index (`bandKeys`, covered by its primary key),
 * then the entry of each distinct key once (`indexed`): a key found through several
 * bands, or by several lookups of one batch, is read once.
 */
export const SQLITE_STORY_SQL = {
  bandKeys: 'SELECT key FROM story_bands WHERE band = ? AND published_ms BETWEEN ? AND ? ORDER BY published_ms DESC LIMIT ?',
  indexed: 'SELECT key, fingerprint, published_ms, story FROM story_entries WHERE key = ?',
  getEntry: 'SELECT key, bands, published_ms, story FROM story_entries WHERE key = ?',
  putEntry: `INSERT INTO story_entries (key, fingerprint, bands, published_ms, expiry_ms, story) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, bands = excluded.bands,
      published_ms = excluded.published_ms, expiry_ms = excluded.expiry_ms, story = excluded.story`,
  deleteEntry: 'DELETE FROM story_entries WHERE key = ?',
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
 * The story index of the SQLite store, on the store's connection. `assign` runs in one
 * IMMEDIATE transaction, so it is atomic across connections and processes on the file.
 */
export class SqliteStoryIndex implements StoryIndex {
  private readonly sql;

  constructor(
    private readonly db: Database,
    private readonly file: string,
  ) {
    this.sql = {
      bandKeys: db.prepare<[string, number, number, number], string>(SQLITE_STORY_SQL.bandKeys).pluck(),
      indexed: db.prepare<[string], IndexedRow>(SQLITE_STORY_SQL.indexed),
      getEntry: db.prepare<[string], EntryRow>(SQLITE_STORY_SQL.getEntry),
      putEntry: db.prepare<[string, string, string, number, number, string]>(SQLITE_STORY_SQL.putEntry),
      deleteEntry: db.prepare<[string]>(SQLITE_STORY_SQL.deleteEntry),
      putBand: db.prepare<[string, number, string]>(SQLITE_STORY_SQL.putBand),
      deleteBand: db.prepare<[string, number, string]>(SQLITE_STORY_SQL.deleteBand),
      members: db.prepare<[string], { key: string; published_ms: number }>(SQLITE_STORY_SQL.members),
      expired: db.prepare<[number, number], EntryRow>(SQLITE_STORY_SQL.expired),
    };
  }

  async assign(entry: StoryEntry, span: StorySpan, choose: ChooseStory): Promise<string> {
    const [placed] = await this.assignMany([{ entry, span }], (candidates) => choose(candidates));
    return (placed as StoryPlacement).storyId;
  }

  async assignMany<A extends StoryAssignment>(assignments: readonly A[], choose: ChooseStoryFor<A>): Promise<StoryPlacement[]> {
    if (assignments.length === 0) return [];
    const tx = this.db.transaction((): StoryPlacement[] => {
      // Entries read in this transaction, by key (null: not indexed). The transaction
      // holds the write lock, so only its own writes change them, and those update it.
      const seen = new Map<string, StoryIndexed | null>();
      return assignments.map((a, index): StoryPlacement => {
        const { entry } = a;
        const found = this.lookup(entry.bands, a.span, seen).filter((c) => c.key !== entry.key);
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
        for (const band of entry.bands) this.sql.putBand.run(band, entry.publishedMs, entry.key);
        seen.set(entry.key, { key: entry.key, fingerprint: entry.fingerprint, publishedMs: entry.publishedMs, storyId });
        return { storyId, previousStoryId: previous?.story ?? null };
      });
    });
    const first = (assignments[0] as A).entry.key;
    return this.run('assign', () => tx.immediate(), assignments.length === 1 ? first : `${first} and ${assignments.length - 1} more`);
  }

  async candidates(bands: readonly string[], span: StorySpan): Promise<StoryIndexed[]> {
    return this.run('candidates', () => this.lookup(bands, span, new Map()));
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
    this.run('remove', () => tx.immediate(), key);
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
   * The entries sharing a band with `bands` within `span`: the keys of each band first
   * (the band index alone), then each distinct key's entry, taken from `seen` when this
   * transaction has read or written it already, and added to it otherwise.
   */
  private lookup(bands: readonly string[], span: StorySpan, seen: Map<string, StoryIndexed | null>): StoryIndexed[] {
    const keys = new Set<string>();
    for (const band of new Set(bands)) {
      for (const key of this.sql.bandKeys.all(band, span.sinceMs, span.untilMs, CANDIDATES_PER_BAND)) keys.add(key);
    }
    const out: StoryIndexed[] = [];
    for (const key of keys) {
      let found = seen.get(key);
      if (found === undefined) {
        const r = this.sql.indexed.get(key);
        found = r ? { key: r.key, fingerprint: r.fingerprint, publishedMs: r.published_ms, storyId: r.story } : null;
        seen.set(key, found);
      }
      if (found !== null) out.push(found);
    }
    return out;
  }

  private unindexRow(row: Pick<EntryRow, 'key' | 'bands' | 'published_ms'>): void {
    for (const band of JSON.parse(row.bands) as string[]) this.sql.deleteBand.run(band, row.published_ms, row.key);
    this.sql.deleteEntry.run(row.key);
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
