import type { Database } from 'better-sqlite3';
import { FinewsError } from '../errors.js';
import { SqliteCategoryFacts } from './sqlite-category-facts.js';
import { STORY_INDEX_SCHEMA } from './sqlite-stories.js';

/** One schema step: SQL to run, or a function for steps that need the store's rules in TypeScript. */
export type Migration = string | ((db: Database) => void);

/**
 * Schema migrations of the SQLite store, in order. Migration N (1-based) moves a
 * database from `user_version` N-1 to N. Append; never edit a released one.
 */
export const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE items (
    key          TEXT PRIMARY KEY,
    published_ms INTEGER NOT NULL,
    published_at TEXT NOT NULL,
    stored_ms    INTEGER NOT NULL,
    doc          TEXT NOT NULL          -- the whole Item as JSON, categories and sources merged
  );
  CREATE INDEX items_newest ON items (published_ms DESC, key DESC);

  CREATE TABLE item_categories (
    category     TEXT NOT NULL,
    key          TEXT NOT NULL,
    published_ms INTEGER NOT NULL,
    PRIMARY KEY (category, key)
  ) WITHOUT ROWID;
  CREATE INDEX item_categories_newest ON item_categories (category, published_ms DESC, key DESC);
  CREATE INDEX item_categories_key ON item_categories (key);

  -- One row per key ever claimed; outlives the item so a pruned item is not ingested again.
  CREATE TABLE claims (
    key        TEXT PRIMARY KEY,
    first_ms   INTEGER NOT NULL,
    seen_ms    INTEGER NOT NULL,
    sources    TEXT NOT NULL,           -- JSON array, first-seen order
    categories TEXT NOT NULL            -- JSON array, first-seen order
  );
  CREATE INDEX claims_seen ON claims (seen_ms);

  CREATE TABLE sources (
    id    TEXT PRIMARY KEY,
    state TEXT,                         -- SourceState JSON without items; NULL until first put
    items INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE rendered (
    name          TEXT PRIMARY KEY,
    content_type  TEXT NOT NULL,
    body          BLOB NOT NULL,
    gzip          BLOB NOT NULL,
    br            BLOB NOT NULL,
    etag          TEXT NOT NULL,
    last_modified TEXT NOT NULL
  );
  `,
  // 2: a claim remembers whether an item was ever saved for its key, so a claim whose
  // article work was lost can be told from one whose item was saved (and maybe pruned).
  // NULL: never saved. Claims from schema 1 take their item's stored_ms, or 0 when the
  // item is gone: a pruned item and lost work look alike there, and re-ingesting a
  // pruned item is the worse mistake, so such claims count as saved.
  `
  ALTER TABLE claims ADD COLUMN saved_ms INTEGER;
  UPDATE claims SET saved_ms = COALESCE((SELECT i.stored_ms FROM items i WHERE i.key = claims.key), 0);
  `,
  // 3: short leases shared by processes on one file (e.g. one refresh per source at a time).
  `
  CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    token      TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
  );
  `,
  // 4: a claim keeps its article work (JSON) until an item is saved, and when that work
  // was last handed out, so lost work is queued again without waiting for the source.
  // Only claims with work are indexed, so a sweep reads nothing else.
  `
  ALTER TABLE claims ADD COLUMN work TEXT;
  ALTER TABLE claims ADD COLUMN queued_ms INTEGER;
  CREATE INDEX claims_pending ON claims (queued_ms) WHERE work IS NOT NULL;
  `,
  // 5: per-category facts kept on every write, so listing categories reads one row per
  // category instead of grouping every item (quadratic with a correlated subquery).
  // `publisher` follows categoryPublisher() of the newest item; `count` is 0 only
  // transiently inside a write.
  (db) => {
    db.exec(`
      CREATE TABLE categories (
        slug       TEXT PRIMARY KEY,
        count      INTEGER NOT NULL,
        newest_ms  INTEGER NOT NULL,
        newest_key TEXT NOT NULL,
        updated    TEXT NOT NULL,         -- the newest item's publishedAt as stored
        publisher  TEXT                   -- NULL: not a publisher's category
      ) WITHOUT ROWID;
    `);
    new SqliteCategoryFacts(db).rebuild();
  },
  // 6: the story index: fingerprints by LSH band, and each article's story.
  STORY_INDEX_SCHEMA,
  // 7: rendered names with their ETags in an index, so a serving process learns what
  // changed without reading bodies (the ETag column sits after three blobs in the row).
  'CREATE INDEX rendered_etags ON rendered (name, etag);',
  // 8: per source, a hash of the item as that source last sent it (JSON object), so an
  // article that changes at its source is fetched again. NULL: no hash recorded yet.
  `
  ALTER TABLE claims ADD COLUMN hashes TEXT;
  `,
];

/**
 * Runs migration `version` (1-based) alone, outside any version bookkeeping. For
 * {@link migrate}, and for tests that build a file as an older finews left it.
 */
export function runMigration(db: Database, version: number): void {
  const step = MIGRATIONS[version - 1];
  if (step === undefined) throw new RangeError(`sqlite store: no migration ${version}`);
  if (typeof step === 'string') db.exec(step);
  else step(db);
}

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database to {@link SCHEMA_VERSION}. Runs in one IMMEDIATE transaction so
 * two processes opening a fresh file at once do not both migrate it. Returns the
 * version found before migrating.
 */
export function migrate(db: Database, file: string): number {
  const run = db.transaction(() => {
    const found = db.pragma('user_version', { simple: true }) as number;
    if (found > SCHEMA_VERSION) {
      throw new FinewsError(
        'store-unavailable',
        `sqlite store ${file}: schema version ${found} is newer than this finews understands (${SCHEMA_VERSION})`,
      );
    }
    for (let v = found; v < SCHEMA_VERSION; v++) runMigration(db, v + 1);
    if (found !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return found;
  });
  return run.immediate();
}
