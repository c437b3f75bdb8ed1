import { FinewsError } from '../errors.js';

/**
 * A position in the newest-first item order: (publishedAt epoch ms desc, key desc).
 * A page that starts from a cursor holds only items strictly after this position.
 */
export interface CursorPosition {
  /** publishedAt of the last item of the previous page, epoch milliseconds. */
  ms: number;
  /** Key of the last item of the previous page. */
  key: string;
}

/**
 * Thrown for a `before` cursor this store did not make (malformed, truncated, edited).
 * A FinewsError with code 'bad-cursor' (answered 400) and `kind: 'invalid-cursor'`, so the
 * HTTP layer can tell it apart without matching on messages.
 */
export class InvalidCursorError extends FinewsError {
  readonly kind = 'invalid-cursor' as const;
  readonly cursor: string;

  constructor(cursor: string, reason: string) {
    super('bad-cursor', `store: invalid cursor ${JSON.stringify(cursor.slice(0, 80))}: ${reason}`);
    this.name = 'InvalidCursorError';
    this.cursor = cursor;
  }
}

/** True when `err` is an InvalidCursorError. */
export function isInvalidCursorError(err: unknown): err is InvalidCursorError {
  return err instanceof InvalidCursorError;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MILLIS = /^-?\d{1,16}$/;

/** Encodes a position as an opaque cursor: base64url of `<ms>.<key>`. */
export function encodeCursor(pos: CursorPosition): string {
  return Buffer.from(`${pos.ms}.${pos.key}`, 'utf8').toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; throws InvalidCursorError otherwise. */
export function decodeCursor(cursor: string): CursorPosition {
  if (!BASE64URL.test(cursor)) throw new InvalidCursorError(cursor, 'not base64url');
  const bytes = Buffer.from(cursor, 'base64url');
  // Node's decoder skips stray characters and padding; only accept what we would have written.
  if (bytes.toString('base64url') !== cursor) throw new InvalidCursorError(cursor, 'not base64url');
  const text = bytes.toString('utf8');
  const dot = text.indexOf('.');
  if (dot < 0) throw new InvalidCursorError(cursor, 'no position');
  const msText = text.slice(0, dot);
  const key = text.slice(dot + 1);
  if (!MILLIS.test(msText)) throw new InvalidCursorError(cursor, 'bad timestamp');
  const ms = Number(msText);
  if (!Number.isSafeInteger(ms)) throw new InvalidCursorError(cursor, 'bad timestamp');
  if (key.length === 0 || key.includes('\uFFFD')) throw new InvalidCursorError(cursor, 'bad key');
  return { ms, key };
}

/**
 * True when (ms, key) comes strictly after `pos` in the newest-first order. Keys
 * compare by their UTF-8 bytes, as SQLite's BINARY collation and Redis sorted sets do.
 */
export function isAfter(ms: number, key: string, pos: CursorPosition): boolean {
  if (ms !== pos.ms) return ms < pos.ms;
  return Buffer.compare(Buffer.from(key, 'utf8'), Buffer.from(pos.key, 'utf8')) < 0;
}
