import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chooseStory, DEFAULT_STORY_RULES, storyEntry, storySpan } from '../../src/stories/index.js';
import { createRedisStore } from '../../src/store/redis.js';
import { cleanupRedis } from '../support/harness.js';
import { REDIS_URL } from '../support/redis-url.js';
import { storyCorpus } from '../fixtures/stories/corpus.js';
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

  it('places a page of about 500 articles in two round trips, however many stories it makes', async () => {
    const counted = connect();
    let commands: string[] = [];
    const send = counted.sendCommand.bind(counted);
    counted.sendCommand = ((command: { name: string }) => (commands.push(command.name), send(command as never))) as typeof counted.sendCommand;
    const store = createRedisStore({ redis: counted, prefix });
    const rules = DEFAULT_STORY_RULES;
    const corpus = storyCorpus();
    // The corpus four times over, a year apart, so each copy groups on its own.
    const entries = [0, 1, 2, 3].flatMap((copy) =>
      corpus.map((a) => storyEntry(`${copy}:${a.key}`, a.title, a.contentHtml, Date.parse(a.publishedAt) + copy * 365 * 24 * 3600_000)),
    );
    entries.sort((a, b) => a.publishedMs - b.publishedMs || (a.key < b.key ? -1 : 1));
    const warm = storyEntry('warm', '预热', '<p>预热</p>', 0);
    await store.stories.assign(warm, storySpan(0, rules), () => 'warm');
    commands = [];
    const placed = await store.stories.assignMany(
      entries.map((entry) => ({ entry, span: storySpan(entry.publishedMs, rules) })),
      (found, a) => chooseStory(a.entry, found, rules).storyId,
    );
    expect(commands).toEqual(['evalsha', 'evalsha']);
    const storyOf = new Map(entries.map((e, i) => [e.key, placed[i]?.storyId ?? '']));
    for (const a of corpus) {
      const first = storyOf.get(`0:${a.key}`)?.slice(2);
      for (const copy of [1, 2, 3]) expect(storyOf.get(`${copy}:${a.key}`)?.slice(2), a.key).toBe(first);
    }
    expect(new Set(placed.map((p) => p.storyId)).size).toBeLessThan(entries.length / 2);
    counted.disconnect();
  });

  it('reads the members of every story a page touched in one round trip', async () => {
    const counted = connect();
    await counted.ping();
    let commands: string[] = [];
    const send = counted.sendCommand.bind(counted);
    counted.sendCommand = ((command: { name: string }) => (commands.push(command.name), send(command as never))) as typeof counted.sendCommand;
    const store = createRedisStore({ redis: counted, prefix });
    const rules = DEFAULT_STORY_RULES;
    const entries = storyCorpus().map((a) => storyEntry(a.key, a.title, a.contentHtml, Date.parse(a.publishedAt)));
    const placed = await store.stories.assignMany(
      entries.map((entry) => ({ entry, span: storySpan(entry.publishedMs, rules) })),
      (found, a) => chooseStory(a.entry, found, rules).storyId,
    );
    const stories = [...new Set(placed.map((p) => p.storyId)), 'no-such-story'];
    commands = [];
    const members = await Promise.all(stories.map((id) => store.stories.members(id)));
    expect(commands).toEqual(['evalsha']);
    // Each as asked alone: its members, earliest first; nothing for a story never made.
    for (const [i, id] of stories.entries()) {
      const keys = entries.filter((_, j) => placed[j]?.storyId === id).sort((a, b) => a.publishedMs - b.publishedMs || (a.key < b.key ? -1 : 1)).map((e) => e.key);
      expect(members[i]?.map((m) => m.key)).toEqual(keys);
    }
    expect(members.at(-1)).toEqual([]);
    counted.disconnect();
  });

  it('records calls made while one is being recorded together, failing only the call whose choice failed', async () => {
    const counted = connect();
    let commands = 0;
    const send = counted.sendCommand.bind(counted);
    counted.sendCommand = ((command: never) => (commands++, send(command))) as typeof counted.sendCommand;
    const store = createRedisStore({ redis: counted, prefix });
    const rules = DEFAULT_STORY_RULES;
    const corpus = storyCorpus();
    await store.stories.assign(storyEntry('warm', '预热', '<p>预热</p>', 0), storySpan(0, rules), () => 'warm');
    commands = 0;
    // Every article of the corpus at once, each by its own call, as concurrent article jobs do.
    const calls = corpus.map((a) => {
      const entry = storyEntry(a.key, a.title, a.contentHtml, Date.parse(a.publishedAt));
      return store.stories.assign(entry, storySpan(entry.publishedMs, rules), (found) => {
        if (a.key === 'cpi-may#1') throw new Error('no story for cpi-may#1');
        return chooseStory(entry, found, rules).storyId;
      });
    });
    const settled = await Promise.allSettled(calls);
    // The first call flies alone; the others wait and go together, then again one by one after cpi-may#1 failed the group.
    expect(commands).toBeLessThanOrEqual(2 + 2 + 2 * corpus.length);
    expect(settled.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([expect.stringMatching(/cpi-may#1.*no story for cpi-may#1/s)]);
    expect(await store.stories.storyOf('cpi-may#1')).toBeNull();
    expect(await store.stories.storyOf('csrc-ipo#2')).toBe('csrc-ipo#0');

    // Without a failure the waiting calls share one flight: two round trips for all of them.
    commands = 0;
    const again = corpus.slice(0, 40).map((a) => {
      const entry = storyEntry(`again:${a.key}`, a.title, a.contentHtml, Date.parse(a.publishedAt) + 365 * 24 * 3600_000);
      return store.stories.assign(entry, storySpan(entry.publishedMs, rules), (found) => chooseStory(entry, found, rules).storyId);
    });
    await Promise.all(again);
    expect(commands).toBe(4);
    counted.disconnect();
  });

  it('looks a batch up again when another connection records or removes an article in a band it read before it could record', async () => {
    const held = connect();
    // Ready first: a command sent while connecting passes through sendCommand again once connected.
    await held.ping();
    // Runs `between` after this connection's next lookup is answered and before its record is sent.
    let between: (() => Promise<unknown>) | undefined;
    let scripts = 0;
    const send = held.sendCommand.bind(held);
    held.sendCommand = ((command: { name: string }) => {
      if (command.name !== 'evalsha' || between === undefined || ++scripts !== 2) return send(command as never);
      const run = between;
      between = undefined;
      return run().then(() => send(command as never));
    }) as typeof held.sendCommand;
    const store = createRedisStore({ redis: held, prefix });
    const otherStore = createRedisStore({ redis, prefix });
    const rules = DEFAULT_STORY_RULES;
    const corpus = storyCorpus();
    const entryOf = (key: string) => {
      const a = corpus.find((c) => c.key === key) as (typeof corpus)[number];
      return storyEntry(a.key, a.title, a.contentHtml, Date.parse(a.publishedAt));
    };
    const [original, reprint, third] = ['gold-record#0', 'gold-record#1', 'gold-record#2'].map(entryOf) as [ReturnType<typeof entryOf>, ReturnType<typeof entryOf>, ReturnType<typeof entryOf>];
    const span = (e: typeof original) => storySpan(e.publishedMs, rules);
    const placeNoting = (e: typeof original, shown: string[][]) =>
      store.stories.assign(e, span(e), (found) => {
        shown.push(found.map((c) => `${c.key}>${c.storyId}`).sort());
        return chooseStory(e, found, rules).storyId;
      });

    // The other connection records the original in between: the record is refused, and the lookup made again finds it.
    const shown: string[][] = [];
    scripts = 0;
    between = () => otherStore.stories.assign(original, span(original), () => 'gold-story');
    expect(await placeNoting(reprint, shown)).toBe('gold-story');
    expect(shown).toEqual([[], ['gold-record#0>gold-story']]);

    // The same when the other connection removes an article the lookup found.
    const seen: string[][] = [];
    scripts = 0;
    between = () => otherStore.stories.remove(original.key);
    expect(await placeNoting(third, seen)).toBe('gold-story');
    expect(seen).toEqual([['gold-record#0>gold-story', 'gold-record#1>gold-story'], ['gold-record#1>gold-story']]);
    expect((await otherStore.stories.members('gold-story')).map((m) => m.key).sort()).toEqual(['gold-record#1', 'gold-record#2']);
    held.disconnect();
  });

  it('places a batch of 6000 articles in one call, more than one function call can take as arguments', async () => {
    const store = createRedisStore({ redis, prefix });
    const rules = DEFAULT_STORY_RULES;
    const now = Date.now();
    const entries = Array.from({ length: 6000 }, (_, i) =>
      storyEntry(`NW${i}`, `第${i}号公告`, `<p>公司第${i}号公告：董事会审议通过第${i * 7}项议案，涉及金额${i * 13}万元。</p>`, now - i * 60_000),
    );
    const placed = await store.stories.assignMany(
      entries.map((entry) => ({ entry, span: storySpan(entry.publishedMs, rules) })),
      (found, a) => chooseStory(a.entry, found, rules).storyId,
    );
    expect(placed).toHaveLength(6000);
    expect(await store.stories.storyOf('NW5999')).toBe(placed[5999]?.storyId);
  });

  it('never records over another writer of a band whose set (and version) lapsed between the lookup and the write', async () => {
    const rules = DEFAULT_STORY_RULES;
    const own = connect();
    const other = connect();
    const a = createRedisStore({ redis: own, prefix });
    const b = createRedisStore({ redis: other, prefix });
    const title = '央行宣布降准';
    const body = '<p>中国人民银行5日宣布，决定于2月15日下调金融机构存款准备金率0.5个百分点，释放长期资金约1万亿元。</p>';
    const now = Date.now();
    const choose = (entry: ReturnType<typeof storyEntry>) => (found: Parameters<typeof chooseStory>[1]) => chooseStory(entry, found, rules).storyId;
    // The same text long before, outside the window of the copies below: it leaves versions
    // on its bands and no candidate in them. (It also loads the scripts.)
    const old = storyEntry('NW-old', title, body, now - 10 * rules.windowMs);
    await a.stories.assign(old, storySpan(old.publishedMs, rules), choose(old));
    // As if their band sets' newest write were a band lifetime ago: they lapse 300 ms from now.
    for (const band of old.bands) expect(await redis.pexpire(`${prefix}story:band:${band}`, 300)).toBe(1);

    const mine = storyEntry('NW-a', title, body, now);
    const theirs = storyEntry('NW-b', title, body, now + 1000);
    // Between this process's lookup and its write, the band sets have had time to lapse and
    // another process records its copy, which writes them again.
    let evals = 0;
    const send = own.sendCommand.bind(own);
    own.sendCommand = ((command: { name: string }) => {
      if (command.name !== 'evalsha' || ++evals !== 2) return send(command as never);
      return (async () => {
        await new Promise((r) => setTimeout(r, 500));
        await b.stories.assign(theirs, storySpan(theirs.publishedMs, rules), choose(theirs));
        return send(command as never);
      })();
    }) as typeof own.sendCommand;
    const placed = await a.stories.assign(mine, storySpan(mine.publishedMs, rules), choose(mine));

    // Two reprints saved at once still land in one story.
    expect(placed).toBe(await b.stories.storyOf('NW-b'));
    own.disconnect();
    other.disconnect();
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
    // What a lock-free assignment checks is one write log of the last seconds, not a key per band.
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}story:*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.filter((k) => !k.startsWith(`${prefix}story:band:`)).sort()).toEqual(
      ['entry:NW1', 'expiry', 'members:NW1', 'vseq', 'writes'].map((k) => `${prefix}story:${k}`),
    );
    const logTtl = await redis.pttl(`${prefix}story:writes`);
    expect(logTtl).toBeGreaterThan(0);
    expect(logTtl).toBeLessThanOrEqual(60_000);
    expect(await redis.pttl(`${prefix}story:entry:NW1`)).toBe(-1);
    expect(await redis.pttl(`${prefix}story:members:NW1`)).toBe(-1);
  });
});
