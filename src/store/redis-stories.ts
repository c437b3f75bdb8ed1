import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { FinewsError } from '../errors.js';
import { storeFailure } from './item-merge.js';
import { CANDIDATES_PER_BAND, type ChooseStory, type StoryEntry, type StoryIndex, type StoryIndexed, type StoryMember, type StorySpan } from './stories.js';

export interface RedisStoryIndexOptions {
  /** Connected ioredis client, owned by the caller. */
  redis: Redis;
  /** The store's key prefix; the index writes under `<prefix>story:`. */
  prefix: string;
  /**
   * How long the assignment lock is held at most, ms: a crashed holder's lock lapses
   * after this.
   * @defaultValue 10000
   */
  lockTtlMs?: number;
  /**
   * How long `assign` waits for the lock before failing (retryable), ms.
   * @defaultValue 15000
   */
  lockWaitMs?: number;
  /**
   * How long a band value's set lives after the last article written to it (from that
   * article's publishedAt, or now when later), ms. Lookups only ever look within a
   * story window of an article, so band sets need not live as long as items do; this
   * keeps Redis memory to the articles of the last few windows. Must exceed twice the
   * longest story window.
   * @defaultValue 7 days
   */
  bandTtlMs?: number;
}

// Deletes the lock only while it is still ours: a holder whose lock lapsed must not
// release another's.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

const PRUNE_BATCH = 500;

/**
 * The story index of Redis mode. Layout under `<prefix>story:`: `band:<value>` sorted
 * sets (member key, score publishedAt ms; expiring `bandTtlMs` after their newest
 * write, since lookups only look within a story window), `entry:<key>` hashes (fingerprint, bands,
 * published, story), `members:<storyId>` sorted sets (score publishedAt ms), `expiry`
 * (score max(publishedAt, recorded) ms, for pruning), and `lock`. `assign`, `remove` and
 * `prune` hold the lock around lookup, choice and write, so concurrent workers assign one at a time
 * and two reprints saved at once land in one story.
 */
export class RedisStoryIndex implements StoryIndex {
  private readonly redis: Redis;
  private readonly base: string;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;
  private readonly bandTtlMs: number;

  constructor(opts: RedisStoryIndexOptions) {
    this.redis = opts.redis;
    this.base = `${opts.prefix}story:`;
    this.lockTtlMs = opts.lockTtlMs ?? 10_000;
    this.lockWaitMs = opts.lockWaitMs ?? 15_000;
    this.bandTtlMs = opts.bandTtlMs ?? 7 * 24 * 3600_000;
  }

  async assign(entry: StoryEntry, span: StorySpan, choose: ChooseStory): Promise<string> {
    return this.run('assign', () =>
      this.locked(async () => {
        const found = (await this.lookup(entry.bands, span)).filter((c) => c.key !== entry.key);
        const storyId = choose(found);
        const tx = this.redis.multi();
        await this.unindex(entry.key, tx);
        const expiry = Math.max(entry.publishedMs, Date.now());
        tx.hset(this.entryKey(entry.key), {
          fp: entry.fingerprint,
          bands: JSON.stringify(entry.bands),
          published: String(entry.publishedMs),
          story: storyId,
        });
        for (const band of entry.bands) {
          tx.zadd(this.bandKey(band), entry.publishedMs, entry.key);
          tx.pexpireat(this.bandKey(band), expiry + this.bandTtlMs);
        }
        tx.zadd(this.membersKey(storyId), entry.publishedMs, entry.key);
        tx.zadd(this.expiryKey, expiry, entry.key);
        await exec(tx);
        return storyId;
      }),
      entry.key,
    );
  }

  async candidates(bands: readonly string[], span: StorySpan): Promise<StoryIndexed[]> {
    return this.run('candidates', () => this.lookup(bands, span));
  }

  async storyOf(key: string): Promise<string | null> {
    return this.run('storyOf', () => this.redis.hget(this.entryKey(key), 'story'), key);
  }

  async members(storyId: string): Promise<StoryMember[]> {
    const flat = await this.run('members', () => this.redis.zrange(this.membersKey(storyId), 0, -1, 'WITHSCORES'));
    const out: StoryMember[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ key: flat[i] as string, publishedMs: Number(flat[i + 1]) });
    // Sorted-set order breaks score ties by member bytes, the same as ordering by key.
    return out;
  }

  async remove(key: string): Promise<void> {
    await this.run(
      'remove',
      () =>
        this.locked(async () => {
          const tx = this.redis.multi();
          await this.unindex(key, tx);
          await exec(tx);
        }),
      key,
    );
  }

  async prune(before: Date): Promise<number> {
    return this.run('prune', async () => {
      let removed = 0;
      for (;;) {
        const keys = await this.redis.zrangebyscore(this.expiryKey, '-inf', `(${before.getTime()}`, 'LIMIT', 0, PRUNE_BATCH);
        if (keys.length === 0) return removed;
        await this.locked(async () => {
          const tx = this.redis.multi();
          for (const key of keys) await this.unindex(key, tx);
          await exec(tx);
        });
        removed += keys.length;
        if (keys.length < PRUNE_BATCH) return removed;
      }
    });
  }

  private async lookup(bands: readonly string[], span: StorySpan): Promise<StoryIndexed[]> {
    const unique = [...new Set(bands)];
    const pipe = this.redis.pipeline();
    for (const band of unique) pipe.zrevrangebyscore(this.bandKey(band), span.untilMs, span.sinceMs, 'LIMIT', 0, CANDIDATES_PER_BAND);
    const keys = [...new Set((await exec(pipe)).flatMap((r) => r as string[]))];
    if (keys.length === 0) return [];
    const heads = this.redis.pipeline();
    for (const key of keys) heads.hmget(this.entryKey(key), 'fp', 'published', 'story');
    const rows = await exec(heads);
    const out: StoryIndexed[] = [];
    keys.forEach((key, i) => {
      const [fp, published, story] = rows[i] as (string | null)[];
      if (fp == null || published == null || story == null) return;
      out.push({ key, fingerprint: fp, publishedMs: Number(published), storyId: story });
    });
    return out;
  }

  /** Queues on `tx` the removal of `key`'s record, bands and membership. */
  private async unindex(key: string, tx: ChainableCommander): Promise<void> {
    const [bands, published, story] = await this.redis.hmget(this.entryKey(key), 'bands', 'published', 'story');
    if (bands == null || published == null || story == null) {
      tx.zrem(this.expiryKey, key);
      return;
    }
    for (const band of JSON.parse(bands) as string[]) tx.zrem(this.bandKey(band), key);
    tx.zrem(this.membersKey(story), key);
    tx.zrem(this.expiryKey, key);
    tx.del(this.entryKey(key));
  }

  /** Runs `fn` holding the index lock, so no other writer's lookup and write interleave with it. */
  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const token = await this.lock();
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, this.lockKey, token);
    }
  }

  private async lock(): Promise<string> {
    const token = randomUUID();
    const deadline = Date.now() + this.lockWaitMs;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      if ((await this.redis.set(this.lockKey, token, 'PX', this.lockTtlMs, 'NX')) === 'OK') return token;
      if (Date.now() > deadline) {
        throw new FinewsError('store-unavailable', `redis story index ${this.base}: assignment lock still held after ${this.lockWaitMs} ms`, {
          retryable: true,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private get lockKey(): string {
    return `${this.base}lock`;
  }
  private get expiryKey(): string {
    return `${this.base}expiry`;
  }
  private entryKey(key: string): string {
    return `${this.base}entry:${key}`;
  }
  private bandKey(band: string): string {
    return `${this.base}band:${band}`;
  }
  private membersKey(storyId: string): string {
    return `${this.base}members:${storyId}`;
  }

  private async run<T>(op: string, fn: () => Promise<T>, key?: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw storeFailure(`redis story index ${this.base}`, key === undefined ? op : `${op} ${key}`, err);
    }
  }
}

/** Runs a pipeline or transaction, throwing the first command error. */
async function exec(p: ChainableCommander): Promise<unknown[]> {
  const replies = (await p.exec()) ?? [];
  return replies.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
