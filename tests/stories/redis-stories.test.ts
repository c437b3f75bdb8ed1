import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chooseStory, DEFAULT_STORY_RULES, storyEntry, storySpan } from '../../src/stories/index.js';
import { createRedisStore } from '../../src/store/redis.js';
import { cleanupRedis } from '../support/harness.js';
import { REDIS_URL } from '../support/redis-url.js';
import { storyIndexContract } from './story-index-contract.js';

function connect(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

storyIndexContract('redis', async () => {
  const prefix = `finews-test:${randomBytes(6).toString('hex')}:`;
  const clients: Redis[] = [connect()];
  const redis = clients[0] as Redis;
  return {
    store: createRedisStore({ redis, prefix }),
    async openAnother() {
      const other = connect();
      clients.push(other);
      return createRedisStore({ redis: other, prefix });
    },
    async cleanup() {
      await cleanupRedis(prefix);
      for (const client of clients) await client.quit();
    },
  };
});

describe('redis story index', () => {
  const redis = connect();
  const prefix = `finews-test:${randomBytes(6).toString('hex')}:`;
  afterEach(async () => {
    await cleanupRedis(prefix);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('lets band sets expire a few windows after their newest article, and keeps entries and stories for the items prune', async () => {
    const store = createRedisStore({ redis, prefix });
    const e = storyEntry('NW1', '央行宣布降准', '<p>中国人民银行5日宣布，决定于2月15日下调金融机构存款准备金率0.5个百分点。</p>', Date.now());
    await store.stories.assign(e, storySpan(e.publishedMs, DEFAULT_STORY_RULES), (found) => chooseStory(e, found, DEFAULT_STORY_RULES).storyId);
    for (const band of e.bands) {
      const ttl = await redis.pttl(`${prefix}story:band:${band}`);
      expect(ttl).toBeGreaterThan(2 * DEFAULT_STORY_RULES.windowMs);
      expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600_000);
    }
    // The version counters a lock-free assignment checks outlive only the gap between its lookup and its write.
    for (const band of e.bands) {
      const ttl = await redis.pttl(`${prefix}story:bandv:${band}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30_000);
    }
    expect(await redis.pttl(`${prefix}story:entry:NW1`)).toBe(-1);
    expect(await redis.pttl(`${prefix}story:members:NW1`)).toBe(-1);
  });
});
