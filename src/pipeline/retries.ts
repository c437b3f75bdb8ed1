/** How a kind of job is retried: attempts, and an exponential backoff with jitter. */
export interface RetryPolicy {
  /** Runs of the job in all, the first included. */
  attempts: number;
  /** Wait before the second run; doubled before each later one. */
  delayMs: number;
  /** Share of each wait taken off at random (0 to 1), so retries of a burst spread out. */
  jitter: number;
}

/**
 * Article work, in both modes: five attempts, waits of 2 s × 2ⁿ less up to half at random
 * (at most 2, 4, 8, 16 s). The last attempt falls back to feed content.
 */
export const ARTICLE_RETRIES: RetryPolicy = { attempts: 5, delayMs: 2000, jitter: 0.5 };

/**
 * Publishing, in Redis mode: three runs of a publish job, 1 s and 2 s apart (less up to
 * half at random). A store hiccup is usually over by then.
 */
export const PUBLISH_RETRIES: RetryPolicy = { attempts: 3, delayMs: 1000, jitter: 0.5 };

/**
 * After a render failed for good (embedded: its one run; Redis: every attempt of its
 * job), its categories are asked for again this long after, and again after each failure
 * until one succeeds: the saves it was to show are never left unpublished until the next
 * save of the category, which in a quiet category may be hours away.
 */
export const PUBLISH_AGAIN_AFTER_MS = 30_000;

/**
 * The wait before the run after `attemptsMade` failed runs: `delayMs × 2^(attemptsMade-1)`,
 * less up to `jitter` of it at random. BullMQ's `exponential` backoff computes the same
 * from the same three numbers, so both modes wait alike.
 */
export function retryDelayMs(policy: RetryPolicy, attemptsMade: number, random: () => number = Math.random): number {
  const full = policy.delayMs * 2 ** Math.max(0, attemptsMade - 1);
  return Math.round(full * (1 - policy.jitter * random()));
}
