import { open, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { FinewsError } from '../errors.js';

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** True when `file` names a file on disk (not `:memory:` or a `file:` URI). */
export function isPlainFile(file: string): boolean {
  return file !== ':memory:' && !file.startsWith('file:');
}

/**
 * Runs `PRAGMA quick_check` on a freshly opened database and refuses a damaged one
 * with an error naming the file: a store that starts on a corrupt file fails later,
 * one write at a time, and may lose what it is given.
 */
export function assertIntact(db: Database, file: string): void {
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  if (rows.length === 1 && rows[0]?.quick_check === 'ok') return;
  const found = rows.slice(0, 3).map((r) => r.quick_check).join('; ');
  throw new FinewsError(
    'store-unavailable',
    `sqlite store ${file}: the database file is corrupt (quick_check: ${found}); move it away (finews then starts empty) or restore a backup`,
    { retryable: false },
  );
}

/** Why a database file cannot be opened, for SQLite's "not a database" and "corrupt" errors; else null. */
export function damagedFileError(file: string, err: unknown): FinewsError | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') return null;
  const message = err instanceof Error ? err.message : String(err);
  return new FinewsError(
    'store-unavailable',
    `sqlite store ${file}: the database file is corrupt or not a SQLite database (${message}); move it away (finews then starts empty) or restore a backup`,
    { retryable: false, cause: err },
  );
}

/**
 * The identity (device and inode) of the file a store opened, checked again on every
 * readiness probe: a connection keeps writing to a deleted or replaced file without
 * an error, and everything it writes is gone at the next start.
 */
export class SqliteFileIdentity {
  private constructor(
    private readonly file: string,
    private readonly dev: number,
    private readonly ino: number,
  ) {}

  /** The identity of `file` as opened now; null for in-memory and URI databases. */
  static of(file: string): SqliteFileIdentity | null {
    if (!isPlainFile(file)) return null;
    const st = statSync(file);
    return new SqliteFileIdentity(file, st.dev, st.ino);
  }

  /** Why the path no longer holds the database that was opened, or null while it does. */
  async problem(): Promise<string | null> {
    let st;
    try {
      st = await stat(this.file);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return `the database file is gone (${typeof code === 'string' ? code : String(err)}): it was deleted or moved while open`;
    }
    if (st.dev !== this.dev || st.ino !== this.ino) return 'the database file was replaced by another file since it was opened';
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const handle = await open(this.file, 'r');
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
    if (!head.equals(SQLITE_HEADER)) return 'the database file no longer starts with the SQLite header: it was overwritten';
    return null;
  }
}
