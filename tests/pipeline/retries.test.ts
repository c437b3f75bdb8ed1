import { expect, it } from 'vitest';
import { ARTICLE_RETRIES, retryDelayMs } from '../../src/pipeline/retries.js';
import { ARTICLE_JOB_OPTIONS } from '../../src/queue/queues.js';

it('article retries wait 2, 4, 8, 16 s less up to half, in both modes from one policy', () => {
  const longest = [1, 2, 3, 4].map((n) => retryDelayMs(ARTICLE_RETRIES, n, () => 0));
  const shortest = [1, 2, 3, 4].map((n) => retryDelayMs(ARTICLE_RETRIES, n, () => 1));
  expect(longest).toEqual([2000, 4000, 8000, 16000]);
  expect(shortest).toEqual([1000, 2000, 4000, 8000]);
  // The article queue of Redis mode retries by the same numbers (BullMQ's exponential backoff).
  expect(ARTICLE_JOB_OPTIONS).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 2000, jitter: 0.5 } });
  expect(ARTICLE_RETRIES.attempts).toBe(5);
});
