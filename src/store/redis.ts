import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { FinewsError } from '../errors.js';
import type { Logger } from '../util/log.js';
import { decodeCursor, encodeCursor, isAfter, type CursorPosition } from './cursor.js';
import { ALL_SLUG, type Item } from '../domain.js';
import { categoryPublisher, titledCategory } from './category-facts.js';
import { decodeItem, encodeItem } from './item-json.js';
import {
  claimAfterSave,
  itemMillis,
  mergeClaim,
  mergeHash,
  mergeItem,
  pageSize,
  sameList,
  SEEN_REFRESH_MS,
  storeFailure,
  withAll,
  type ClaimRecord,
} from './item-merge.js';
import {
  ACQUIRE_LEASE,
  APPLY_IF_UNCHANGED,
  PRUNE_CLAIMS,
  PRUNE_ITEMS,
  READ_HASHES,
  RELEASE_LEASE,
  TAKE_PENDING,
} from './redis-scripts.js';
import { RedisStoryIndex } from './redis-stories.js';
import type {
  CategoryInfo,
  ClaimEntry,
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
  /**
   * The clock of claim and save times. Leases expire by Redis's own clock (PX), the one
   * clock every process sharing the Redis agrees on.
   * @defaultValue the system clock
   */
  now?: () => Date;
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
 * `rendered:<name>` hashes of buffers, with their ETags by name in the hash
 * `rendered-etags`. Item and claim hashes carry a `rev`, bumped on
 * every write, for the compare-and-set below.
 *
 * Claims and saves work out the merged claim record and item in TypeScript (the one
 * merge rule of item-merge.ts), then write it with one Lua compare-and-set of the
 * hashes' `rev`s, reading again on conflict. A script per operation would have to
 * restate the merge rule in Lua; WATCH/MULTI would need a connection per concurrent
 * caller. A batch of claims, or of saves, is one read call and one write call, however
 * many keys.
 */
export function createRedisStore(opts: RedisStoreOptions): Store {
  return new RedisStore(opts);
}

const PRUNE_BATCH = 500;
/** Rounds of read and compare-and-set before a claim or save under constant contention gives up. */
const MAX_CAS_ROUNDS = 1000;

/** Fields a claim reads, of the claim hash and of the item hash alike (one list for both keeps the read one call). */
const CLAIM_READ = ['rev', 'cats', 'srcs', 'saved', 'seen', 'pubms', 'publisher', 'hashes'] as const;
/** Fields a save reads, of both hashes. */
const SAVE_READ = ['rev', 'cats', 'srcs', 'saved', 'work', 'pub', 'pubms', 'stored', 'storedms', 'publisher', 'doc'] as const;

type Fields<F extends readonly string[]> = Record<F[number], string | null>;

/**
 * A write as the compare-and-set script takes it: a Redis command and its arguments. A
 * number stands for the argument of the script call at that position ({@link CasPlan.blob}).
 */
type Write = (string | BlobRef)[];

/** The position of a large value among the arguments of the compare-and-set call. */
type BlobRef = number & { readonly __blob: true };

/** One entry of a compare-and-set: the hashes it read with the `rev` read of each ('' when absent), and its writes. */
interface CasEntry {
  g: [hash: string, rev: string][];
  w: Write[];
}

/**
 * The writes of one compare-and-set entry as they are planned. Fields written to one hash
 * go out as one HSET, which also carries the hash's next `rev` when the entry changes it:
 * one command per hash rather than one per step of the plan and another for the rev.
 */
class CasPlan {
  private readonly hashes = new Map<string, Write>();
  private readonly other: Write[] = [];

  /** `blobs`: the large values of the round's script call, shared by its plans. */
  constructor(private readonly blobs: string[]) {}

  /**
   * A large value (an item document, a claim's work) as an argument of the script call of
   * its own, referred to from the writes: sent as it is rather than escaped again inside
   * the JSON of the writes, and not parsed by the script.
   */
  blob(value: string): BlobRef {
    this.blobs.push(value);
    // ARGV[1] is the JSON of the entries; the blobs follow it.
    return (this.blobs.length + 1) as BlobRef;
  }

  hset(key: string, ...fieldsAndValues: (string | BlobRef)[]): void {
    const fields = this.hashes.get(key);
    if (fields === undefined) this.hashes.set(key, fieldsAndValues);
    else fields.push(...fieldsAndValues);
  }

  /** Writes other than HSET; they run after the HSETs, so none of them may touch a field an HSET sets. */
  push(...writes: Write[]): void {
    this.other.push(...writes);
  }

  get empty(): boolean {
    return this.hashes.size === 0 && this.other.length === 0;
  }

  /** The entry guarded by `guards` ([hash, rev read, whether the entry changes it]). */
  entry(guards: [string, string | null, boolean][]): CasEntry {
    for (const [key, rev, changes] of guards) if (changes) this.hset(key, 'rev', String(Number(rev ?? '0') + 1));
    const w: Write[] = [];
    for (const [key, fields] of this.hashes) w.push(['HSET', key, ...fields]);
    w.push(...this.other);
    return { g: guards.map(([key, rev]) => [key, rev ?? '']), w };
  }
}

/** Store adapter on a caller-owned ioredis client. */
class RedisStore implements Store {
  private readonly redis: Redis;
  private readonly prefix: string;
  /** Prefix as the server sees it (with the client's keyPrefix), for keys built inside Lua. */
  private readonly serverPrefix: string;
  private readonly log: Logger | undefined;
  private readonly pingTimeoutMs: number;
  private readonly k: RedisKeys;
  /** Keys as the server sees them, for keys named inside Lua. */
  private readonly sk: RedisKeys;
  private readonly now: () => Date;
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
    this.sk = redisKeys(this.serverPrefix);
    this.now = opts.now ?? (() => new Date());
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
    const [result] = await this.claimBatch('claim', [{ key, sourceId, categories, ...(work ? { work } : {}) }], key);
    if (!result) throw new Error('redis store: claim answered nothing');
    return result;
  }

  async claimMany(entries: readonly ClaimEntry[]): Promise<ClaimResult[]> {
    return this.claimBatch('claimMany', entries);
  }

  /** Claims `entries` in compare-and-set rounds ({@link casRounds}); one result per entry, in order. */
  private async claimBatch(op: string, entries: readonly ClaimEntry[], key?: string): Promise<ClaimResult[]> {
    const results: (ClaimResult | undefined)[] = new Array<ClaimResult | undefined>(entries.length);
    await this.run(
      op,
      () =>
        this.casRounds(
          'claims',
          entries.map((e) => e.key),
          CLAIM_READ,
          (i, claimRaw, itemRaw, nowMs, blobs) => this.planClaim(entries[i] as ClaimEntry, claimRaw, itemRaw, nowMs, blobs),
          (i, plan) => (results[i] = plan.result),
        ),
      key,
    );
    return results.map((r) => r as ClaimResult);
  }

  /**
   * Compare-and-set rounds over a batch whose entry i concerns `keys[i]`. A round takes each
   * key's first waiting entry, reads the claim and item hashes of those keys (`fields`) in one
   * call, plans each entry from what was read, writes the plans that write anything in one
   * call, and settles each entry whose write held. An entry whose hashes changed since the
   * read, and a repeat of a key, wait for the next round.
   */
  private async casRounds<P extends { cas: CasEntry | null }>(
    what: string,
    keys: readonly string[],
    fields: readonly string[],
    plan: (i: number, claimRaw: (string | null)[], itemRaw: (string | null)[], nowMs: number, blobs: string[]) => P,
    settle: (i: number, plan: P) => void,
  ): Promise<void> {
    let waiting = keys.map((_, i) => i);
    for (let round = 0; waiting.length > 0; round++) {
      if (round >= MAX_CAS_ROUNDS) throw new Error(`${what} kept conflicting after ${MAX_CAS_ROUNDS} rounds`);
      const seen = new Set<string>();
      const now: number[] = [];
      const later: number[] = [];
      for (const i of waiting) {
        const k = keys[i] as string;
        if (seen.has(k)) later.push(i);
        else {
          seen.add(k);
          now.push(i);
        }
      }
      const nowMs = this.now().getTime();
      const reads = await this.readHashes(
        now.flatMap((i) => [this.k.claim(keys[i] as string), this.k.item(keys[i] as string)]),
        fields,
      );
      const blobs: string[] = [];
      const plans = now.map((i, j) => plan(i, reads[2 * j] ?? [], reads[2 * j + 1] ?? [], nowMs, blobs));
      const toWrite = plans.map((p, j) => ({ p, i: now[j] as number })).filter(({ p }) => p.cas !== null);
      const written = await this.applyIfUnchanged(toWrite.map(({ p }) => p.cas as CasEntry), blobs);
      const retry = new Set(toWrite.filter((_, j) => written[j] !== 1).map(({ i }) => i));
      plans.forEach((p, j) => {
        const i = now[j] as number;
        if (!retry.has(i)) settle(i, p);
      });
      waiting = [...now.filter((i) => retry.has(i)), ...later].sort((x, y) => x - y);
    }
  }

  /** What one claim answers and writes, from its claim and item hashes as read. */
  private planClaim(
    entry: ClaimEntry,
    claimRaw: (string | null)[],
    itemRaw: (string | null)[],
    nowMs: number,
    blobs: string[],
  ): { result: ClaimResult; cas: CasEntry | null } {
    const claimHash = fieldsOf(CLAIM_READ, claimRaw);
    const itemHash = fieldsOf(CLAIM_READ, itemRaw);
    const { key, sourceId, categories, work, hash } = entry;
    const existed = claimHash.cats !== null;
    const stored = itemHash.pubms !== null;
    const recorded: ClaimRecord | null = existed ? { categories: listOf(claimHash.cats), sources: listOf(claimHash.srcs) } : null;
    const storedLists = stored ? { categories: listOf(itemHash.cats), sources: listOf(itemHash.srcs) } : null;
    const merge = mergeClaim(recorded, storedLists, sourceId, categories);
    const isNew = !existed && !stored;
    // A claim hash without `saved` predates the field and counts as saved: its item may have been pruned.
    const pending = existed && !stored && claimHash.saved === '0';
    const changedCategories = merge.item ? withAll(merge.item.categories) : [];
    const hashes = mergeHash(claimHash.hashes === null ? null : (JSON.parse(claimHash.hashes) as Record<string, string>), sourceId, hash, stored);
    const result: ClaimResult = { isNew, changedCategories, pending, ...(hashes.changed ? { changed: true } : {}) };

    const claimKey = this.sk.claim(key);
    const itemKey = this.sk.item(key);
    const plan = new CasPlan(blobs);
    // A claim that learns nothing refreshes its last-seen time only once it is a day old.
    const touch = !existed || merge.claimChanged || nowMs - Number(claimHash.seen ?? 0) >= SEEN_REFRESH_MS;
    if (touch) plan.hset(claimKey, 'cats', JSON.stringify(merge.claim.categories), 'srcs', JSON.stringify(merge.claim.sources), 'seen', String(nowMs));
    if (!existed) plan.hset(claimKey, 'first', String(nowMs), 'saved', stored ? String(nowMs) : '0');
    if (hashes.hashes) plan.hset(claimKey, 'hashes', JSON.stringify(hashes.hashes));
    // A stored article that changed at its source keeps its work until it is saved again.
    if (hashes.changed && work) {
      plan.hset(claimKey, 'work', plan.blob(JSON.stringify({ ...work, changed: true })));
      plan.push(['ZADD', this.sk.pendingClaims, String(nowMs), key]);
    }
    for (const s of merge.addedSources) plan.push(['HINCRBY', this.sk.sourceItems, s, '1']);
    if (!stored) {
      // Not stored (yet, or any more): the claim may be forgotten once old enough.
      if (touch) plan.push(['ZADD', this.sk.unstoredClaims, String(nowMs), key]);
      if (work && (isNew || pending)) {
        plan.hset(claimKey, 'work', plan.blob(JSON.stringify(work)));
        plan.push(['ZADD', this.sk.pendingClaims, String(nowMs), key]);
      }
    } else if (merge.item) {
      const titles = titledCategory({ categories: merge.item.categories, publisher: itemHash.publisher ?? '' }) ?? '';
      plan.hset(itemKey, 'cats', JSON.stringify(merge.item.categories), 'srcs', JSON.stringify(merge.item.sources), 'titles', titles);
      for (const c of merge.item.addedCategories) {
        plan.push(['ZADD', this.sk.index(c), itemHash.pubms as string, key], ['SADD', this.sk.categories, c]);
      }
    }
    if (plan.empty) return { result, cas: null };
    return { result, cas: plan.entry([[claimKey, claimHash.rev, true], [itemKey, itemHash.rev, merge.item !== null]]) };
  }

  /** Field values of many hashes, one list per hash in the order of `fields`, in one call. */
  private async readHashes(keys: string[], fields: readonly string[]): Promise<(string | null)[][]> {
    if (keys.length === 0) return [];
    return (await READ_HASHES.run(this.redis, keys, fields)) as (string | null)[][];
  }

  /** Runs the compare-and-set of a batch in one call; 1 per entry written, 0 per entry to read again. */
  private async applyIfUnchanged(entries: CasEntry[], blobs: readonly string[]): Promise<number[]> {
    if (entries.length === 0) return [];
    return (await APPLY_IF_UNCHANGED.run(this.redis, [], [JSON.stringify(entries), ...blobs])) as number[];
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
    return this.saveBatch('saveItem', [item], item.key);
  }

  async saveItems(items: readonly Item[]): Promise<string[]> {
    return this.saveBatch('saveItems', items);
  }

  /** Saves `items` in compare-and-set rounds ({@link casRounds}); the union of the changed categories. */
  private async saveBatch(op: string, items: readonly Item[], key?: string): Promise<string[]> {
    if (items.length === 0) return [];
    // Refused before anything is written: one bad date fails the batch, not half of it.
    const millis = items.map((item) => ({ publishedMs: itemMillis(item, 'publishedAt'), storedMs: itemMillis(item, 'storedAt') }));
    const changed = new Set<string>();
    await this.run(
      op,
      () =>
        this.casRounds(
          'saves',
          items.map((item) => item.key),
          SAVE_READ,
          (i, claimRaw, itemRaw, nowMs, blobs) =>
            this.planSave(items[i] as Item, millis[i] as (typeof millis)[number], claimRaw, itemRaw, nowMs, blobs),
          (_i, plan) => {
            for (const slug of plan.changed) changed.add(slug);
          },
        ),
      key,
    );
    return [...changed];
  }

  /** What one save answers and writes, from its claim and item hashes as read. */
  private planSave(
    item: Item,
    incoming: { publishedMs: number; storedMs: number },
    claimRaw: (string | null)[],
    itemRaw: (string | null)[],
    nowMs: number,
    blobs: string[],
  ): { changed: string[]; cas: CasEntry | null } {
    const claimHash = fieldsOf(SAVE_READ, claimRaw);
    const itemHash = fieldsOf(SAVE_READ, itemRaw);
    const claimExisted = claimHash.cats !== null;
    const claim: ClaimRecord | null = claimExisted ? { categories: listOf(claimHash.cats), sources: listOf(claimHash.srcs) } : null;
    const existing =
      itemHash.pubms !== null
        ? {
            categories: listOf(itemHash.cats),
            sources: listOf(itemHash.srcs),
            publishedAt: itemHash.pub ?? item.publishedAt,
            storedAt: itemHash.stored ?? item.storedAt,
            updatedAt: itemHash.doc === null ? undefined : decodeItem(itemHash.doc).updatedAt,
          }
        : null;
    const merged = mergeItem(item, existing, claim);
    const doc = encodeItem(merged);
    const after = claimAfterSave(claim, merged);
    const saved = claimHash.saved !== null && claimHash.saved !== '0';
    const changed = withAll(merged.categories);
    // The same item saved again, with nothing new for its claim: nothing to write.
    if (
      existing && claim && saved && claimHash.work === null && after.addedSources.length === 0 &&
      sameList(after.categories, claim.categories) && itemHash.doc === doc && itemHash.publisher === merged.publisher
    ) {
      return { changed, cas: null };
    }
    const pubms = itemHash.pubms ?? String(incoming.publishedMs);
    const storedms = itemHash.storedms ?? String(incoming.storedMs);
    const claimKey = this.sk.claim(item.key);
    const itemKey = this.sk.item(item.key);
    const plan = new CasPlan(blobs);
    for (const s of after.addedSources) plan.push(['HINCRBY', this.sk.sourceItems, s, '1']);
    plan.hset(claimKey, 'cats', JSON.stringify(after.categories), 'srcs', JSON.stringify(after.sources));
    if (!claimExisted) plan.hset(claimKey, 'first', String(nowMs), 'seen', String(nowMs));
    if (!saved) plan.hset(claimKey, 'saved', String(nowMs));
    plan.push(['ZREM', this.sk.unstoredClaims, item.key], ['HDEL', claimKey, 'work'], ['ZREM', this.sk.pendingClaims, item.key]);
    plan.hset(
      itemKey, 'doc', plan.blob(doc), 'cats', JSON.stringify(merged.categories), 'srcs', JSON.stringify(merged.sources),
      'pub', merged.publishedAt, 'pubms', pubms, 'stored', merged.storedAt, 'storedms', storedms, 'publisher', merged.publisher,
      'titles', titledCategory(merged) ?? '',
    );
    plan.push(['ZADD', this.sk.index(ALL_SLUG), pubms, item.key]);
    for (const c of merged.categories) plan.push(['ZADD', this.sk.index(c), pubms, item.key], ['SADD', this.sk.categories, c]);
    plan.push(['ZADD', this.sk.expiry, String(Math.max(Number(pubms), Number(storedms))), item.key]);
    return { changed, cas: plan.entry([[claimKey, claimHash.rev, true], [itemKey, itemHash.rev, true]]) };
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
      // The fact saved with each newest item: which category it titles, and by which publisher.
      const heads = await this.exec(
        this.redis.pipeline(newest.map((key) => ['hmget', this.k.item(key ?? ''), 'pub', 'titles', 'publisher', 'cats'])),
      );
      const legacy = newest.filter((key, i) => key !== undefined && (heads[i] as (string | null)[])[2] === null);
      const docs = legacy.length === 0 ? [] : await this.exec(this.redis.pipeline(legacy.map((key) => ['hget', this.k.item(key ?? ''), 'doc'])));
      const legacyPublisher = new Map(legacy.map((key, i) => [key, docPublisher(docs[i] as string | null)]));
      const out: CategoryInfo[] = [];
      slugs.forEach((slug, i) => {
        const count = tops[2 * i] as number;
        if (count === 0) return;
        const [pub, titles, ownPublisher, cats] = heads[i] as (string | null)[];
        const publisher =
          titles !== null && ownPublisher !== null
            ? titles === slug ? ownPublisher : undefined
            : // Saved before the fact was stored (and maybe before `publisher` was a field of its own).
              categoryPublisher(
                { categories: JSON.parse(cats ?? '[]') as string[], publisher: ownPublisher ?? legacyPublisher.get(newest[i] ?? '') ?? '' },
                slug,
              );
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
    // One HSET, so a reader never sees half of an old and half of a new render; the ETag
    // index changes in the same transaction, so it never names a document not stored.
    await this.run('putRendered', () =>
      this.exec(
        this.redis
          .multi()
          .hset(
            this.k.rendered(name),
            'contentType', doc.contentType,
            'body', doc.body,
            'gzip', doc.gzip,
            'br', doc.br,
            'etag', doc.etag,
            'lastModified', doc.lastModified,
          )
          .hset(this.k.renderedEtags, name, doc.etag),
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
    await this.run('deleteRendered', () => this.exec(this.redis.multi().del(this.k.rendered(name)).hdel(this.k.renderedEtags, name)));
  }

  async renderedEtags(): Promise<Map<string, string>> {
    const hash = await this.run('renderedEtags', () => this.redis.hgetall(this.k.renderedEtags));
    return new Map(Object.entries(hash));
  }

  async getRendered(name: string): Promise<RenderedDoc | null> {
    const hash = await this.run('getRendered', () => this.redis.hgetallBuffer(this.k.rendered(name)));
    const { contentType, body, gzip, br, etag, lastModified } = hash;
    if (!contentType || !body || !gzip || !br || !etag || lastModified === undefined) return null;
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
    renderedEtags: `${prefix}rendered-etags`,
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
  return doc === null ? '' : (decodeItem(doc).publisher ?? '');
}

/** An HMGET answer as a record of the fields asked for. */
function fieldsOf<const F extends readonly string[]>(fields: F, values: readonly (string | null)[]): Fields<F> {
  const out = {} as Record<string, string | null>;
  fields.forEach((f, i) => {
    out[f] = values[i] ?? null;
  });
  return out as Fields<F>;
}

function listOf(raw: string | null): string[] {
  return raw === null ? [] : (JSON.parse(raw) as string[]);
}

function itemFromHash(hash: Record<string, string>): Item | null {
  if (hash.doc === undefined) return null;
  const doc = decodeItem(hash.doc);
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
