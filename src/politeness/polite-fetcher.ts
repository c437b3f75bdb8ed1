import { FetchError, type FetchUrl } from '../pipeline/ports.js';
import type { Fetcher, HostLimiter } from '../pipeline/ports.js';
import type { Logger } from '../util/log.js';

export interface PoliteFetcherOptions {
  /**
   * Longest pause a Retry-After may put on a host. A server asking for a day would
   * otherwise stall every source and article on it; refreshSource still honours the
   * full Retry-After for the source's own next run.
   * @defaultValue 600_000 (10 min)
   */
  maxPauseMs?: number;
  /** Where a failed pause is reported. */
  log?: Logger;
}

/** Statuses whose Retry-After means "this host wants less traffic". */
const PAUSING_STATUSES = new Set([429, 503]);

/**
 * The pipeline's Fetcher: every request runs under the host limiter (per-host
 * concurrency and spacing) and a 429/503 with Retry-After pauses that host before
 * the error is rethrown to the caller.
 *
 * The slot is taken for the hostname of the URL asked for; redirect hops happen
 * inside `fetchFn` and run under that same slot, so a redirect to another host is
 * not limited separately (and a Retry-After from the last hop pauses the first host).
 */
export function createPoliteFetcher(limiter: HostLimiter, fetchFn: FetchUrl, opts: PoliteFetcherOptions = {}): Fetcher {
  const maxPauseMs = opts.maxPauseMs ?? 600_000;
  return {
    async fetch(req) {
      const host = hostOf(req.url);
      // An unparsable URL gets no slot; fetchFn rejects it with a 'bad-url' error.
      if (host === undefined) return fetchFn(req);
      try {
        return await limiter.run(host, () => fetchFn(req));
      } catch (err) {
        if (err instanceof FetchError && err.status !== undefined && PAUSING_STATUSES.has(err.status) && (err.retryAfterMs ?? 0) > 0) {
          const ms = Math.min(err.retryAfterMs ?? 0, maxPauseMs);
          // The fetch error is what the caller needs to see; a failed pause must not replace it.
          await limiter.pause(host, ms).catch((pauseErr: unknown) => opts.log?.warn({ err: pauseErr, host, url: req.url, ms }, 'cannot pause host after Retry-After'));
        }
        throw err;
      }
    },
  };
}

function hostOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname;
    return host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}
