import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { FinewsError } from '../../src/errors.js';
import { createRedisStore } from '../../src/store/redis.js';
import type { Store } from '../../src/store/store.js';
import { storeContract } from './contract.js';
import { makeItem, newsKey } from './items.js';
import { REDIS_URL } from '../support/redis-url.js';


function testPrefix(): string {
  return `finews-test:${randomBytes(6).toString('hex')}:`;
}

function connect(extra: RedisOptions = {}): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1, ...extra });
}

/** Every key under `prefix`, found with SCAN (never KEYS). */
async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

/** Names of the commands `redis` sends from now on, as the server receives them (a pipeline counts each). */
function recordCommands(redis: Redis): string[] {
  const names: string[] = [];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    names.push(args[0].name);
    return send(...args);
  }) as Redis['sendCommand'];
  return names;
}

async function deleteUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

storeContract('redis', async (opts = {}) => {
  const prefix = testPrefix();
  const clients: Redis[] = [connect()];
  const redis = clients[0] as Redis;
  return {
    store: createRedisStore({ redis, prefix, ...opts }),
    async openAnother() {
      // A separate connection, as another finews process would have.
      const other = connect();
      clients.push(other);
      return createRedisStore({ redis: other, prefix, ...opts });
    },
    async cleanup() {
      await deleteUnder(redis, prefix);
      for (const client of clients) await client.quit();
    },
  };
});

describe('redis store', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  function client(extra: RedisOptions = {}): Redis {
    const redis = connect(extra);
    cleanups.push(async () => {
      if (redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
    });
    return redis;
  }

  function prefixed(redis: Redis): string {
    const prefix = testPrefix();
    cleanups.push(() => deleteUnder(redis, prefix));
    return prefix;
  }

  it('leaves the caller its client on close', async () => {
    const redis = client();
    const store = createRedisStore({ redis, prefix: prefixed(redis) });
    await store.ping();
    await store.close();
    await expect(store.getItem(newsKey(1))).rejects.toMatchObject({ code: 'store-unavailable' });
    expect(await redis.ping()).toBe('PONG');
  });

  it('keeps stores on different prefixes apart, with every key under its prefix', async () => {
    const redis = client();
    const [p1, p2] = [prefixed(redis), prefixed(redis)];
    const one = createRedisStore({ redis, prefix: p1 });
    const two = createRedisStore({ redis, prefix: p2 });
    await one.claim(newsKey(1), 'cinn-industry', ['industry']);
    await one.saveItem(makeItem(newsKey(1), { categories: ['zhongguogongyebao', 'industry'] }));

    expect(await two.getItem(newsKey(1))).toBeNull();
    expect(await two.listCategories()).toEqual([]);
    expect((await two.claim(newsKey(1), 'cinn-industry', [])).isNew).toBe(true);
    expect((await keysUnder(redis, p1)).sort()).toEqual(
      [
        'categories', 'claim:NW202203302327500001', 'idx:all', 'idx:cat:industry', 'idx:cat:zhongguogongyebao',
        'idx:expiry', 'item:NW202203302327500001', 'source-items',
      ].map((k) => p1 + k),
    );
  });

  it('honours a client keyPrefix, including keys built inside its scripts', async () => {
    const plain = client();
    const outer = prefixed(plain);
    const redis = client({ keyPrefix: outer });
    const store = createRedisStore({ redis, prefix: 'finews:' });
    await store.saveItem(makeItem(newsKey(2), { categories: ['zhongguogongyebao'], publishedAt: '2022-01-01T08:00:00+08:00', storedAt: '2022-01-01T08:00:00+08:00' }));
    expect(await plain.exists(`${outer}finews:idx:cat:zhongguogongyebao`)).toBe(1);
    expect((await store.listItems({ category: 'zhongguogongyebao', limit: 5 })).items).toHaveLength(1);

    expect((await store.prune(new Date('2022-03-01T00:00:00Z'), new Date(0))).removed).toBe(1);
    expect(await keysUnder(plain, `${outer}finews:item:`)).toEqual([]);
    expect(await plain.exists(`${outer}finews:idx:cat:zhongguogongyebao`)).toBe(0);
  });

  it('takes claims written before claims tracked saving as saved, with or without their item', async () => {
    const redis = client();
    const prefix = prefixed(redis);
    const store = createRedisStore({ redis, prefix });
    await store.saveItem(makeItem(newsKey(1)));
    // Claim hashes as the earlier store wrote them: no `saved` field. newsKey(2)'s item was pruned.
    await redis.hdel(`${prefix}claim:${newsKey(1)}`, 'saved');
    await redis.hset(`${prefix}claim:${newsKey(2)}`, 'cats', '[]', 'srcs', '["cinn-industry"]', 'first', '1648604100000', 'seen', '1648604100000');

    expect(await store.claim(newsKey(1), 'cinn-industry', [])).toEqual({ isNew: false, changedCategories: [], pending: false });
    expect(await store.claim(newsKey(2), 'cinn-industry', [])).toEqual({ isNew: false, changedCategories: [], pending: false });
    expect(await store.getItem(newsKey(2))).toBeNull();
  });

  it('lists categories from the fields of their newest items, and from the doc of items saved before publisher was one', async () => {
    const redis = client();
    const prefix = prefixed(redis);
    const store = createRedisStore({ redis, prefix });
    await store.saveItem(makeItem(newsKey(1), { categories: ['zhongguogongyebao', 'industry'] }));
    await store.saveItem(makeItem(newsKey(2), { publisher: '证券时报', categories: ['zhengquanshibao'] }));
    const listed = await store.listCategories();
    // An item hash as an older finews wrote it: no publisher field.
    await redis.hdel(`${prefix}item:${newsKey(2)}`, 'publisher');
    expect(await store.listCategories()).toEqual(listed);
    expect(listed).toContainEqual({ slug: 'zhengquanshibao', count: 1, updated: '2022-03-30T09:34:12+08:00', publisher: '证券时报' });
    // Nor the category it titles, kept with the item since.
    await redis.hdel(`${prefix}item:${newsKey(1)}`, 'titles');
    await redis.hdel(`${prefix}item:${newsKey(2)}`, 'titles');
    expect(await store.listCategories()).toEqual(listed);
  });

  it('reports the store unavailable when Redis does not answer', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    // Offline queue on, retrying for ever: commands would wait, so ping must time out.
    const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    try {
      const store = createRedisStore({ redis, prefix: 'finews-test:down:', pingTimeoutMs: 300 });
      const started = Date.now();
      const err: unknown = await store.ping().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(FinewsError);
      expect(err).toMatchObject({ code: 'store-unavailable', retryable: true });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      redis.disconnect();
    }
  });

  it('claims atomically across five connections', async () => {
    const prefix = prefixed(client());
    const stores: Store[] = Array.from({ length: 5 }, () => createRedisStore({ redis: client(), prefix }));
    const keys = Array.from({ length: 100 }, (_, i) => newsKey(i));
    const results = await Promise.all(
      keys.flatMap((key) => stores.map((store, s) => store.claim(key, `source-${s}`, [`cat-${s}`]))),
    );
    for (let i = 0; i < keys.length; i++) {
      expect(results.slice(i * 5, i * 5 + 5).filter((r) => r.isNew), keys[i]).toHaveLength(1);
    }
    const states = await stores[0]?.listSourceStates();
    expect(states?.map((s) => s.items)).toEqual([100, 100, 100, 100, 100]);
  });

  it('claims a feed of 500 keys in one read and one write, however many keys', async () => {
    const redis = client();
    const store = createRedisStore({ redis, prefix: prefixed(redis) });
    // The first call loads the scripts into the server (EVALSHA, then EVAL).
    await store.claimMany([{ key: 'NW-warm', sourceId: 'cinn-industry', categories: [] }]);
    const sent = recordCommands(redis);
    const keys = Array.from({ length: 500 }, (_, i) => newsKey(i));
    const results = await store.claimMany(keys.map((key) => ({ key, sourceId: 'cinn-industry', categories: ['industry'] })));
    expect(results.every((r) => r.isNew)).toBe(true);
    expect(sent).toEqual(['evalsha', 'evalsha']);

    sent.length = 0;
    const again = await store.claimMany(keys.map((key) => ({ key, sourceId: 'eastmoney-finance', categories: ['finance'] })));
    expect(again.every((r) => !r.isNew && r.pending)).toBe(true);
    expect(sent).toEqual(['evalsha', 'evalsha']);
  });

  it('writes nothing for a claim or a save that changes nothing', async () => {
    const redis = client();
    const store = createRedisStore({ redis, prefix: prefixed(redis) });
    const key = newsKey(1);
    await store.claim(key, 'cinn-industry', ['industry']);
    const item = makeItem(key, { categories: ['zhongguogongyebao'] });
    await store.saveItem(item);
    const sent = recordCommands(redis);

    // The same source with the same categories, once and as a batch: only the read.
    expect(await store.claim(key, 'cinn-industry', ['industry'])).toEqual({ isNew: false, changedCategories: [], pending: false });
    expect(await store.claimMany([{ key, sourceId: 'cinn-industry', categories: [] }])).toEqual([
      { isNew: false, changedCategories: [], pending: false },
    ]);
    expect(new Set(await store.saveItem(item))).toEqual(new Set(['zhongguogongyebao', 'industry', 'all']));
    expect(sent).toEqual(['evalsha', 'evalsha', 'evalsha']);

    // Something new is written.
    sent.length = 0;
    await store.claim(key, 'eastmoney-finance', []);
    expect(sent).toEqual(['evalsha', 'evalsha']);
    expect((await store.getItem(key))?.sources).toEqual(['cinn-industry', 'eastmoney-finance']);
  });

  it('tags item docs with their version and reads docs written before the tag', async () => {
    const redis = client();
    const prefix = prefixed(redis);
    const store = createRedisStore({ redis, prefix });
    const item = makeItem(newsKey(1));
    await store.saveItem(item);
    const doc = JSON.parse((await redis.hget(`${prefix}item:${newsKey(1)}`, 'doc')) ?? '{}') as { v?: number };
    expect(doc.v).toBe(1);
    // An item hash as an older finews wrote it: the untagged item as saved.
    await redis.hset(`${prefix}item:${newsKey(1)}`, 'doc', JSON.stringify(item));
    expect(await store.getItem(newsKey(1))).toEqual(item);
    expect((await store.listItems({ limit: 10 })).items).toEqual([item]);
  });
});
