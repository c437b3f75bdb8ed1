import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { FinewsError } from '../errors.js';
import type { Logger } from '../util/log.js';
import { decodeCursor, encodeCursor, isAfter, type CursorPosition } from './cursor.js';
import { ALL_SLUG, type Item } from '../domain.js';
import { categoryPublisher } from './category-facts.js';
import { itemMillis, ownCategories, pageSize, storeFailure, withAll } from './item-merge.js';
import { RedisStoryIndex } from './redis-stories.js';
import { ACQUIRE_LEASE, CLAIM, PRUNE_CLAIMS, PRUNE_ITEMS, RELEASE_LEASE, SAVE_ITEM, TAKE_PENDING } from './redis-scripts.js';
import type {
  CategoryInfo,
  ClaimResult,
  ItemPage,
  ItemQuery,
  PendingClaim,
  PendingWork,
  PruneResult,
  RenderedDoc,
  SourceState,
  Store,
} from './store.js';

export interface RedisStoreOptions {
  /** Connected ioredis client. The caller owns it: the store never quits it. */
  redis: Redis;
  /** Prefix of every key the store writes, e.g. `finews:`. */
  prefix: string;
  log?: Logger;
  /**
   * How long ping() waits for an answer before declaring the store unavailable, ms.
   * @defaultValue 2000
   */
  pingTimeoutMs?: number;
}

/**
 * The Store of Redis mode. Every key lives under `prefix`; nothing scans the keyspace.
 * Claims, saves and prunes are Lua scripts, so they are atomic across any number of
 * processes sharing the Redis. Targets a standalone Redis (not Cluster). `close()`
 * only detaches the store; the ioredis client stays open for its owner to quit.
 *
 * Layout under the prefix: `item:<key>` and `claim:<key>` hashes (a claim's `saved`
 * is '0' until an item is saved for the key, then the first save's ms); sorted sets
 * `idx:all`, `idx:cat:<slug>` (score publishedAt ms), `idx:expiry` (score
 * max(publishedAt, storedAt) ms), `claims:unstored` (score last claim ms),
 * `claims:pending` (claims with `work` and no item ever saved, score when the work was
 * last handed out); set
 * `categories`; hashes `sources` (state JSON) and `source-items` (counts);
 * `rendered:<name>` hashes of buffers.
 */
export function createRedisStore(opts: RedisStoreOptions): Store {
  return new RedisStore(opts);
}

const PRUNE_BATCH = 500;

/** Store adapter on a caller-owned ioredis client. */
class RedisStore implements Store {
  private readonly redis: Redis;
  private readonly prefix: string;
  /** Prefix as the server sees it (with the client's keyPrefix), for keys built inside Lua. */
  private readonly serverPrefix: string;
  private readonly log: Logger | undefined;
  private readonly pingTimeoutMs: number;
  private readonly k: RedisKeys;
  private closed = false;
  readonly stories: RedisStoryIndex;

  constructor(opts: RedisStoreOptions) {
    if (opts.prefix.length === 0) throw new TypeError('redis store: prefix must not be empty');
    this.redis = opts.redis;
    this.prefix = opts.prefix;
    this.serverPrefix = (opts.redis.options.keyPrefix ?? '') + opts.prefix;
    this.log = opts.log;
    this.pingTimeoutMs = opts.pingTimeoutMs ?? 2000;
    this.k = redisKeys(opts.prefix);
    this.stories = new RedisStoryIndex({ redis: opts.redis, prefix: opts.prefix });
  }

  async ping(): Promise<void> {
    await this.run('ping', async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.pingTimeoutMs} ms`)), this.pingTimeoutMs);
      });
      try {
        await Promise.race([this.redis.ping(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    });
  }

  /** Detaches the store. Does not quit the ioredis client, which belongs to the caller. */
  async close(): Promise<void> {
    this.closed = true;
  }

  async claim(key: string, sourceId: string, categories: string[], work?: PendingWork): Promise<ClaimResult> {
    const reply = await this.run(
      'claim',
      () =>
        CLAIM.run(
          this.redis,
          [this.k.claim(key), this.k.item(key), this.k.unstoredClaims, this.k.sourceItems, this.k.categories, this.k.pendingClaims],
          [
            key,
            sourceId,
            JSON.stringify(ownCategories(categories)),
            Date.now(),
            this.serverPrefix + 'idx:cat:',
            work ? JSON.stringify(work) : '',
          ],
        ),
      key,
    );
    const [isNew, pending, ...changed] = reply as [number, number, ...string[]];
    return { isNew: isNew === 1, changedCategories: changed.length > 0 ? withAll(changed) : [], pending: pending === 1 };
  }

  async takePendingClaims(olderThan: Date, limit: number, now: Date): Promise<PendingClaim[]> {
    const count = Math.max(0, Math.floor(limit));
    if (count === 0) return [];
    const flat = (await this.run('takePendingClaims', () =>
      TAKE_PENDING.run(this.redis, [this.k.pendingClaims], [olderThan.getTime(), count, now.getTime(), this.serverPrefix + 'claim:']),
    )) as string[];
    const out: PendingClaim[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      out.push({ key: flat[i] as string, work: JSON.parse(flat[i + 1] as string) as PendingWork });
    }
    return out;
  }

  async saveItem(item: Item): Promise<string[]> {
    const publishedMs = itemMillis(item, 'publishedAt');
    const storedMs = itemMillis(item, 'storedAt');
    const reply = await this.run(
      'saveItem',
      () =>
        SAVE_ITEM.run(
          this.redis,
          [
            this.k.item(item.key),
            this.k.claim(item.key),
            this.k.index(ALL_SLUG),
            this.k.unstoredClaims,
            this.k.sourceItems,
            this.k.categories,
            this.k.expiry,
            this.k.pendingClaims,
          ],
          [
            item.key,
            JSON.stringify(item),
            JSON.stringify(ownCategories(item.categories)),
            JSON.stringify(item.sources),
            item.publishedAt,
            publishedMs,
            item.storedAt,
            storedMs,
            Date.now(),
            this.serverPrefix + 'idx:cat:',
            item.publisher,
          ],
        ),
      item.key,
    );
    return withAll(reply as string[]);
  }

  async getItem(key: string): Promise<Item | null> {
    const hash = await this.run('getItem', () => this.redis.hgetall(this.k.item(key)), key);
    return itemFromHash(hash);
  }

  async listItems(query: ItemQuery): Promise<ItemPage> {
    const after = query.before ? decodeCursor(query.before) : null;
    const limit = pageSize(query.limit);
    const category = query.category === undefined || query.category === ALL_SLUG ? ALL_SLUG : query.category;
    const positions = await this.run('listItems', () => this.positionsAfter(this.k.index(category), after, limit + 1));
    const page = positions.slice(0, limit);
    const hashes = await this.run('listItems', () =>
      this.exec(this.redis.pipeline(page.map((p) => ['hgetall', this.k.item(p.key)]))),
    );
    const items: Item[] = [];
    for (const hash of hashes) {
      // An item pruned between reading the index and the item is simply left out.
      const item = itemFromHash(hash as Record<string, string>);
      if (item) items.push(item);
    }
    const last = page.at(-1);
    return { items, next: positions.length > limit && last ? encodeCursor(last) : null };
  }

  /**
   * Up to `count` index entries strictly after `after`, newest first. Sorted sets order
   * equal scores by member bytes, which is the store's tie-break; members tied with the
   * cursor are filtered here, since Lua's string `<` follows the server's locale.
   */
  private async positionsAfter(index: string, after: CursorPosition | null, count: number): Promise<CursorPosition[]> {
    if (!after) {
      return withScores(await this.redis.zrevrangebyscore(index, '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, count));
    }
    const [tied, older] = await this.exec(
      this.redis
        .multi()
        .zrangebyscore(index, after.ms, after.ms)
        .zrevrangebyscore(index, `(${after.ms}`, '-inf', 'WITHSCORES', 'LIMIT', 0, count),
    );
    const tiedAfter = (tied as string[])
      .filter((key) => isAfter(after.ms, key, after))
      .reverse()
      .map((key) => ({ ms: after.ms, key }));
    return [...tiedAfter, ...withScores(older as string[])].slice(0, count);
  }

  async listCategories(): Promise<CategoryInfo[]> {
    return this.run('listCategories', async () => {
      const slugs = (await this.redis.smembers(this.k.categories)).sort();
      const tops = await this.exec(
        this.redis.pipeline(slugs.flatMap((s) => [['zcard', this.k.index(s)], ['zrevrange', this.k.index(s), 0, 0]])),
      );
      const newest = slugs.map((_, i) => (tops[2 * i + 1] as string[])[0]);
      // Only the fields the facts need; items saved before `publisher` was a field of its own need the doc.
      const heads = await this.exec(this.redis.pipeline(newest.map((key) => ['hmget', this.k.item(key ?? ''), 'cats', 'pub', 'publisher'])));
      const legacy = newest.filter((key, i) => key !== undefined && (heads[i] as (string | null)[])[2] === null);
      const docs = legacy.length === 0 ? [] : await this.exec(this.redis.pipeline(legacy.map((key) => ['hget', this.k.item(key ?? ''), 'doc'])));
      const legacyPublisher = new Map(legacy.map((key, i) => [key, docPublisher(docs[i] as string | null)]));
      const out: CategoryInfo[] = [];
      slugs.forEach((slug, i) => {
        const count = tops[2 * i] as number;
        const [cats, pub, ownPublisher] = heads[i] as (string | null)[];
        if (count === 0) return;
        const head = {
          categories: JSON.parse(cats ?? '[]') as string[],
          publisher: ownPublisher ?? legacyPublisher.get(newest[i] ?? '') ?? '',
        };
        const publisher = categoryPublisher(head, slug);
        out.push({ slug, count, updated: pub ?? null, ...(publisher ? { publisher } : {}) });
      });
      return out;
    });
  }

  async getSourceState(id: string): Promise<SourceState | null> {
    const [state, items] = await this.run('getSourceState', () =>
      this.exec(this.redis.pipeline().hget(this.k.sources, id).hget(this.k.sourceItems, id)),
    );
    if (state === null && items === null) return null;
    return sourceState(id, state as string | null, items as string | null);
  }

  async putSourceState(state: SourceState): Promise<void> {
    const { items: _ignored, ...rest } = state;
    await this.run('putSourceState', () => this.redis.hset(this.k.sources, state.id, JSON.stringify(rest)));
  }

  async listSourceStates(): Promise<SourceState[]> {
    const [states, counts] = await this.run('listSourceStates', () =>
      this.exec(this.redis.pipeline().hgetall(this.k.sources).hgetall(this.k.sourceItems)),
    );
    const byId = states as Record<string, string>;
    const countById = counts as Record<string, string>;
    const ids = [...new Set([...Object.keys(byId), ...Object.keys(countById)])].sort();
    return ids.map((id) => sourceState(id, byId[id] ?? null, countById[id] ?? null));
  }

  async prune(itemsBefore: Date, claimsBefore: Date): Promise<PruneResult> {
    return this.run('prune', async () => {
      let removed = 0;
      const changed = new Set<string>();
      for (;;) {
        const reply = (await PRUNE_ITEMS.run(
          this.redis,
          [this.k.expiry, this.k.index(ALL_SLUG), this.k.unstoredClaims, this.k.categories],
          [itemsBefore.getTime(), PRUNE_BATCH, this.serverPrefix + 'item:', this.serverPrefix + 'claim:', this.serverPrefix + 'idx:cat:'],
        )) as [number, ...string[]];
        const [count, ...categories] = reply;
        removed += count;
        for (const c of categories) changed.add(c);
        if (count < PRUNE_BATCH) break;
      }
      let forgotten = 0;
      for (;;) {
        const [looked, gone] = (await PRUNE_CLAIMS.run(
          this.redis,
          [this.k.unstoredClaims, this.k.pendingClaims],
          [claimsBefore.getTime(), PRUNE_BATCH, this.serverPrefix + 'item:', this.serverPrefix + 'claim:'],
        )) as [number, number];
        forgotten += gone;
        if (looked < PRUNE_BATCH) break;
      }
      await this.stories.prune(itemsBefore);
      this.log?.debug({ prefix: this.prefix, removed, forgottenClaims: forgotten }, 'redis store pruned');
      return { removed, changedCategories: removed > 0 ? withAll([...changed].sort()) : [] };
    });
  }

  async putRendered(name: string, doc: RenderedDoc): Promise<void> {
    // One HSET, so a reader never sees half of an old and half of a new render.
    await this.run('putRendered', () =>
      this.redis.hset(
        this.k.rendered(name),
        'contentType', doc.contentType,
        'body', doc.body,
        'gzip', doc.gzip,
        'br', doc.br,
        'etag', doc.etag,
        'lastModified', doc.lastModified,
      ),
    );
  }

  async acquireLease(name: string, ttlMs: number, owner?: string): Promise<string | null> {
    const token = owner ?? randomUUID();
    const got = await this.run('acquireLease', () => ACQUIRE_LEASE.run(this.redis, [this.k.lease(name)], [token, Math.max(1, Math.round(ttlMs))]));
    return got === 1 ? token : null;
  }

  async releaseLease(name: string, token: string): Promise<void> {
    await this.run('releaseLease', () => RELEASE_LEASE.run(this.redis, [this.k.lease(name)], [token]));
  }

  async deleteRendered(name: string): Promise<void> {
    await this.run('deleteRendered', () => this.redis.del(this.k.rendered(name)));
  }

  async getRendered(name: string): Promise<RenderedDoc | null> {
    const hash = await this.run('getRendered', () => this.redis.hgetallBuffer(this.k.rendered(name)));
    const { contentType, body, gzip, br, etag, lastModified } = hash;
    if (!contentType || !body || !gzip || !br || !etag || !lastModified) return null;
    return {
      contentType: contentType.toString('utf8'),
      body,
      gzip,
      br,
      etag: etag.toString('utf8'),
      lastModified: lastModified.toString('utf8'),
    };
  }

  /** Runs a pipeline or transaction, failing on the first command error. */
  private async exec(batch: ChainableCommander): Promise<unknown[]> {
    const results = await batch.exec();
    if (results === null) throw new Error('transaction aborted');
    return results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }

  /** Runs one store operation, turning client errors into FinewsErrors. */
  private async run<T>(op: string, fn: () => Promise<T>, key?: string): Promise<T> {
    const what = key === undefined ? op : `${op} ${key}`;
    if (this.closed) throw new FinewsError('store-unavailable', `redis store ${this.prefix}: ${what}: store is closed`);
    try {
      return await fn();
    } catch (err) {
      throw storeFailure(`redis store ${this.prefix}`, what, err);
    }
  }
}

/** Key names as this client sends them (the client adds its own keyPrefix, if any). */
type RedisKeys = ReturnType<typeof redisKeys>;

function redisKeys(prefix: string) {
  return {
    item: (key: string) => `${prefix}item:${key}`,
    claim: (key: string) => `${prefix}claim:${key}`,
    index: (category: string) => (category === ALL_SLUG ? `${prefix}idx:all` : `${prefix}idx:cat:${category}`),
    rendered: (name: string) => `${prefix}rendered:${name}`,
    lease: (name: string) => `${prefix}lease:${name}`,
    expiry: `${prefix}idx:expiry`,
    unstoredClaims: `${prefix}claims:unstored`,
    pendingClaims: `${prefix}claims:pending`,
    categories: `${prefix}categories`,
    sources: `${prefix}sources`,
    sourceItems: `${prefix}source-items`,
  };
}

function docPublisher(doc: string | null): string {
  return doc === null ? '' : ((JSON.parse(doc) as Partial<Item>).publisher ?? '');
}

function itemFromHash(hash: Record<string, string>): Item | null {
  if (hash.doc === undefined) return null;
  const doc = JSON.parse(hash.doc) as Item;
  return {
    ...doc,
    categories: JSON.parse(hash.cats ?? '[]') as string[],
    sources: JSON.parse(hash.srcs ?? '[]') as string[],
    publishedAt: hash.pub ?? doc.publishedAt,
    storedAt: hash.stored ?? doc.storedAt,
  };
}

function sourceState(id: string, state: string | null, items: string | null): SourceState {
  const parsed = state === null ? { consecutiveFailures: 0 } : (JSON.parse(state) as Omit<SourceState, 'items'>);
  return { ...parsed, id, items: items === null ? 0 : Number(items) };
}

/** [member, score, member, score, …] → positions. */
function withScores(flat: string[]): CursorPosition[] {
  const out: CursorPosition[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ key: flat[i] as string, ms: Number(flat[i + 1]) });
  return out;
}
