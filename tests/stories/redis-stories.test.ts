import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisStore } from '../../src/store/redis.js';
import { storyIndexContract } from './story-index-contract.js';

function connect(): Redis {
  return new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
}

async function deleteUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
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
      await deleteUnder(redis, prefix);
      for (const client of clients) await client.quit();
    },
  };
});
