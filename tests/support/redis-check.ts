/**
 * vitest globalSetup: the suite needs Redis (REDIS_URL, default redis://127.0.0.1:6379).
 * Without one it stops at once with one line saying how to get one, instead of every
 * Redis test failing on its own after its retries.
 */
import { Redis } from 'ioredis';
import { REDIS_URL } from './redis-url.js';

export default async function checkRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => (lastError = err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    const reason = lastError?.message ?? (err instanceof Error ? err.message : String(err));
    const error = new Error(
      `The tests need Redis at ${REDIS_URL} (${reason}): start one with \`redis-server --port 6379 --save ''\`, or point REDIS_URL at one (e.g. REDIS_URL=redis://127.0.0.1:6380/1 npm test).`,
    );
    error.stack = error.message;
    throw error;
  } finally {
    redis.disconnect();
  }
}
