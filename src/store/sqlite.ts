import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ALL_SLUG, type Item } from '../domain.js';
import { FinewsError } from '../errors.js';
import type { Logger } from '../util/log.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { decodeItem, encodeItem } from './item-json.js';
import {
  claimAfterSave,
  itemMillis,
  mergeClaim,
  mergeHash,
  mergeItem,
  pageSize,
  sameList,
  SEEN_REFRESH_MS,
  storeFailure,
  withAll,
  type ClaimRecord,
} from './item-merge.js';
import { CategoryNotes, SqliteCategoryFacts } from './sqlite-category-facts.js';
import { assertIntact, damagedFileError, isPlainFile, SqliteFileIdentity } from './sqlite-file.js';
import { migrate, SCHEMA_VERSION } from './sqlite-schema.js';
import { SqliteStoryIndex } from './sqlite-stories.js';
import type {
  CategoryInfo,
  ClaimEntry,
  ClaimResult,
  ItemPage,
  ItemQuery,
  PendingClaim,
  PendingWork,
  PruneResult,
  RenderedDoc,
  SourceState,
  Store,
} from './store.js';

export interface SqliteStoreOptions {
  log?: Logger;
  /**
   * How long a write waits for another connection's lock, in ms.
   * @defaultValue 5000
   */
  busyTimeoutMs?: number;
  /**
   * The clock of claim, save and lease times.
   * @defaultValue the system clock
   */
  now?: () => Date;
  /** Called with every SQL statement run, BEGIN and COMMIT included (diagnostics, and tests that count writes). */
  trace?: (sql: string) => void;
}

/**
 * Opens (creating and migrating as needed) the SQLite store of embedded mode at
 * `file`. WAL mode, so `finews serve` or `status` can read the same file while the
 * daemon writes; claims are atomic across connections and processes.
 */
export function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): Store {
  return new SqliteStore(file, opts);
}

interface ItemRow {
  key: string;
  published_ms: number;
  stored_ms: number;
  doc: string;
}

interface ClaimRow {
  sources: string;
  categories: string;
  seen_ms: number;
  /** 1 while article work is recorded on the claim. */
  has_work: number;
  /** When an item was first saved for the key; null while none ever was. */
  saved_ms: number | null;
  /** JSON object: per source, the hash of the item as it last sent it; null when none was recorded. */
  hashes: string | null;
}

interface SourceRow {
  id: string;
  state: string | null;
  items: number;
}

interface RenderedRow {
  content_type: string;
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
  last_modified: string;
}

/**
 * Every statement the SQLite store prepares, by name. Exported so tests can check their
 * query plans: none may scan all items.
 */
export const SQLITE_STORE_SQL = {
  insertClaim: `INSERT INTO claims (key, first_ms, seen_ms, sources, categories, hashes, work, queued_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (key) DO NOTHING`,
  getClaim: 'SELECT sources, categories, seen_ms, work IS NOT NULL AS has_work, saved_ms, hashes FROM claims WHERE key = ?',
  setHashes: 'UPDATE claims SET hashes = ? WHERE key = ?',
  touchClaim: 'UPDATE claims SET seen_ms = ?, sources = ?, categories = ? WHERE key = ?',
  recordSave:
    'UPDATE claims SET sources = ?, categories = ?, saved_ms = COALESCE(saved_ms, ?), work = NULL, queued_ms = NULL WHERE key = ?',
  recordWork: 'UPDATE claims SET work = ?, queued_ms = ? WHERE key = ?',
  pendingBefore: 'SELECT key, work FROM claims WHERE work IS NOT NULL AND queued_ms < ? ORDER BY queued_ms, key LIMIT ?',
  markQueued: 'UPDATE claims SET queued_ms = ? WHERE key = ?',
  countSourceItems: 'INSERT INTO sources (id, items) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET items = items + excluded.items',
  getItem: 'SELECT key, published_ms, stored_ms, doc FROM items WHERE key = ?',
  upsertItem: `INSERT INTO items (key, published_ms, published_at, stored_ms, doc) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET doc = excluded.doc`,
  setItemDoc: 'UPDATE items SET doc = ? WHERE key = ?',
  indexCategory: 'INSERT INTO item_categories (category, key, published_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  newest: 'SELECT key, published_ms, stored_ms, doc FROM items ORDER BY published_ms DESC, key DESC LIMIT ?',
  newestAfter: `SELECT key, published_ms, stored_ms, doc FROM items
    WHERE (published_ms, key) < (?, ?) ORDER BY published_ms DESC, key DESC LIMIT ?`,
  newestIn: `SELECT i.key, i.published_ms, i.stored_ms, i.doc FROM item_categories c JOIN items i ON i.key = c.key
    WHERE c.category = ? ORDER BY c.published_ms DESC, c.key DESC LIMIT ?`,
  newestInAfter: `SELECT i.key, i.published_ms, i.stored_ms, i.doc FROM item_categories c JOIN items i ON i.key = c.key
    WHERE c.category = ? AND (c.published_ms, c.key) < (?, ?)
    ORDER BY c.published_ms DESC, c.key DESC LIMIT ?`,
  getSource: 'SELECT id, state, items FROM sources WHERE id = ?',
  putSource: 'INSERT INTO sources (id, state) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state',
  listSources: 'SELECT id, state, items FROM sources ORDER BY id',
  prunableByCategory: `SELECT category, COUNT(*) AS n FROM item_categories
    WHERE key IN (SELECT key FROM items WHERE published_ms < ? AND stored_ms < ?)
    GROUP BY category`,
  unindexPrunable: `DELETE FROM item_categories
    WHERE key IN (SELECT key FROM items WHERE published_ms < ? AND stored_ms < ?)`,
  deletePrunable: 'DELETE FROM items WHERE published_ms < ? AND stored_ms < ?',
  forgetClaims: `DELETE FROM claims WHERE seen_ms < ? AND NOT EXISTS (SELECT 1 FROM items i WHERE i.key = claims.key)`,
  putRendered: `INSERT INTO rendered (name, content_type, body, gzip, br, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET content_type = excluded.content_type, body = excluded.body,
      gzip = excluded.gzip, br = excluded.br, etag = excluded.etag, last_modified = excluded.last_modified`,
  getRendered: 'SELECT content_type, body, gzip, br, etag, last_modified FROM rendered WHERE name = ?',
  deleteRendered: 'DELETE FROM rendered WHERE name = ?',
  renderedEtags: 'SELECT name, etag FROM rendered INDEXED BY rendered_etags',
  acquireLease: `INSERT INTO leases (name, token, expires_ms) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET token = excluded.token, expires_ms = excluded.expires_ms
    WHERE leases.expires_ms <= ? OR leases.token = excluded.token`,
  releaseLease: 'DELETE FROM leases WHERE name = ? AND token = ?',
} as const;

/** Store adapter on one better-sqlite3 connection. */
class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly file: string;
  private readonly log: Logger | undefined;
  private readonly sql;
  private readonly facts: SqliteCategoryFacts;
  readonly stories: SqliteStoryIndex;
  /** The file opened, to tell when the path stops holding it; null in memory. */
  private readonly identity: SqliteFileIdentity | null = null;
  /** What ping() last found wrong with the file, so it is logged once. */
  private fileProblem: string | null = null;
  private readonly now: () => Date;

  constructor(file: string, opts: SqliteStoreOptions) {
    this.file = file;
    this.log = opts.log;
    this.now = opts.now ?? (() => new Date());
    if (isPlainFile(file)) mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database | undefined;
    try {
      db = new Database(file, opts.trace ? { verbose: (sql) => opts.trace?.(String(sql)) } : {});
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      assertIntact(db, file);
      const found = migrate(db, file);
      if (found !== SCHEMA_VERSION) this.log?.info({ file, from: found, to: SCHEMA_VERSION }, 'sqlite store schema migrated');
      this.identity = SqliteFileIdentity.of(file);
    } catch (err) {
      db?.close();
      throw damagedFileError(file, err) ?? this.failure('open', err);
    }
    this.db = db;
    this.sql = this.prepare();
    this.facts = new SqliteCategoryFacts(this.db);
    this.stories = new SqliteStoryIndex(this.db, file);
  }

  private prepare() {
    const db = this.db;
    return {
      insertClaim: db.prepare<[string, number, number, string, string, string | null, string | null, number | null]>(SQLITE_STORE_SQL.insertClaim),
      getClaim: db.prepare<[string], ClaimRow>(SQLITE_STORE_SQL.getClaim),
      touchClaim: db.prepare<[number, string, string, string]>(SQLITE_STORE_SQL.touchClaim),
      setHashes: db.prepare<[string, string]>(SQLITE_STORE_SQL.setHashes),
      recordSave: db.prepare<[string, string, number, string]>(SQLITE_STORE_SQL.recordSave),
      recordWork: db.prepare<[string, number, string]>(SQLITE_STORE_SQL.recordWork),
      pendingBefore: db.prepare<[number, number], { key: string; work: string }>(SQLITE_STORE_SQL.pendingBefore),
      markQueued: db.prepare<[number, string]>(SQLITE_STORE_SQL.markQueued),
      countSourceItems: db.prepare<[string, number]>(SQLITE_STORE_SQL.countSourceItems),
      getItem: db.prepare<[string], ItemRow>(SQLITE_STORE_SQL.getItem),
      upsertItem: db.prepare<[string, number, string, number, string]>(SQLITE_STORE_SQL.upsertItem),
      setItemDoc: db.prepare<[string, string]>(SQLITE_STORE_SQL.setItemDoc),
      indexCategory: db.prepare<[string, string, number]>(SQLITE_STORE_SQL.indexCategory),
      newest: db.prepare<[number], ItemRow>(SQLITE_STORE_SQL.newest),
      newestAfter: db.prepare<[number, string, number], ItemRow>(SQLITE_STORE_SQL.newestAfter),
      newestIn: db.prepare<[string, number], ItemRow>(SQLITE_STORE_SQL.newestIn),
      newestInAfter: db.prepare<[string, number, string, number], ItemRow>(SQLITE_STORE_SQL.newestInAfter),
      getSource: db.prepare<[string], SourceRow>(SQLITE_STORE_SQL.getSource),
      putSource: db.prepare<[string, string]>(SQLITE_STORE_SQL.putSource),
      listSources: db.prepare<[], SourceRow>(SQLITE_STORE_SQL.listSources),
      prunableByCategory: db.prepare<[number, number], { category: string; n: number }>(SQLITE_STORE_SQL.prunableByCategory),
      unindexPrunable: db.prepare<[number, number]>(SQLITE_STORE_SQL.unindexPrunable),
      deletePrunable: db.prepare<[number, number]>(SQLITE_STORE_SQL.deletePrunable),
      forgetClaims: db.prepare<[number]>(SQLITE_STORE_SQL.forgetClaims),
      putRendered: db.prepare<[string, string, Buffer, Buffer, Buffer, string, string]>(SQLITE_STORE_SQL.putRendered),
      getRendered: db.prepare<[string], RenderedRow>(SQLITE_STORE_SQL.getRendered),
      deleteRendered: db.prepare<[string]>(SQLITE_STORE_SQL.deleteRendered),
      renderedEtags: db.prepare<[], { name: string; etag: string }>(SQLITE_STORE_SQL.renderedEtags),
      acquireLease: db.prepare<[string, string, number, number]>(SQLITE_STORE_SQL.acquireLease),
      releaseLease: db.prepare<[string, string]>(SQLITE_STORE_SQL.releaseLease),
    };
  }

  /**
   * Answers when the connection works and the path still holds the file that was
   * opened (not deleted, replaced or overwritten); otherwise rejects, logging an error
   * naming the file the first time.
   */
  async ping(): Promise<void> {
    const problem = this.identity ? await this.identity.problem() : null;
    if (problem !== null) {
      if (this.fileProblem !== problem) this.log?.error({ file: this.file, problem }, 'sqlite store file lost: not ready');
      this.fileProblem = problem;
      throw new FinewsError('store-unavailable', `sqlite store ${this.file}: ${problem}; what is written now is lost at restart`, {
        retryable: false,
      });
    }
    if (this.fileProblem !== null) this.log?.info({ file: this.file }, 'sqlite store file back');
    this.fileProblem = null;
    this.run('ping', () => this.db.prepare('SELECT 1').get());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async claim(key: string, sourceId: string, categories: string[], work?: PendingWork): Promise<ClaimResult> {
    const [result] = await this.claimMany([{ key, sourceId, categories, ...(work ? { work } : {}) }]);
    if (!result) throw new Error('sqlite store: claim answered nothing');
    return result;
  }

  async claimMany(entries: readonly ClaimEntry[]): Promise<ClaimResult[]> {
    if (entries.length === 0) return [];
    const tx = this.db.transaction((): ClaimResult[] => {
      const nowMs = this.now().getTime();
      const batch = new WriteBatch();
      const results = entries.map((entry) => this.claimOne(entry, nowMs, batch));
      this.writeBatch(batch);
      return results;
    });
    return this.run(entries.length === 1 ? 'claim' : 'claimMany', () => tx.immediate(), entries.length === 1 ? entries[0]?.key : undefined);
  }

  /** One claim inside the caller's transaction; writes only what changes. */
  private claimOne({ key, sourceId, categories, work, hash }: ClaimEntry, nowMs: number, batch: WriteBatch): ClaimResult {
    const claimRow = this.sql.getClaim.get(key);
    const row = this.sql.getItem.get(key);
    const stored = row ? parseItem(row) : null;
    const merge = mergeClaim(claimRow ? toClaimRecord(claimRow) : null, stored, sourceId, categories);
    const sources = JSON.stringify(merge.claim.sources);
    const cats = JSON.stringify(merge.claim.categories);
    const hashes = mergeHash(claimRow?.hashes ? (JSON.parse(claimRow.hashes) as Record<string, string>) : null, sourceId, hash, stored !== null);
    const hashesJson = hashes.hashes ? JSON.stringify(hashes.hashes) : null;
    const isNew = !claimRow && !stored;
    // Claimed before, yet no item ever saved: that key's article work was lost.
    const pending = !stored && claimRow !== undefined && claimRow.saved_ms === null;
    const changed = hashes.changed ? ({ changed: true } as const) : {};
    const workJson = !work ? null : isNew || pending ? JSON.stringify(work) : hashes.changed ? JSON.stringify({ ...work, changed: true }) : null;
    // A new claim is written with its work in one row, not inserted and then updated.
    if (!claimRow) this.sql.insertClaim.run(key, nowMs, nowMs, sources, cats, hashesJson, workJson, workJson === null ? null : nowMs);
    else {
      // A claim that learns nothing refreshes its last-seen time only once it is a day old.
      if (merge.claimChanged || nowMs - claimRow.seen_ms >= SEEN_REFRESH_MS) this.sql.touchClaim.run(nowMs, sources, cats, key);
      if (hashesJson !== null) this.sql.setHashes.run(hashesJson, key);
      if (workJson !== null) this.sql.recordWork.run(workJson, nowMs, key);
    }
    batch.countSourceItems(merge.addedSources);

    if (!row || !stored || !merge.item) return { isNew, changedCategories: [], pending, ...changed };
    const merged: Item = { ...stored, categories: merge.item.categories, sources: merge.item.sources };
    this.sql.setItemDoc.run(encodeItem(merged), key);
    this.indexItem(merged, row.published_ms, batch);
    return { isNew: false, changedCategories: withAll(merged.categories), pending: false, ...changed };
  }

  async takePendingClaims(olderThan: Date, limit: number, now: Date): Promise<PendingClaim[]> {
    const tx = this.db.transaction((): PendingClaim[] => {
      const rows = this.sql.pendingBefore.all(olderThan.getTime(), Math.max(0, Math.floor(limit)));
      for (const row of rows) this.sql.markQueued.run(now.getTime(), row.key);
      return rows.map((row) => ({ key: row.key, work: JSON.parse(row.work) as PendingWork }));
    });
    return this.run('takePendingClaims', () => tx.immediate());
  }

  async saveItem(item: Item): Promise<string[]> {
    return this.saveBatch('saveItem', [item], item.key);
  }

  async saveItems(items: readonly Item[]): Promise<string[]> {
    return this.saveBatch('saveItems', items);
  }

  /** Saves `items` in order in one IMMEDIATE transaction; the union of their changed categories. */
  private saveBatch(op: string, items: readonly Item[], key?: string): string[] {
    if (items.length === 0) return [];
    // Refused before anything is written: one bad date fails the batch, not half of it.
    const millis = items.map((item) => ({ publishedMs: itemMillis(item, 'publishedAt'), storedMs: itemMillis(item, 'storedAt') }));
    const tx = this.db.transaction((): string[] => {
      const nowMs = this.now().getTime();
      const changed = new Set<string>();
      const batch = new WriteBatch();
      items.forEach((item, i) => {
        for (const slug of this.saveOne(item, millis[i] as (typeof millis)[number], nowMs, batch)) changed.add(slug);
      });
      this.writeBatch(batch);
      return [...changed];
    });
    return this.run(op, () => tx.immediate(), key);
  }

  /** One save inside the caller's transaction; writes only what changes. */
  private saveOne(item: Item, incoming: { publishedMs: number; storedMs: number }, nowMs: number, batch: WriteBatch): string[] {
    const row = this.sql.getItem.get(item.key);
    const existing = row ? parseItem(row) : null;
    const claimRow = this.sql.getClaim.get(item.key);
    const claim = claimRow ? toClaimRecord(claimRow) : null;
    const merged = mergeItem(item, existing, claim);
    const doc = encodeItem(merged);
    const after = claimAfterSave(claim, merged);
    const claimSettled =
      claimRow !== undefined && claim !== null && claimRow.saved_ms !== null && claimRow.has_work === 0 &&
      after.addedSources.length === 0 && sameList(after.categories, claim.categories);
    // The same item saved again, with nothing new for its claim: nothing to write.
    if (row && claimSettled && row.doc === doc) return withAll(merged.categories);

    const publishedMs = row?.published_ms ?? incoming.publishedMs;
    const storedMs = row?.stored_ms ?? incoming.storedMs;
    const sources = JSON.stringify(after.sources);
    const cats = JSON.stringify(after.categories);
    if (!claimRow) this.sql.insertClaim.run(item.key, nowMs, nowMs, sources, cats, null, null, null);
    batch.countSourceItems(after.addedSources);
    this.sql.recordSave.run(sources, cats, nowMs, item.key);

    this.sql.upsertItem.run(item.key, publishedMs, merged.publishedAt, storedMs, doc);
    this.indexItem(merged, publishedMs, batch);
    return withAll(merged.categories);
  }

  async getItem(key: string): Promise<Item | null> {
    const row = this.run('getItem', () => this.sql.getItem.get(key), key);
    return row ? parseItem(row) : null;
  }

  async listItems(query: ItemQuery): Promise<ItemPage> {
    const after = query.before ? decodeCursor(query.before) : null;
    const limit = pageSize(query.limit);
    const category = query.category === undefined || query.category === ALL_SLUG ? null : query.category;
    const rows = this.run('listItems', () => {
      if (category === null) {
        return after ? this.sql.newestAfter.all(after.ms, after.key, limit + 1) : this.sql.newest.all(limit + 1);
      }
      return after
        ? this.sql.newestInAfter.all(category, after.ms, after.key, limit + 1)
        : this.sql.newestIn.all(category, limit + 1);
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(parseItem),
      next: rows.length > limit && last ? encodeCursor({ ms: last.published_ms, key: last.key }) : null,
    };
  }

  async listCategories(): Promise<CategoryInfo[]> {
    return this.run('listCategories', () => this.facts.list()).map((r) => ({
      slug: r.slug,
      count: r.count,
      updated: r.updated,
      ...(r.publisher ? { publisher: r.publisher } : {}),
    }));
  }

  async getSourceState(id: string): Promise<SourceState | null> {
    const row = this.run('getSourceState', () => this.sql.getSource.get(id));
    return row ? parseSource(row) : null;
  }

  async putSourceState(state: SourceState): Promise<void> {
    const { items: _ignored, ...rest } = state;
    this.run('putSourceState', () => this.sql.putSource.run(state.id, JSON.stringify(rest)));
  }

  async listSourceStates(): Promise<SourceState[]> {
    return this.run('listSourceStates', () => this.sql.listSources.all()).map(parseSource);
  }

  async prune(itemsBefore: Date, claimsBefore: Date): Promise<PruneResult> {
    const itemsMs = itemsBefore.getTime();
    const claimsMs = claimsBefore.getTime();
    const tx = this.db.transaction((): PruneResult & { forgotten: number } => {
      const leaving = this.sql.prunableByCategory.all(itemsMs, itemsMs);
      this.sql.unindexPrunable.run(itemsMs, itemsMs);
      const removed = this.sql.deletePrunable.run(itemsMs, itemsMs).changes;
      for (const { category, n } of leaving) this.facts.noteRemoved(category, n);
      const forgotten = this.sql.forgetClaims.run(claimsMs).changes;
      this.stories.pruneNow(itemsMs);
      const categories = leaving.map((r) => r.category).sort();
      return { removed, forgotten, changedCategories: removed > 0 ? withAll(categories) : [] };
    });
    const { forgotten, ...result } = this.run('prune', () => tx.immediate());
    this.log?.debug({ file: this.file, removed: result.removed, forgottenClaims: forgotten }, 'sqlite store pruned');
    return result;
  }

  async putRendered(name: string, doc: RenderedDoc): Promise<void> {
    this.run('putRendered', () =>
      this.sql.putRendered.run(name, doc.contentType, doc.body, doc.gzip, doc.br, doc.etag, doc.lastModified),
    );
  }

  async acquireLease(name: string, ttlMs: number, owner?: string): Promise<string | null> {
    const token = owner ?? randomUUID();
    const now = this.now().getTime();
    const { changes } = this.run('acquireLease', () => this.sql.acquireLease.run(name, token, now + ttlMs, now));
    return changes === 1 ? token : null;
  }

  async releaseLease(name: string, token: string): Promise<void> {
    this.run('releaseLease', () => this.sql.releaseLease.run(name, token));
  }

  async deleteRendered(name: string): Promise<void> {
    this.run('deleteRendered', () => this.sql.deleteRendered.run(name));
  }

  async renderedEtags(): Promise<Map<string, string>> {
    const rows = this.run('renderedEtags', () => this.sql.renderedEtags.all());
    return new Map(rows.map((r) => [r.name, r.etag]));
  }

  async getRendered(name: string): Promise<RenderedDoc | null> {
    const row = this.run('getRendered', () => this.sql.getRendered.get(name));
    if (!row) return null;
    return {
      contentType: row.content_type,
      body: row.body,
      gzip: row.gzip,
      br: row.br,
      etag: row.etag,
      lastModified: row.last_modified,
    };
  }

  /** Indexes a written item under each of its categories; their facts are kept when `batch` is written. */
  private indexItem(item: Item, publishedMs: number, batch: WriteBatch): void {
    for (const c of item.categories) {
      const added = this.sql.indexCategory.run(c, item.key, publishedMs).changes === 1;
      batch.categories.note(c, item, publishedMs, added);
    }
  }

  /** Writes what a batch of claims or saves left to the end of its transaction: source counts, category facts. */
  private writeBatch(batch: WriteBatch): void {
    for (const [id, n] of batch.sourceItems) this.sql.countSourceItems.run(id, n);
    this.facts.write(batch.categories);
  }

  /** Runs one database operation, turning driver errors into FinewsErrors. */
  private run<T>(op: string, fn: () => T, key?: string): T {
    try {
      return fn();
    } catch (err) {
      throw this.failure(key === undefined ? op : `${op} ${key}`, err);
    }
  }

  private failure(op: string, err: unknown): FinewsError {
    const code = (err as { code?: unknown } | null)?.code;
    const transient = typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR)/.test(code);
    return storeFailure(`sqlite store ${this.file}`, op, err, transient);
  }
}

/**
 * What the items of one claim or save batch add to per-source and per-category totals,
 * written once per source and category at the end of the batch's transaction.
 */
class WriteBatch {
  /** Items newly counted for each source. */
  readonly sourceItems = new Map<string, number>();
  readonly categories = new CategoryNotes();

  countSourceItems(sourceIds: readonly string[]): void {
    for (const id of sourceIds) this.sourceItems.set(id, (this.sourceItems.get(id) ?? 0) + 1);
  }
}

function toClaimRecord(row: ClaimRow): ClaimRecord {
  return { sources: JSON.parse(row.sources) as string[], categories: JSON.parse(row.categories) as string[] };
}

function parseItem(row: ItemRow): Item {
  return decodeItem(row.doc);
}

function parseSource(row: SourceRow): SourceState {
  const state = row.state === null ? { consecutiveFailures: 0 } : (JSON.parse(row.state) as Omit<SourceState, 'items'>);
  return { ...state, id: row.id, items: row.items };
}
