/**
 * The feed pipeline a user would write in an afternoon with the same stack, the
 * baseline of the ingest benchmark. Run as a process of its own:
 *
 *   tsx bench/lib/naive-pipeline.ts <feeds.json> <sqlite file> <redis prefix>
 *
 * For each feed URL (4 at a time): a GET, conditional on the ETag it saw last (kept in
 * SQLite); on 200, rss-parser → one pipelined `SET NX` per item (guid, else link) in a
 * single round trip per feed → one BullMQ job per new item, added with `addBulk`; a
 * BullMQ worker inserts each job's item into SQLite (WAL). It exits when every new
 * item is in SQLite, printing `{ newItems, duplicates, notModified }` as JSON.
 *
 * Batched where an afternoon's user would batch (the pipeline, addBulk); no
 * normalization, no sanitizing, no categories, no publishing, no retries beyond
 * BullMQ's default: the floor of the stack, not a feature-equal rival.
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import Parser from 'rss-parser';

interface ItemJob {
  key: string;
  title: string;
  link: string;
  publishedAt: string;
  content: string;
  feed: string;
}

async function main(): Promise<void> {
  const [feedsFile, dbFile, prefix] = process.argv.slice(2);
  if (feedsFile === undefined || dbFile === undefined || prefix === undefined) throw new Error('usage: naive-pipeline.ts <feeds.json> <sqlite file> <redis prefix>');
  const feeds = JSON.parse(readFileSync(feedsFile, 'utf8')) as string[];
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, title TEXT, link TEXT, published_at TEXT, content TEXT, feed TEXT);
           CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, etag TEXT)`);
  const insert = db.prepare('INSERT OR IGNORE INTO items (key, title, link, published_at, content, feed) VALUES (@key, @title, @link, @publishedAt, @content, @feed)');
  const etagOf = db.prepare<[string], { etag: string | null }>('SELECT etag FROM feeds WHERE url = ?');
  const saveEtag = db.prepare('INSERT INTO feeds (url, etag) VALUES (?, ?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag');

  const redis = new Redis(redisUrl);
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<ItemJob>('items', { connection, prefix: `${prefix}bull` });
  let stored = 0;
  let expected = 0;
  let producing = true;
  let finish: () => void = () => undefined;
  const allStored = new Promise<void>((resolve) => (finish = resolve));
  const checkDone = (): void => {
    if (!producing && stored >= expected) finish();
  };
  const worker = new Worker<ItemJob>(
    'items',
    async (job) => {
      insert.run(job.data);
    },
    { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix: `${prefix}bull`, concurrency: 32, removeOnComplete: { count: 0 } },
  );
  worker.on('completed', () => {
    stored++;
    checkDone();
  });
  worker.on('error', (err) => console.error(err));

  const parser = new Parser();
  let newItems = 0;
  let duplicates = 0;
  let notModified = 0;
  const refresh = async (url: string): Promise<void> => {
    const etag = etagOf.get(url)?.etag ?? null;
    const res = await fetch(url, { headers: etag === null ? {} : { 'if-none-match': etag } });
    if (res.status === 304) {
      notModified++;
      return;
    }
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    const feed = await parser.parseString(await res.text());
    const items = feed.items.flatMap((it): ItemJob[] => {
      const key = it.guid ?? it.link;
      if (key === undefined) return [];
      return [{ key, title: it.title ?? '', link: it.link ?? '', publishedAt: it.isoDate ?? '', content: (it['content:encoded'] as string | undefined) ?? it.content ?? '', feed: url }];
    });
    const claims = redis.pipeline();
    for (const it of items) claims.set(`${prefix}seen:${it.key}`, '1', 'NX');
    const results = (await claims.exec()) ?? [];
    const fresh = items.filter((_, i) => results[i]?.[1] === 'OK');
    duplicates += items.length - fresh.length;
    newItems += fresh.length;
    expected += fresh.length;
    if (fresh.length > 0) await queue.addBulk(fresh.map((data) => ({ name: 'item', data, opts: { removeOnComplete: true } })));
    const next = res.headers.get('etag');
    if (next !== null) saveEtag.run(url, next);
  };

  const pending = [...feeds];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let url = pending.shift(); url !== undefined; url = pending.shift()) await refresh(url);
    }),
  );
  producing = false;
  checkDone();
  await allStored;
  await worker.close();
  await queue.close();
  connection.disconnect();
  redis.disconnect();
  db.close();
  process.stdout.write(`${JSON.stringify({ newItems, duplicates, notModified })}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
