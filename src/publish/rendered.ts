/**
 * Rendered documents kept ready to serve: bytes in every encoding plus validators.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { validDate } from './item-date.js';

/** A rendered document kept ready to serve: bytes in each encoding plus validators. */
export interface RenderedDoc {
  contentType: string;
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  /** Strong ETag including quotes, e.g. "\"abc\"". */
  etag: string;
  /** HTTP date. */
  lastModified: string;
}

/** The `Content-Type` of each kind of document. */
export const CONTENT_TYPES = {
  /** RSS 2.0 feeds. */
  rss: 'application/rss+xml; charset=utf-8',
  /** Atom 1.0 feeds. */
  atom: 'application/atom+xml; charset=utf-8',
  /** JSON Feed 1.1 feeds. */
  json: 'application/feed+json; charset=utf-8',
  /** The OPML subscription list. */
  opml: 'text/x-opml; charset=utf-8',
  /** HTML pages. */
  html: 'text/html; charset=utf-8',
} as const;

/**
 * How hard to compress: `stored` for documents encoded once and served many times,
 * `on-request` for bodies compressed for each response.
 */
export type CompressionEffort = 'stored' | 'on-request';

const LEVELS: Record<CompressionEffort, { gzip: number; br: number }> = {
  stored: { gzip: 9, br: 9 },
  // Brotli 5 is close to gzip's speed with better ratios.
  'on-request': { gzip: 6, br: 5 },
};

/** `body` compressed in `coding` at the levels of `effort`; brotli in text mode with a size hint. */
export function compress(body: Buffer, coding: 'br' | 'gzip', effort: CompressionEffort): Buffer {
  const levels = LEVELS[effort];
  if (coding === 'gzip') return gzipSync(body, { level: levels.gzip });
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: levels.br,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}

/**
 * A strong ETag of `body`: the base64url SHA-256 of its bytes, quoted, so it changes
 * exactly when the bytes do, whatever the encoding served.
 */
export function strongEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * Encodes a rendered document once for every request: UTF-8 bytes, gzip (level 9) and
 * brotli (quality 9, text mode) copies, a strong ETag from the SHA-256 of the body (so
 * it changes exactly when the bytes do, whatever the encoding served), and
 * `lastModified` as an HTTP date (the epoch when `lastModified` is an invalid Date).
 */
export function toRenderedDoc(text: string | Buffer, contentType: string, lastModified: Date): RenderedDoc {
  const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return {
    contentType,
    body,
    gzip: compress(body, 'gzip', 'stored'),
    br: compress(body, 'br', 'stored'),
    etag: strongEtag(body),
    lastModified: validDate(lastModified).toUTCString(),
  };
}
