/**
 * Redis-mode soak: nothing lost, nothing doubled, nothing stuck while workers keep dying.
 *
 *   npx tsx bench/soak-redis.ts [--chaos=240] [--settle=300] [--port=6390]
 *
 * Starts its own redis-server on 127.0.0.1:<port> (--save "", AOF everysec, in a temp
 * dir; never the shared 6379), a fixture news site on 127.0.0.1 with 2,000 articles in
 * four feeds (each feed answers 304 once fetched; pages take 0.1–1 s, so jobs are in
 * flight when their worker dies), installs the sources' job schedulers, and runs two
 * `finews worker` processes. For `--chaos` seconds both workers are killed with -9
 * every 20 s and started again, and Redis itself is killed with -9 once and restarted
 * on its AOF. Then the workers are left alone for up to `--settle` seconds until the
 * queues are idle, and the soak prints: stored, duplicates, stuck jobs.
 *
 * Not part of npm test. Talks only to 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfigOrThrow } from '../src/config/load.js';
import { createRedisJobs, drainIdle } from '../src/queue/redis-runtime.js';
import { syncSchedulers } from '../src/queue/schedulers.js';
import { createRedisStore } from '../src/store/redis.js';
import type { Store } from '../src/store/store.js';
import { silentLogger } from '../src/util/log.js';
import { intBetween, seededRandom } from './lib/rng.js';
import { headline, newsCodeAt, paragraph, PUBLISHERS, rfc822Shanghai } from './lib/zh-text.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const ARTICLES = 2000;
const FEEDS = 4;
const KILL_EVERY_MS = 20_000;
const REDIS_DOWN_MS = 3_000;
const JOB_LOCK_MS = 5_000;
const PREFIX = 'soak:';

function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number`);
  return n;
}

interface Article {
  code: string;
  title: string;
  publisher: string;
  pubDate: string;
  paragraphs: string[];
}

function generateArticles(): Article[] {
  const rand = seededRandom(20221201);
  let ms = Date.parse('2022-03-30T18:00:00+08:00');
  return Array.from({ length: ARTICLES }, (_, i) => {
    ms -= intBetween(rand, 20, 300) * 1000;
    return {
      code: newsCodeAt(ms, i),
      title: `${headline(rand)}（${i + 1}）`,
      publisher: PUBLISHERS[i % PUBLISHERS.length] ?? '新华社',
      pubDate: rfc822Shanghai(ms),
      paragraphs: [paragraph(rand), paragraph(rand), paragraph(rand)],
    };
  });
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The fixture site: /rss/feed-N.xml (ETag, 304) and /a/<code>.html (slow). */
async function startSite(articles: Article[]): Promise<{ origin: string; server: Server; pageHits: Map<string, number> }> {
  const byCode = new Map(articles.map((a) => [a.code, a]));
  const pageHits = new Map<string, number>();
  const rand = seededRandom(7);
  let origin = '';
  const feeds = new Map<string, string>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const feed = feeds.get(url.pathname);
    if (feed !== undefined) {
      const etag = `"${url.pathname}-v1"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag });
      res.end(feed);
      return;
    }
    const code = /^\/a\/(\d+)\.html$/.exec(url.pathname)?.[1];
    const a = code === undefined ? undefined : byCode.get(code);
    if (!a) {
      res.writeHead(404).end();
      return;
    }
    pageHits.set(a.code, (pageHits.get(a.code) ?? 0) + 1);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>${a.title}_东方财富网</title></head><body>
<div class="newsContent"><h1>${a.title}</h1><div class="infos"><div class="item">来源：${a.publisher}</div></div>
<div id="ContentBody" class="txtinfos">${a.paragraphs.map((p) => `<p>&#12288;&#12288;${p}</p>`).join('\n')}
<p class="em_media">（文章来源：${a.publisher}）</p></div></div></body></html>`);
    }, intBetween(rand, 100, 1000));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (let f = 0; f < FEEDS; f++) {
    // Each feed carries its own quarter plus 50 of the next quarter: cross-feed duplicates.
    const per = ARTICLES / FEEDS;
    const items = [...articles.slice(f * per, (f + 1) * per), ...articles.slice(((f + 1) % FEEDS) * per, ((f + 1) % FEEDS) * per + 50)];
    feeds.set(
      `/rss/feed-${f}.xml`,
      `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>财经频道 ${f}</title><link>${origin}/</link>
${items.map((a) => `<item><title>${esc(a.title)}</title><link>${origin}/a/${a.code}.html</link><guid isPermaLink="false">${origin}/a/${a.code}.html</guid><pubDate>${a.pubDate}</pubDate><description>${esc(a.paragraphs[0] ?? '')}</description></item>`).join('\n')}
</channel></rss>`,
    );
  }
  return { origin, server, pageHits };
}

class RedisServer {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', this.dir];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    const probe = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        // Loading the AOF answers -LOADING; wait until it serves.
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        await sleep(100);
      }
    }
    throw new Error(`redis-server on ${this.port} did not start`);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'close');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One `finews worker` process whose log lines are counted by message. */
class WorkerProcess {
  readonly child: ChildProcess;
  constructor(configPath: string, redisUrl: string, counts: Map<string, number>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli.ts'), 'worker', '--config', configPath], {
      cwd: REPO_ROOT,
      env: { ...process.env, REDIS_URL: redisUrl, FINEWS_REDIS_PREFIX: PREFIX, FINEWS_JOB_LOCK_MS: String(JOB_LOCK_MS), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let rest = '';
    this.child.stderr?.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const msg = /"msg":"([^"]*)"/.exec(line)?.[1];
        if (msg) counts.set(msg, (counts.get(msg) ?? 0) + 1);
      }
    });
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await once(this.child, 'close');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await once(this.child, 'close');
  }
}

async function storedItems(store: Store): Promise<Array<{ key: string; url: string }>> {
  const out: Array<{ key: string; url: string }> = [];
  let before: string | null = null;
  for (;;) {
    const page = await store.listItems({ limit: 100, before });
    out.push(...page.items.map((i) => ({ key: i.key, url: i.url })));
    if (page.next === null) return out;
    before = page.next;
  }
}

async function main(): Promise<void> {
  const chaosMs = flag('chaos', 240) * 1000;
  const settleMs = flag('settle', 300) * 1000;
  const port = flag('port', 6390);
  const redisUrl = `redis://127.0.0.1:${port}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'finews-soak-'));
  const articles = generateArticles();
  const site = await startSite(articles);
  const redisServer = new RedisServer(port, dir);
  const workers: WorkerProcess[] = [];
  const counts = new Map<string, number>();
  const started = Date.now();
  const at = (): string => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s`;
  const log = silentLogger();
  try {
    await redisServer.start();
    const sources = Array.from({ length: FEEDS }, (_, f) => [
      `  - id: feed-${f}`,
      `    url: "${site.origin}/rss/feed-${f}.xml"`,
      `    categories: [finance]`,
    ]).flat();
    const configPath = path.join(dir, 'feeds.yaml');
    await writeFile(
      configPath,
      [
        'site:',
        '  title: "财经新闻聚合"',
        '  url: "https://finews.example.com"',
        '  timezone: "Asia/Shanghai"',
        '  retentionDays: 36500',
        'defaults:',
        '  every: 10s',
        '  timeout: 5s',
        // Killed workers keep their host slots until the limiter's lease lapses (10 s).
        'politeness:',
        '  perHost: 64',
        '  spacing: 0s',
        'sources:',
        ...sources,
        '',
      ].join('\n'),
    );
    const config = await loadConfigOrThrow(configPath);
    const setup = await createRedisJobs({ redisUrl, keyPrefix: PREFIX, log });
    await syncSchedulers(setup.queues.refresh, config, log);
    await setup.close();
    console.log(`${at()}  redis-server :${port} (AOF in ${dir}), site ${site.origin}: ${ARTICLES} articles in ${FEEDS} feeds`);

    const startWorkers = (): void => {
      workers.length = 0;
      for (let i = 0; i < 2; i++) workers.push(new WorkerProcess(configPath, redisUrl, counts));
    };
    startWorkers();
    let kills = 0;
    const chaosEnd = started + chaosMs;
    const redisRestart = (async () => {
      await sleep(chaosMs / 2);
      await redisServer.kill();
      console.log(`${at()}  redis-server killed -9`);
      await sleep(REDIS_DOWN_MS);
      await redisServer.start();
      console.log(`${at()}  redis-server restarted on its AOF`);
    })();
    while (Date.now() + KILL_EVERY_MS <= chaosEnd) {
      await sleep(KILL_EVERY_MS);
      await Promise.all(workers.map((w) => w.kill()));
      kills += 2;
      console.log(`${at()}  both workers killed -9 (${kills} kills); ${site.pageHits.size} articles' pages requested so far`);
      startWorkers();
    }
    await redisRestart;

    const chaosOver = Date.now();
    console.log(`${at()}  chaos over; settling (up to ${settleMs / 1000} s)`);
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
    redis.on('error', () => {});
    const store = createRedisStore({ redis, prefix: PREFIX, log });
    const probe = await createRedisJobs({ redisUrl, keyPrefix: PREFIX, log });
    const settleEnd = Date.now() + settleMs;
    let items = await storedItems(store);
    while (Date.now() < settleEnd) {
      items = await storedItems(store);
      const codes = new Set(items.map((i) => /\/a\/(\d+)\.html/.exec(i.url)?.[1]));
      if (codes.size >= ARTICLES && (await drainIdle(probe.queues, 0))) break;
      await sleep(2000);
    }
    const settledIn = Date.now();
    items = await storedItems(store);

    // Stored: distinct articles of the site among the stored items. Duplicates: stored items
    // beyond one per article. Stuck: jobs still waiting/running/delayed (scheduler ticks
    // aside), and article jobs failed for good whose item is not stored.
    const codes = new Set(items.map((i) => /\/a\/(\d+)\.html/.exec(i.url)?.[1]).filter((c): c is string => c !== undefined));
    const storedKeys = new Set(items.map((i) => i.key));
    let stuck = 0;
    for (const queue of [probe.queues.refresh, probe.queues.article, probe.queues.publish]) {
      const live = await queue.getJobs(['wait', 'active', 'prioritized', 'waiting-children', 'delayed']);
      stuck += live.filter((j) => !(j.repeatJobKey !== undefined && j.repeatJobKey !== null)).length;
    }
    const failedArticles = await probe.queues.article.getJobs(['failed']);
    stuck += failedArticles.filter((j) => j.id === undefined || !storedKeys.has(j.id)).length;
    const pendingClaims = await redis.zcard(`${PREFIX}claims:pending`);
    await Promise.all(workers.map((w) => w.stop()));
    await probe.close();
    redis.disconnect();

    console.log('');
    console.log(`stored: ${codes.size}`);
    console.log(`duplicates: ${items.length - codes.size}`);
    console.log(`stuck jobs: ${stuck}`);
    console.log('');
    const c = (msg: string): number => counts.get(msg) ?? 0;
    console.log(
      [
        `of ${ARTICLES} articles; ${kills} worker kills -9 every ${KILL_EVERY_MS / 1000} s over ${((chaosOver - started) / 1000).toFixed(0)} s, redis-server killed -9 and restarted once`,
        `settled ${((settledIn - chaosOver) / 1000).toFixed(0)} s after the chaos; claims still pending: ${pendingClaims}`,
        `article pages requested: ${[...site.pageHits.values()].reduce((a, b) => a + b, 0)} for ${site.pageHits.size} articles`,
        `worker log: ${c('job stalled (its worker stopped answering); it runs again')} jobs stalled, ${c('job failed for good')} failed for good, ` +
          `${c('re-queued article work claimed but never saved')} sweeps re-queued work, ${c('article page unavailable; storing the item from its feed content')} stored from feed content`,
      ].join('\n'),
    );
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await redisServer.kill();
    site.server.closeAllConnections();
    site.server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
