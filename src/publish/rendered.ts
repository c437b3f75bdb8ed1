/**
 * Rendered documents kept ready to serve: bytes in every encoding plus validators.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import { validDate } from './item-date.js';

/** A rendered document kept ready to serve: bytes in each encoding plus validators. */
export interface RenderedDoc {
  contentType: string;
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  /** Strong ETag including quotes, e.g. "\"abc\"". */
  etag: string;
  /** HTTP date; `''` when the document is sent without Last-Modified. */
  lastModified: string;
}

/** A coding a document can be compressed in. */
export type Compression = 'br' | 'gzip';

// zlib's callback API runs on the libuv threadpool, so publishing never blocks serving.
const gzipAsync = promisify<Buffer, ZlibOptions, Buffer>(gzip);
const brotliAsync = promisify<Buffer, BrotliOptions, Buffer>(brotliCompress);

/**
 * Levels of documents compressed once when published and served many times, chosen with
 * bench/publish-compress.ts on 500-item feeds (RSS 1.4 MB; 2 shared cores, medians):
 * brotli 4 → 97 KB in 9 ms, 5 → 85 KB in 17 ms, 6 → 81 KB in 38 ms, 9 → 75 KB in 74 ms,
 * 11 → 65 KB in 5.8 s; gzip 6 → 102 KB in 11 ms, 9 → 98 KB in 15 ms. Brotli 5 is the
 * last step that buys a large cut (13% below 4) for a small time; each step after it
 * doubles the time for 4–8%, and a worker publishes every second or so under load.
 * gzip serves only readers without br, so its cheaper level wins too. Bodies compressed
 * for one response (pages, API JSON) use the same levels.
 */
const LEVELS = { gzip: 6, br: 5 } as const;

/**
 * Window bits of brotli for a body of `length` bytes: the smallest window that holds the
 * whole body (a window larger than the input finds nothing more), never above brotli's
 * default 22. The encoder allocates its ring buffer by the window, so a 200 KB feed
 * document needs 256 KB rather than 4 MB while compressed, and the same bytes come out
 * apart from the window size in the stream header.
 */
function brotliWindowBits(length: number): number {
  let bits = constants.BROTLI_MIN_WINDOW_BITS;
  // Brotli's window holds (1 << bits) - 16 bytes.
  while (bits < constants.BROTLI_DEFAULT_WINDOW && (1 << bits) - 16 < length) bits++;
  return bits;
}

function brotliOptions(body: Buffer, quality: number): BrotliOptions {
  return {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      [constants.BROTLI_PARAM_LGWIN]: brotliWindowBits(body.length),
    },
  };
}

/** `body` compressed in `coding` for one response, on the calling thread. */
export function compressOnRequest(body: Buffer, coding: Compression): Buffer {
  if (coding === 'gzip') return gzipSync(body, { level: LEVELS.gzip });
  return brotliCompressSync(body, brotliOptions(body, LEVELS.br));
}

/**
 * A strong ETag of `body`: the base64url SHA-256 of its bytes, quoted, so it changes
 * exactly when the bytes do, whatever the encoding served.
 */
export function strongEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/** A rendered body as UTF-8 bytes with its ETag: enough to tell whether it changed. */
export interface RenderedBody {
  body: Buffer;
  etag: string;
}

/** The UTF-8 bytes of `text` and their {@link strongEtag}. */
export function renderedBody(text: string | Buffer): RenderedBody {
  const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return { body, etag: strongEtag(body) };
}

/**
 * Completes a rendered body into a document to store: gzip and brotli (text mode) copies
 * at the stored levels, compressed concurrently off the event loop, and `lastModified` as
 * an HTTP date (the epoch when `lastModified` is an invalid Date).
 */
export async function encodeRendered(rendered: RenderedBody, contentType: string, lastModified: Date): Promise<RenderedDoc> {
  return encodeRenderedWith(rendered, contentType, validDate(lastModified).toUTCString());
}

/**
 * {@link encodeRendered} with `lastModified` given as an HTTP date, or `''` for a document
 * sent without Last-Modified (a page built from nothing dated).
 */
export async function encodeRenderedWith(rendered: RenderedBody, contentType: string, lastModified: string): Promise<RenderedDoc> {
  const { body, etag } = rendered;
  const [gz, br] = await Promise.all([
    gzipAsync(body, { level: LEVELS.gzip }),
    brotliAsync(body, brotliOptions(body, LEVELS.br)),
  ]);
  return { contentType, body, gzip: gz, br, etag, lastModified };
}

/**
 * Encodes a rendered document once for every request: UTF-8 bytes, gzip and brotli
 * copies, a strong ETag from the SHA-256 of the body (so it changes exactly when the
 * bytes do, whatever the encoding served), and `lastModified` as an HTTP date.
 */
export async function toRenderedDoc(text: string | Buffer, contentType: string, lastModified: Date): Promise<RenderedDoc> {
  return encodeRendered(renderedBody(text), contentType, lastModified);
}
