/**
 * The catalogue of finews errors. Every error that crosses a module boundary is a
 * FinewsError with a stable `code` and a `retryable` flag; workers map non-retryable
 * errors to BullMQ's UnrecoverableError.
 */
export type ErrorCode =
  // config
  | 'config-invalid'
  // fetch
  | 'timeout'
  | 'too-large'
  | 'http-status'
  | 'dns'
  | 'refused'
  | 'blocked-address'
  | 'bad-url'
  | 'too-many-redirects'
  | 'network'
  // parse
  | 'not-a-feed'
  | 'not-json'
  | 'items-not-found'
  | 'parse-failed'
  | 'too-complex'
  // store
  | 'store-unavailable'
  // publish
  | 'publish-failed'
  // http
  | 'port-in-use';

export interface FinewsErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** URL the error is about, if any. */
  url?: string;
  /** Source id the error is about, if any. */
  sourceId?: string;
}

export class FinewsError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly url?: string;
  readonly sourceId?: string;

  constructor(code: ErrorCode, message: string, opts: FinewsErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FinewsError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    if (opts.url !== undefined) this.url = opts.url;
    if (opts.sourceId !== undefined) this.sourceId = opts.sourceId;
  }
}

/** True when `err` is a FinewsError (optionally of one of the given codes). */
export function isFinewsError(err: unknown, ...codes: ErrorCode[]): err is FinewsError {
  return err instanceof FinewsError && (codes.length === 0 || codes.includes(err.code));
}

/** A short one-line description of any thrown value, for logs and status rows. */
export function describeError(err: unknown): string {
  if (err instanceof FinewsError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
