import { describe, expect, it } from 'vitest';
import { MAX_BACKOFF_MS, nextRunDelay } from '../../src/pipeline/next-run.js';

const MIN = 60_000;
const mid = () => 0.5; // no jitter

describe('nextRunDelay', () => {
  it('polls every `every` after a success', () => {
    expect(nextRunDelay({ everyMs: 10 * MIN, consecutiveFailures: 0, random: mid })).toBe(10 * MIN);
  });
  it('waits for Cache-Control max-age or Retry-After when longer than every', () => {
    expect(nextRunDelay({ everyMs: 5 * MIN, maxAgeMs: 30 * MIN, consecutiveFailures: 0, random: mid })).toBe(30 * MIN);
    expect(nextRunDelay({ everyMs: 5 * MIN, retryAfterMs: 20 * MIN, consecutiveFailures: 1, random: mid })).toBe(20 * MIN);
  });
  it('backs off exponentially on failures, capped at 6 hours', () => {
    const delays = [1, 2, 3, 10].map((f) => nextRunDelay({ everyMs: 10 * MIN, consecutiveFailures: f, random: mid }));
    expect(delays).toEqual([20 * MIN, 40 * MIN, 80 * MIN, MAX_BACKOFF_MS]);
  });
  it('never polls more often than every, even past the backoff cap', () => {
    expect(nextRunDelay({ everyMs: 12 * 60 * MIN, consecutiveFailures: 5, random: mid })).toBe(12 * 60 * MIN);
  });
  it('jitters by at most ±10%', () => {
    expect(nextRunDelay({ everyMs: 10 * MIN, consecutiveFailures: 0, random: () => 0 })).toBe(9 * MIN);
    expect(nextRunDelay({ everyMs: 10 * MIN, consecutiveFailures: 0, random: () => 0.999999 })).toBeCloseTo(11 * MIN, -2);
  });
});
