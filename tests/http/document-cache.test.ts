import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentCache } from '../../src/http/document-cache.js';
import { buildServer, startServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics.js';
import { publishCategories } from '../../src/pipeline/publish.js';
import { compose } from '../../src/runtime/compose.js';
import { resolveOptions } from '../../src/runtime/options.js';
import { feedDocName } from '../../src/publish/doc-names.js';
import { createRedisStore } from '../../src/store/redis.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/log.js';
import { isFinewsError } from '../../src/errors.js';
import { REDIS_URL } from '../support/redis-url.js';
import { cinnItem, PUBLISHED_AT, stcnItem, testConfig } from './harness.js';

/** `store` with every call counted by method name. */
function counting(store: Store): { store: Store; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(prop, (calls.get(prop) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: counted, calls };
}

const URLS = ['/feeds/all.xml', '/feeds/zhongguogongyebao.atom', '/feeds/all.json', '/feeds.opml', '/', '/category/zhongguogongyebao.html', '/category/all.html', '/api/categories'];
const ENCODINGS = [undefined, 'gzip', 'br, gzip'];
const SHOWN_HEADERS = ['content-type', 'content-encoding', 'vary', 'etag', 'last-modified', 'cache-control', 'content-length'];

describe('documents served from memory', () => {
  let dir: string;
  let base: Store;
  const config = testConfig();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'finews-documents-'));
    base = openSqliteStore(join(dir, 'finews.db'));
    for (let n = 1; n <= 12; n++) await base.saveItem(cinnItem(n));
    for (let n = 20; n <= 23; n++) await base.saveItem(stcnItem(n));
    await base.putSourceState({ id: 'cinn-industry', lastFetchAt: '2022-03-30T09:50:00+08:00', lastStatus: 200, consecutiveFailures: 0, items: 12 });
    await publishCategories({ config: () => config, store: base, metrics: createMetrics(), now: () => PUBLISHED_AT }, ['zhongguogongyebao', 'all']);
  });
  afterAll(async () => {
    await base.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 200, 304 and HEAD in every encoding with no store call, holding one document per name', async () => {
    const { store, calls } = counting(base);
    const documents = new DocumentCache(store, { pollMs: 0 });
    const app = buildServer({ config: () => config, store, metrics: createMetrics(), log: silentLogger(), ready: async () => undefined, documents });
    try {
      await app.ready();
      const held = documents.size;
      expect(held).toBe((await base.renderedEtags()).size);
      calls.clear();
      for (let round = 0; round < 25; round++) {
        for (const url of URLS) {
          for (const enc of ENCODINGS) {
            const headers = enc === undefined ? {} : { 'accept-encoding': enc };
            const res = await app.inject({ url, headers });
            expect(res.statusCode, url).toBe(200);
            const head = await app.inject({ method: 'HEAD', url, headers });
            expect(head.statusCode, url).toBe(200);
            expect(head.rawPayload.length, url).toBe(0);
            if (res.headers.etag !== undefined) {
              const again = await app.inject({ url, headers: { ...headers, 'if-none-match': res.headers.etag as string } });
              expect(again.statusCode, url).toBe(304);
            }
          }
        }
      }
      expect(Object.fromEntries(calls)).toEqual({});
      expect(documents.size).toBe(held);
    } finally {
      await app.close();
    }
  });

  it('answers pages and /api/categories byte for byte as when they were built on request', async () => {
    const published = buildServer({ config: () => config, store: base, metrics: createMetrics(), log: silentLogger(), ready: async () => undefined });
    // A store that shows no rendered document: every page is built for its request.
    const bare: Store = Object.assign(Object.create(base) as Store, {
      renderedEtags: async () => new Map<string, string>(),
      getRendered: async (name: string) => (name.startsWith('feed:') || name === 'opml' ? base.getRendered(name) : null),
    });
    const onRequest = buildServer({ config: () => config, store: bare, metrics: createMetrics(), log: silentLogger(), ready: async () => undefined });
    try {
      for (const url of URLS) {
        for (const enc of ENCODINGS) {
          const headers = enc === undefined ? {} : { 'accept-encoding': enc };
          const a = await published.inject({ url, headers });
          const b = await onRequest.inject({ url, headers });
          const shown = (h: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(SHOWN_HEADERS.map((k) => [k, h[k]]));
          expect(a.statusCode, url).toBe(200);
          expect(shown(a.headers), `${url} ${enc}`).toEqual(shown(b.headers));
          expect(a.rawPayload.equals(b.rawPayload), `${url} ${enc}`).toBe(true);
        }
      }
    } finally {
      await published.close();
      await onRequest.close();
    }
  });
});

describe('a serving process on its own Redis connection', () => {
  const prefix = `finews-test:${randomBytes(6).toString('hex')}:`;
  const POLL_MS = 200;
  // Loading a changed 500 KB document and the HTTP round trip, on a busy shared machine.
  const SLACK_MS = 1_500;
  const config = testConfig();
  let publisherRedis: Redis;
  let serverRedis: Redis;

  beforeAll(() => {
    publisherRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    serverRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await publisherRedis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await publisherRedis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    publisherRedis.disconnect();
    serverRedis.disconnect();
  });

  it('serves a document another process published within the poll interval and a read', async () => {
    const publisher = createRedisStore({ redis: publisherRedis, prefix });
    const deps = { config: () => config, store: publisher, metrics: createMetrics(), now: () => PUBLISHED_AT };
    for (let n = 1; n <= 3; n++) await publisher.saveItem(cinnItem(n));
    await publishCategories(deps, ['zhongguogongyebao', 'all']);

    const served = createRedisStore({ redis: serverRedis, prefix });
    const documents = new DocumentCache(served, { pollMs: POLL_MS });
    const server = await startServer({ config: () => config, store: served, metrics: createMetrics(), log: silentLogger(), ready: async () => undefined, documents }, { host: '127.0.0.1', port: 0 });
    try {
      const first = await fetch(`${server.url}/feeds/all.xml`);
      expect(first.status).toBe(200);
      const oldEtag = first.headers.get('etag');

      for (let round = 1; round <= 3; round++) {
        await publishCategories(deps, await publisher.saveItem(cinnItem(40 + round, { title: `工信部：第${round}次发布会` })));
        const stored = (await publisher.getRendered(feedDocName('all', 'rss')))?.etag;
        expect(stored).not.toBe(oldEtag);
        const publishedAt = Date.now();
        const shows = async (check: () => Promise<boolean>): Promise<boolean> => {
          while (Date.now() - publishedAt < POLL_MS + SLACK_MS) {
            if (await check()) return true;
            await new Promise((r) => setTimeout(r, 20));
          }
          return false;
        };
        const feedShows = await shows(async () => {
          const res = await fetch(`${server.url}/feeds/all.xml`);
          await res.arrayBuffer();
          return res.headers.get('etag') === stored;
        });
        expect(feedShows, `round ${round}: the new feed within ${POLL_MS} + ${SLACK_MS} ms`).toBe(true);
        const pageShows = await shows(async () => (await (await fetch(`${server.url}/`)).text()).includes(`工信部：第${round}次发布会`));
        expect(pageShows, `round ${round}: the new home page within ${POLL_MS} + ${SLACK_MS} ms`).toBe(true);
      }
    } finally {
      await server.close();
    }
  });
});

describe('FINEWS_SERVE_POLL_MS', () => {
  const config = testConfig();

  it('refuses a value that is not a whole number of milliseconds above 0, naming the variable', () => {
    for (const value of ['0', '-5', '2.5', '500ms', 'soon']) {
      let caught: unknown;
      try {
        resolveOptions({}, { FINEWS_SERVE_POLL_MS: value });
      } catch (err) {
        caught = err;
      }
      expect(isFinewsError(caught, 'config-invalid'), value).toBe(true);
      expect((caught as Error).message, value).toContain(`FINEWS_SERVE_POLL_MS=${value}`);
    }
    expect(resolveOptions({}, { FINEWS_SERVE_POLL_MS: '250' }).servePollMs).toBe(250);
  });

  it('is how often a serving process looks for documents another process published', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'finews-serve-poll-'));
    const publisher = openSqliteStore(join(dir, 'finews.db'));
    const deps = { config: () => config, store: publisher, metrics: createMetrics(), now: () => PUBLISHED_AT };
    await publisher.saveItem(cinnItem(1));
    await publishCategories(deps, ['zhongguogongyebao', 'all']);
    const name = feedDocName('all', 'rss');
    /** A serving composition on the same file, its poll interval from the environment; the ETag it serves after another process published a new rendering. */
    const servedAfter = async (env: Record<string, string>, waitMs: number, round: number): Promise<{ served?: string; stored?: string }> => {
      const app = await compose(resolveOptions({ data: dir }, env), config, silentLogger());
      try {
        const documents = app.documents();
        await documents.start();
        await publishCategories(deps, await publisher.saveItem(cinnItem(10 + round, { title: `工信部：第${round}次发布会` })));
        const stored = (await publisher.getRendered(name))?.etag;
        const until = Date.now() + waitMs;
        while (Date.now() < until && documents.get(name)?.etag !== stored) await new Promise((r) => setTimeout(r, 20));
        return { served: documents.get(name)?.etag, stored };
      } finally {
        await app.close();
      }
    };
    try {
      // An hour between polls: a second and a half later the previous rendering is still served (500 ms would have shown the new one).
      const slow = await servedAfter({ FINEWS_SERVE_POLL_MS: '3600000' }, 1_500, 1);
      expect(slow.served).toBeDefined();
      expect(slow.served).not.toBe(slow.stored);
      // 50 ms between polls: the new rendering is served well within the default's 500 ms plus slack.
      const fast = await servedAfter({ FINEWS_SERVE_POLL_MS: '50' }, 1_500, 2);
      expect(fast.served).toBe(fast.stored);
    } finally {
      await publisher.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
