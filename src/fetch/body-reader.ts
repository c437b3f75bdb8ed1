import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

/** Raised inside the body pipeline when a byte cap is crossed; the fetcher turns it into 'too-large'. */
export class BodyTooLargeError extends Error {
  readonly limit: number;
  readonly stage: 'wire' | 'decoded';

  constructor(limit: number, stage: 'wire' | 'decoded') {
    super(`body exceeds ${limit} bytes (${stage === 'wire' ? 'as sent' : 'after decompression'})`);
    this.name = 'BodyTooLargeError';
    this.limit = limit;
    this.stage = stage;
  }
}

/** Raised for a Content-Encoding we cannot undo. */
export class UnsupportedEncodingError extends Error {
  constructor(encoding: string) {
    super(`unsupported Content-Encoding "${encoding}"`);
    this.name = 'UnsupportedEncodingError';
  }
}

/** Passes bytes through and fails the moment more than `limit` have gone by. */
class ByteLimit extends Transform {
  private seen = 0;

  constructor(
    private readonly limit: number,
    private readonly stage: 'wire' | 'decoded',
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      cb(new BodyTooLargeError(this.limit, this.stage));
      return;
    }
    cb(null, chunk);
  }
}

// Lenient flushing: like browsers, accept a compressed stream whose trailer is missing.
const zlibOptions: zlib.ZlibOptions = { finishFlush: zlib.constants.Z_SYNC_FLUSH };

/** True when the first bytes look like a zlib (RFC 1950) header rather than raw deflate. */
function looksLikeZlibHeader(chunk: Buffer): boolean {
  const cmf = chunk[0];
  if (cmf === undefined || (cmf & 0x0f) !== 8 || cmf >> 4 > 7) return false;
  const flg = chunk[1];
  return flg === undefined || (cmf * 256 + flg) % 31 === 0;
}

/**
 * "deflate" is meant to be zlib-wrapped (RFC 9110 §8.4.1.2), but some servers send raw deflate.
 * Look at the first bytes and pick the right inflater.
 */
class InflateEither extends Transform {
  private inner: zlib.Inflate | zlib.InflateRaw | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.inner === undefined) {
      const inner = looksLikeZlibHeader(chunk) ? zlib.createInflate(zlibOptions) : zlib.createInflateRaw(zlibOptions);
      inner.on('data', (d: Buffer) => this.push(d));
      inner.on('error', (err) => this.destroy(err));
      this.inner = inner;
    }
    this.inner.write(chunk, () => cb());
  }

  override _flush(cb: TransformCallback): void {
    if (this.inner === undefined) {
      cb();
      return;
    }
    this.inner.once('end', () => cb());
    this.inner.end();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.inner?.destroy();
    cb(err);
  }
}

function decoderFor(encoding: string): Transform | undefined {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(zlibOptions);
    case 'deflate':
      return new InflateEither();
    case 'br':
      return zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
    case 'identity':
    case '':
      return undefined;
    default:
      throw new UnsupportedEncodingError(encoding);
  }
}

/** Closes a body we will not read (and its connection), without an unhandled 'error' event. */
export function abandonBody(body: Readable): void {
  body.on('error', () => {
    // Expected: undici reports the abort we asked for.
  });
  body.destroy();
}

/**
 * Reads a response body to a Buffer, undoing its Content-Encoding (a comma list, applied in order),
 * and fails with BodyTooLargeError as soon as more than `maxBytes` arrive on the wire or come out
 * of the decompressor. Failing destroys `body`, which closes the connection: nothing past the cap
 * is read or kept.
 */
export async function readBody(
  body: Readable,
  contentEncoding: string | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity')
    .reverse();
  let decoders: Transform[];
  try {
    decoders = encodings.map(decoderFor).filter((d): d is Transform => d !== undefined);
  } catch (err) {
    abandonBody(body);
    throw err;
  }

  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const stages: (Readable | Transform | Writable)[] = [body, new ByteLimit(maxBytes, 'wire')];
  if (decoders.length > 0) stages.push(...decoders, new ByteLimit(maxBytes, 'decoded'));
  stages.push(sink);
  await pipeline(stages, { signal });
  return Buffer.concat(chunks);
}
