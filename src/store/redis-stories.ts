import type { Redis } from 'ioredis';
import { FinewsError } from '../errors.js';
import { storeFailure } from './item-merge.js';
import { LuaScript } from './lua-script.js';
import {
  CANDIDATES_PER_BAND,
  type ChooseStory,
  type ChooseStoryFor,
  type StoryAssignment,
  type StoryEntry,
  type StoryIndex,
  type StoryIndexed,
  type StoryMember,
  type StoryPlacement,
  type StorySpan,
} from './stories.js';

export interface RedisStoryIndexOptions {
  /** Connected ioredis client, owned by the caller. */
  redis: Redis;
  /** The store's key prefix; the index writes under `<prefix>story:`. */
  prefix: string;
  /**
   * How long `assign` keeps trying when other writers keep changing the bands it looked
   * up before it can record its batch, ms; then it fails (retryable).
   * @defaultValue 15000
   */
  conflictWaitMs?: number;
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

/**
 * How old a lookup may be when its batch is recorded, ms; an older one is looked up
 * again. It bounds how long the write log ({@link WRITES}) must keep what was written.
 */
const SNAPSHOT_MAX_AGE_MS = 10_000;

/** How long the write log keeps an entry, ms (server clock): longer than any lookup it is checked against lives. */
const WRITES_KEPT_MS = SNAPSHOT_MAX_AGE_MS + 1_000;

const PRUNE_BATCH = 500;

/** The server's clock in ms, inside a script. */
const NOW_MS = `local function now_ms() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end`;

/**
 * The write log, which the scripts share: how a record tells whether any band it looked
 * up was written since. Every script that adds a key to band sets or removes one draws one
 * number from a counter that only grows (`vseq`) and adds one entry to the sorted set
 * `writes` (score that number; member the number, the server ms and the JSON list of the
 * bands it wrote), dropping entries older than {@link WRITES_KEPT_MS} as it goes (and the
 * whole log that long after its last write). A lookup reads the counter; its record reads
 * the entries numbered after it, all of them (as many as numbers were drawn since, or the
 * log cannot tell and the batch is looked up again), and compares their bands with its
 * own: one read however many bands, where a version per band cost a read of each band at
 * the lookup and again at the record. A band set that lapses between the lookup and the
 * record was written by no one: its candidates were entries all the same, and whoever
 * writes the band again is in the log.
 */
const WRITES = `
local function log_writes(base, bands, now)
  if #bands == 0 then return end
  local token = redis.call('INCR', base .. 'vseq')
  local wk = base .. 'writes'
  local parts = {}
  for i, band in ipairs(bands) do parts[i] = cjson.encode(band) end
  redis.call('ZADD', wk, token, string.format('%d %d [', token, now) .. table.concat(parts, ',') .. ']')
  -- Entries older than any live lookup, oldest first: a few at a time, as each write adds one.
  local old = redis.call('ZRANGE', wk, 0, 7)
  local drop = 0
  for _, m in ipairs(old) do
    local at = tonumber(string.match(m, '^%d+ (%d+) '))
    if at == nil or now - at <= ${WRITES_KEPT_MS} then break end
    drop = drop + 1
  end
  if drop > 0 then redis.call('ZREMRANGEBYRANK', wk, 0, drop - 1) end
  -- A quiet index keeps no log at all.
  redis.call('PEXPIRE', wk, ${WRITES_KEPT_MS})
end
-- The log's number as a lookup reads it.
local function log_seq(base) return tonumber(redis.call('GET', base .. 'vseq') or '0') end
-- True when some script wrote one of \`mine\` (a set of bands) after \`seq\`, or the log no longer tells.
local function written_since(base, seq, mine)
  local entries = redis.call('ZRANGEBYSCORE', base .. 'writes', '(' .. string.format('%d', seq), '+inf')
  if #entries ~= log_seq(base) - seq then return true end
  for _, m in ipairs(entries) do
    for _, band in ipairs(cjson.decode(string.sub(m, string.find(m, '[', 1, true), -1))) do
      if mine[band] then return true end
    end
  end
  return false
end`;

/**
 * Removes the record of `key` (its bands, membership and, with `expiry`, its expiry
 * entry), noting the bands it leaves in `touched`; returns its story, or false when it
 * was not indexed.
 */
const UNINDEX = `
local function unindex(base, key, expiry, touched)
  local ek = base .. 'entry:' .. key
  local old = redis.call('HMGET', ek, 'bands', 'published', 'story')
  if expiry then redis.call('ZREM', base .. 'expiry', key) end
  if not old[1] or not old[2] or not old[3] then return false end
  for _, band in ipairs(cjson.decode(old[1])) do
    if redis.call('ZREM', base .. 'band:' .. band, key) == 1 then touched[#touched + 1] = band end
  end
  redis.call('ZREM', base .. 'members:' .. old[3], key)
  redis.call('DEL', ek)
  return old[3]
end`;

/**
 * The lookups of a batch, as one consistent read. ARGV: base, per-band limit, count n,
 * then per assignment: key, since, until, band count, bands. For assignment i, each
 * band lists the `limit` members published last within the span, skipping keys an
 * earlier assignment of the batch records again (the writer replaces those records
 * before i's turn, so i must see the new ones, which the caller adds). Replies
 * { server ms, { key, fp, published, story, … } of the distinct entries listed,
 * the write log's number, per assignment per band the 1-based positions of its entries
 * in the first list }. A member without an entry (which the scripts never leave behind,
 * but band sets written before the write log carry a version member) is passed over.
 */
const LOOKUP = new LuaScript(
  'story-lookup',
  `${NOW_MS}
${WRITES}
local base, limit, n = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local asg, first, pos = {}, {}, 4
for i = 1, n do
  local key, nb = ARGV[pos], tonumber(ARGV[pos + 3])
  asg[i] = { key = key, since = ARGV[pos + 1], till = ARGV[pos + 2], from = pos + 4, nb = nb }
  if first[key] == nil then first[key] = i end
  pos = pos + 4 + nb
end
local entries, at, count = {}, {}, 0
local lists = {}
for i = 1, n do
  local a = asg[i]
  local per = {}
  for b = 1, a.nb do
    local band = ARGV[a.from + b - 1]
    local got, offset = {}, 0
    while #got < limit do
      local page = redis.call('ZREVRANGEBYSCORE', base .. 'band:' .. band, a.till, a.since, 'LIMIT', offset, limit)
      for _, m in ipairs(page) do
        local f = first[m]
        if f == nil or f >= i then
          local p = at[m]
          if p == nil then
            local row = redis.call('HMGET', base .. 'entry:' .. m, 'fp', 'published', 'story')
            p = false
            if row[1] and row[2] and row[3] then
              count = count + 1
              p = count
              entries[#entries + 1] = m
              entries[#entries + 1] = row[1]
              entries[#entries + 1] = row[2]
              entries[#entries + 1] = row[3]
            end
            at[m] = p
          end
          if p then
            got[#got + 1] = p
            if #got == limit then break end
          end
        end
      end
      if #page < limit then break end
      offset = offset + limit
    end
    per[b] = got
  end
  lists[i] = per
end
return { now_ms(), entries, log_seq(base), lists }`,
);

/**
 * Records a batch if no band it looked up was written since: the compare-and-set half of
 * an assignment. ARGV: base, band ttl ms, recording time ms, the lookup's server ms, the
 * lookup's write log number, then per assignment (the lookup's assignments, with the same
 * bands): key, fp, published, story, band count, bands. Replies { 0 } when a band was
 * written (or the lookup is too old to tell), else { 1, { { 0 } or { 1, previous story }
 * per assignment } }.
 */
const RECORD = new LuaScript(
  'story-record',
  `${NOW_MS}
${WRITES}
${UNINDEX}
local base, bandTtl, recorded, readAt, seq = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms()
if now - readAt > ${SNAPSHOT_MAX_AGE_MS} then return { 0 } end
-- The distinct bands of the batch, in first-seen order.
local mine, order = {}, {}
local at = 6
while at <= #ARGV do
  local nb = tonumber(ARGV[at + 4])
  for b = at + 5, at + 4 + nb do
    local band = ARGV[b]
    if not mine[band] then
      mine[band] = true
      order[#order + 1] = band
    end
  end
  at = at + 5 + nb
end
if written_since(base, seq, mine) then return { 0 } end
local pos = 6
local out = {}
local touched = {}
-- Each band set written gets its expiry once, the latest its writes ask for.
local expires = {}
while pos <= #ARGV do
  local key, fp, published, story, nb = ARGV[pos], ARGV[pos + 1], ARGV[pos + 2], ARGV[pos + 3], tonumber(ARGV[pos + 4])
  -- The expiry entry is written again below: only the rest of an earlier record goes.
  local previous = unindex(base, key, false, touched)
  local expiry = math.max(tonumber(published), recorded)
  local bands = {}
  for b = 1, nb do bands[b] = cjson.encode(ARGV[pos + 4 + b]) end
  redis.call('HSET', base .. 'entry:' .. key, 'fp', fp, 'bands', '[' .. table.concat(bands, ',') .. ']', 'published', published, 'story', story)
  for b = 1, nb do
    local band = ARGV[pos + 4 + b]
    redis.call('ZADD', base .. 'band:' .. band, published, key)
    local e = expires[band]
    if e == nil or expiry > e then expires[band] = expiry end
  end
  redis.call('ZADD', base .. 'members:' .. story, published, key)
  redis.call('ZADD', base .. 'expiry', string.format('%d', expiry), key)
  out[#out + 1] = previous and { 1, previous } or { 0 }
  pos = pos + 5 + nb
end
for _, band in ipairs(order) do
  redis.call('PEXPIREAT', base .. 'band:' .. band, string.format('%d', expires[band] + bandTtl))
end
for _, band in ipairs(touched) do
  if not mine[band] then order[#order + 1] = band end
end
log_writes(base, order, now)
return { 1, out }`,
);

/**
 * Forgets keys: ARGV base, cut ms ('' for none), keys. With a cut, only keys whose
 * expiry is still before it (a key recorded again since it was listed stays). Replies
 * how many were forgotten.
 */
const FORGET = new LuaScript(
  'story-forget',
  `${NOW_MS}
${WRITES}
${UNINDEX}
local base, cut, removed = ARGV[1], ARGV[2], 0
local touched = {}
for i = 3, #ARGV do
  local key = ARGV[i]
  local score = cut ~= '' and redis.call('ZSCORE', base .. 'expiry', key)
  if cut == '' or (score and tonumber(score) < tonumber(cut)) then
    unindex(base, key, true, touched)
    removed = removed + 1
  end
end
log_writes(base, touched, now_ms())
return removed`,
);

/** The members of stories: ARGV base, story ids. Replies per story its flat [key, publishedAt ms, …], earliest first. */
const MEMBERS = new LuaScript(
  'story-members',
  `local out = {}
for i = 2, #ARGV do out[i - 1] = redis.call('ZRANGE', ARGV[1] .. 'members:' .. ARGV[i], 0, -1, 'WITHSCORES') end
return out`,
);

/** Most assignments of calls made at once that one flight records together. */
const GROUP_ASSIGNMENTS = 1000;

/** An `assignMany` call waiting for its flight. */
interface QueuedAssignment {
  assignments: readonly StoryAssignment[];
  choose: ChooseStoryFor<StoryAssignment>;
  resolve: (placed: StoryPlacement[]) => void;
  reject: (err: unknown) => void;
}

type LookupReply = [number, string[], number, number[][][]];
type RecordReply = [0] | [1, ([0] | [1, string])[]];

/** An entry recorded by an earlier assignment of the batch being chosen for. */
interface BatchRecord {
  indexed: StoryIndexed;
  bands: readonly string[];
}

/**
 * The story index of Redis mode. Layout under `<prefix>story:`: `band:<value>` sorted
 * sets (member key, score publishedAt ms; expiring `bandTtlMs` after their newest write,
 * since lookups only look within a story window), `entry:<key>` hashes (fingerprint,
 * bands, published, story), `members:<storyId>` sorted sets (score publishedAt ms),
 * `expiry` (score max(publishedAt, recorded) ms, for pruning), and the write log: `vseq`,
 * the counter its entries are numbered by, and `writes`, the bands each script wrote in
 * the last few seconds.
 *
 * Assignment takes no lock: a batch is looked up in one script (one round trip, one
 * consistent read, with the number of the last write it saw), chosen for here, and
 * recorded by a second script only if no later write touched a band it looked up;
 * otherwise it is looked up and chosen for again. A writer never waits for another, and
 * two reprints saved at once still land in one story: the second to record finds the
 * first's write to a band it read, looks again and joins it. Within a process, calls
 * made while one is being recorded wait and go together in the next batch, so only
 * writers in other processes ever make an assignment look again.
 */
export class RedisStoryIndex implements StoryIndex {
  private readonly redis: Redis;
  private readonly base: string;
  private readonly conflictWaitMs: number;
  private readonly bandTtlMs: number;
  private readonly waiting: QueuedAssignment[] = [];
  /** {@link members} calls not yet sent. */
  private readonly membersWanted: { storyId: string; resolve: (members: StoryMember[]) => void; reject: (err: unknown) => void }[] = [];
  private flying = false;

  constructor(opts: RedisStoryIndexOptions) {
    this.redis = opts.redis;
    this.base = `${opts.prefix}story:`;
    this.conflictWaitMs = opts.conflictWaitMs ?? 15_000;
    this.bandTtlMs = opts.bandTtlMs ?? 7 * 24 * 3600_000;
  }

  async assign(entry: StoryEntry, span: StorySpan, choose: ChooseStory): Promise<string> {
    const [placed] = await this.assignMany([{ entry, span }], (candidates) => choose(candidates));
    return (placed as StoryPlacement).storyId;
  }

  async assignMany<A extends StoryAssignment>(assignments: readonly A[], choose: ChooseStoryFor<A>): Promise<StoryPlacement[]> {
    if (assignments.length === 0) return [];
    return new Promise((resolve, reject) => {
      this.waiting.push({ assignments, choose: choose as ChooseStoryFor<StoryAssignment>, resolve, reject });
      if (!this.flying) void this.fly();
    });
  }

  /**
   * Records what is waiting, one flight at a time: the calls made while a flight is under
   * way go together in the next, as one batch in their order. So the writers of one
   * process never race each other (only other processes can make a flight look again),
   * and concurrent callers share round trips.
   */
  private async fly(): Promise<void> {
    this.flying = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.nextGroup();
        if (group.length === 1) {
          await this.settle(group[0] as QueuedAssignment);
          continue;
        }
        const all = group.flatMap((q) => q.assignments.map((a, i) => ({ entry: a.entry, span: a.span, q, a, i })));
        try {
          const placed = await this.assignNow(all, (candidates, x) => x.q.choose(candidates, x.a, x.i));
          let at = 0;
          for (const q of group) {
            q.resolve(placed.slice(at, at + q.assignments.length));
            at += q.assignments.length;
          }
        } catch {
          // One caller's choice may have failed the group: each again on its own, so only that one fails.
          for (const q of group) await this.settle(q);
        }
      }
    } finally {
      this.flying = false;
    }
  }

  /** The calls waiting longest, up to {@link GROUP_ASSIGNMENTS} assignments (at least one call). */
  private nextGroup(): QueuedAssignment[] {
    const group: QueuedAssignment[] = [this.waiting.shift() as QueuedAssignment];
    let size = (group[0] as QueuedAssignment).assignments.length;
    while (this.waiting.length > 0 && size + (this.waiting[0] as QueuedAssignment).assignments.length <= GROUP_ASSIGNMENTS) {
      const q = this.waiting.shift() as QueuedAssignment;
      size += q.assignments.length;
      group.push(q);
    }
    return group;
  }

  private async settle(q: QueuedAssignment): Promise<void> {
    try {
      q.resolve(await this.assignNow(q.assignments, q.choose));
    } catch (err) {
      q.reject(err);
    }
  }

  /** Looks up, chooses and records `assignments` until no other writer changed what it read in between. */
  private async assignNow<A extends StoryAssignment>(assignments: readonly A[], choose: ChooseStoryFor<A>): Promise<StoryPlacement[]> {
    const first = (assignments[0] as A).entry.key;
    const label = assignments.length === 1 ? first : `${first} and ${assignments.length - 1} more`;
    return this.run(
      'assign',
      async () => {
        const deadline = Date.now() + this.conflictWaitMs;
        for (let attempt = 1; ; attempt++) {
          const placed = await this.tryAssign(assignments, choose);
          if (placed !== null) return placed;
          if (Date.now() > deadline) {
            throw new FinewsError(
              'store-unavailable',
              `redis story index ${this.base}: the bands looked up kept changing before the assignment could be recorded (${attempt} attempts in ${this.conflictWaitMs} ms)`,
              { retryable: true },
            );
          }
        }
      },
      label,
    );
  }

  /** One lookup, choice and conditional write of the batch; null when another writer changed a band it read. */
  private async tryAssign<A extends StoryAssignment>(assignments: readonly A[], choose: ChooseStoryFor<A>): Promise<StoryPlacement[] | null> {
    const bandsOf = assignments.map((a) => [...new Set(a.entry.bands)]);
    const args: (string | number)[] = [this.base, CANDIDATES_PER_BAND, assignments.length];
    assignments.forEach((a, i) => {
      const bands = bandsOf[i] as string[];
      args.push(a.entry.key, a.span.sinceMs, a.span.untilMs, bands.length, ...bands);
    });
    const [readAt, flat, seq, lists] = (await LOOKUP.run(this.redis, [], args)) as LookupReply;
    const stored: StoryIndexed[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      stored.push({ key: flat[i] as string, fingerprint: flat[i + 1] as string, publishedMs: Number(flat[i + 2]), storyId: flat[i + 3] as string });
    }

    // The batch's own records so far, latest per key, and by band value.
    const recorded = new Map<string, BatchRecord>();
    const byBand = new Map<string, Set<BatchRecord>>();
    const stories = assignments.map((a, i): string => {
      const { entry, span } = a;
      const found = new Map<string, StoryIndexed>();
      (bandsOf[i] as string[]).forEach((band, b) => {
        const fromStore = ((lists[i] as number[][])[b] ?? []).map((p) => stored[p - 1] as StoryIndexed);
        for (const c of topOfBand(fromStore, byBand.get(band), span)) if (c.key !== entry.key && !found.has(c.key)) found.set(c.key, c);
      });
      const storyId = choose([...found.values()], a, i);
      const previous = recorded.get(entry.key);
      if (previous) for (const band of previous.bands) byBand.get(band)?.delete(previous);
      const record: BatchRecord = { indexed: { key: entry.key, fingerprint: entry.fingerprint, publishedMs: entry.publishedMs, storyId }, bands: bandsOf[i] as string[] };
      recorded.set(entry.key, record);
      for (const band of record.bands) {
        let set = byBand.get(band);
        if (set === undefined) byBand.set(band, (set = new Set()));
        set.add(record);
      }
      return storyId;
    });

    const write: (string | number)[] = [this.base, this.bandTtlMs, Date.now(), readAt, seq];
    assignments.forEach((a, i) => {
      const { entry } = a;
      const bands = bandsOf[i] as string[];
      write.push(entry.key, entry.fingerprint, entry.publishedMs, stories[i] as string, bands.length);
      for (const band of bands) write.push(band);
    });
    const reply = (await RECORD.run(this.redis, [], write)) as RecordReply;
    if (reply[0] === 0) return null;
    return reply[1].map((r, i) => ({ storyId: stories[i] as string, previousStoryId: r[0] === 1 ? r[1] : null }));
  }

  async candidates(bands: readonly string[], span: StorySpan): Promise<StoryIndexed[]> {
    return this.run('candidates', async () => {
      const unique = [...new Set(bands)];
      const [, flat] = (await LOOKUP.run(this.redis, [], [this.base, CANDIDATES_PER_BAND, 1, '', span.sinceMs, span.untilMs, unique.length, ...unique])) as LookupReply;
      const out: StoryIndexed[] = [];
      for (let i = 0; i + 3 < flat.length; i += 4) {
        out.push({ key: flat[i] as string, fingerprint: flat[i + 1] as string, publishedMs: Number(flat[i + 2]), storyId: flat[i + 3] as string });
      }
      return out;
    });
  }

  async storyOf(key: string): Promise<string | null> {
    return this.run('storyOf', () => this.redis.hget(this.entryKey(key), 'story'), key);
  }

  /**
   * Calls made in one go (as a batch's placements ask for their stories' members, each
   * call made before any is awaited) share one script: one command for all of them rather
   * than one round trip each.
   */
  members(storyId: string): Promise<StoryMember[]> {
    return new Promise((resolve, reject) => {
      if (this.membersWanted.length === 0) queueMicrotask(() => void this.readMembers());
      this.membersWanted.push({ storyId, resolve, reject });
    });
  }

  /** Answers the {@link members} calls waiting, with one script. */
  private async readMembers(): Promise<void> {
    const wanted = this.membersWanted.splice(0);
    try {
      const lists = (await this.run('members', () => MEMBERS.run(this.redis, [], [this.base, ...wanted.map((w) => w.storyId)]))) as string[][];
      wanted.forEach((w, i) => {
        const flat = lists[i] ?? [];
        const out: StoryMember[] = [];
        for (let j = 0; j + 1 < flat.length; j += 2) out.push({ key: flat[j] as string, publishedMs: Number(flat[j + 1]) });
        // Sorted-set order breaks score ties by member bytes, the same as ordering by key.
        w.resolve(out);
      });
    } catch (err) {
      for (const w of wanted) w.reject(err);
    }
  }

  async remove(key: string): Promise<void> {
    await this.run('remove', () => FORGET.run(this.redis, [], [this.base, '', key]), key);
  }

  async prune(before: Date): Promise<number> {
    return this.run('prune', async () => {
      let removed = 0;
      for (;;) {
        const keys = await this.redis.zrangebyscore(this.expiryKey, '-inf', `(${before.getTime()}`, 'LIMIT', 0, PRUNE_BATCH);
        if (keys.length === 0) return removed;
        removed += Number(await FORGET.run(this.redis, [], [this.base, before.getTime(), ...keys]));
        if (keys.length < PRUNE_BATCH) return removed;
      }
    });
  }

  private get expiryKey(): string {
    return `${this.base}expiry`;
  }
  private entryKey(key: string): string {
    return `${this.base}entry:${key}`;
  }

  private async run<T>(op: string, fn: () => Promise<T>, key?: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw storeFailure(`redis story index ${this.base}`, key === undefined ? op : `${op} ${key}`, err);
    }
  }
}

/**
 * One band's candidates for an assignment of a batch: of the stored entries listed
 * (published last first) and the batch's earlier records within `span`, the
 * {@link CANDIDATES_PER_BAND} published last (ties: greater key first, the sorted
 * set's order), as a lookup after those records were written would list them.
 */
function topOfBand(fromStore: StoryIndexed[], fromBatch: Set<BatchRecord> | undefined, span: StorySpan): StoryIndexed[] {
  if (fromBatch === undefined || fromBatch.size === 0) return fromStore;
  const merged = [...fromStore];
  for (const r of fromBatch) if (r.indexed.publishedMs >= span.sinceMs && r.indexed.publishedMs <= span.untilMs) merged.push(r.indexed);
  if (merged.length === fromStore.length) return fromStore;
  merged.sort((x, y) => y.publishedMs - x.publishedMs || (x.key < y.key ? 1 : x.key > y.key ? -1 : 0));
  return merged.slice(0, CANDIDATES_PER_BAND);
}
