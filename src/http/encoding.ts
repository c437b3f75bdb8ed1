import { compressOnRequest } from '../publish/rendered.js';

/** A content coding finews can send. */
export type ContentCoding = 'br' | 'gzip' | 'identity';

/** Bodies at or below this size are sent uncompressed: the coding overhead is not worth it. */
export const COMPRESS_MIN_BYTES = 1024;

/**
 * Picks the coding to send for an `Accept-Encoding` header (RFC 9110 §12.5.3).
 * The highest q-value wins; on a tie br is preferred over gzip. `q=0` refuses a
 * coding, `*` stands for codings not named, and `x-gzip` is gzip. Without the
 * header, or when nothing compressed is acceptable, the body is sent as is.
 */
export function chooseEncoding(acceptEncoding: string | undefined): ContentCoding {
  if (acceptEncoding === undefined || acceptEncoding.trim() === '') return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [rawName, ...params] = part.split(';');
    const name = rawName?.trim().toLowerCase();
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m?.[1] !== undefined) {
        const n = Number(m[1]);
        weight = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      }
    }
    const key = name === 'x-gzip' ? 'gzip' : name;
    // When a coding is named twice, the more permissive entry counts.
    q.set(key, Math.max(q.get(key) ?? 0, weight));
  }
  const star = q.get('*');
  const weightOf = (c: 'br' | 'gzip'): number => q.get(c) ?? star ?? 0;
  const br = weightOf('br');
  const gz = weightOf('gzip');
  if (br <= 0 && gz <= 0) return 'identity';
  return br >= gz ? 'br' : 'gzip';
}

/**
 * Compresses a body produced on request (HTML pages, API JSON) in `coding`, at the
 * on-request levels (gzip 6, brotli 5); the pre-rendered feeds carry the encodings
 * made when they were published instead.
 */
export function compressBody(body: Buffer, coding: ContentCoding): Buffer {
  return coding === 'identity' ? body : compressOnRequest(body, coding);
}
