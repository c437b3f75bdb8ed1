/** Upper bound of the failure backoff. */
export const MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;

export interface NextRunInput {
  everyMs: number;
  /** Cache-Control max-age / Expires of the last response. */
  maxAgeMs?: number;
  /** Retry-After of a 429/503. */
  retryAfterMs?: number;
  /** Consecutive failures including the one just recorded (0 after a success). */
  consecutiveFailures: number;
  /** Uniform random number in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay until the next poll: max(every, max-age, Retry-After), where `every` doubles per
 * consecutive failure up to 6 h; ±10% jitter so sources sharing an interval drift apart.
 */
export function nextRunDelay(input: NextRunInput): number {
  const every = input.everyMs;
  const failures = Math.max(0, input.consecutiveFailures);
  const backedOff = failures === 0 ? every : Math.max(every, Math.min(MAX_BACKOFF_MS, every * 2 ** Math.min(failures, 20)));
  const delay = Math.max(backedOff, input.maxAgeMs ?? 0, input.retryAfterMs ?? 0);
  const jitter = 1 + ((input.random ?? Math.random)() * 0.2 - 0.1);
  return Math.round(delay * jitter);
}
