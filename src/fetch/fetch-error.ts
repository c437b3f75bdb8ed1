import { FinewsError, type ErrorCode, type FinewsErrorOptions } from '../errors.js';

export interface FetchErrorOptions extends FinewsErrorOptions {
  /** HTTP status of the response that failed ('http-status' errors). */
  status?: number;
  /** How long the server asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
}

/**
 * A failed HTTP fetch. `code` says what went wrong ('timeout', 'too-large', 'http-status', 'dns',
 * 'refused', 'blocked-address', 'bad-url', 'too-many-redirects', 'network'); `retryable` says
 * whether trying again later can help.
 */
export class FetchError extends FinewsError {
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, opts: FetchErrorOptions = {}) {
    super(code, message, opts);
    this.name = 'FetchError';
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

/** True for HTTP statuses worth retrying later: 408, 425, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}
