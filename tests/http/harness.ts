/**
 * A real HTTP server over a real SQLite store (temp file) with a few 中国工业报 and
 * 证券时报 items, the feeds of `zhongguogongyebao` and `all` and the OPML list published
 * by the real publisher at a fixed time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config, Item } from '../../src/domain.js';
import { DocumentCache } from '../../src/http/document-cache.js';
import { buildServer, type HttpDeps } from '../../src/http/server.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { publishCategories } from '../../src/pipeline/publish.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/log.js';
import { testSite, testSource } from '../support/config.js';

const source = testSource;

export function testConfig(): Config {
  return {
    site: testSite({ url: 'https://finews.example.com/' }),
    publishers: { 中国工业报: { slug: 'zhongguogongyebao' } },
    categories: { industry: { title: '工业' } },
    politeness: { perHostConcurrency: 2, minSpacingMs: 500 },
    stories: { enabled: true, windowMs: 72 * 3600_000, maxDistance: 24 },
    sources: [
      source('cinn-industry', { publisher: '中国工业报', categories: ['industry'] }),
      source('stcn-finance'),
      source('caixin-new'),
      source('paused-source', { enabled: false }),
    ],
  };
}

/** Eastmoney-style infoCode for a sequence number, e.g. NW202203302327570007. */
export function newsCode(n: number): string {
  return `NW2022033023275${String(n).padStart(5, '0')}`;
}

/** ISO 8601 at +08:00 for epoch ms (whole seconds). */
export function isoShanghai(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

const BASE_MS = Date.parse('2022-03-30T09:34:12+08:00');

/** A 中国工业报 item (categories zhongguogongyebao + industry) n minutes after the base time. */
export function cinnItem(n: number, overrides: Partial<Item> = {}): Item {
  const key = newsCode(n);
  const ms = BASE_MS + n * 60_000;
  return {
    key,
    infoCode: key,
    title: `工信部：一季度规模以上工业增加值同比增长6.5%（第${n}期）`,
    url: `https://finance.eastmoney.com/a/${key.slice(2)}.html`,
    publishedAt: isoShanghai(ms),
    publisher: '中国工业报',
    author: '刘英',
    categories: ['zhongguogongyebao', 'industry'],
    tags: ['中国工业报新闻'],
    summary: '3月30日，工业和信息化部召开新闻发布会，介绍一季度工业通信业发展情况。',
    contentHtml:
      '<p>3月30日，工业和信息化部召开新闻发布会，介绍2022年一季度工业通信业发展情况。</p>' +
      '<p>一季度，全国规模以上工业增加值同比增长6.5%，比去年四季度加快2.6个百分点。</p>' +
      '<p class="em_media">（文章来源：中国工业报）</p>',
    sources: ['cinn-industry'],
    storedAt: isoShanghai(ms + 120_000),
    ...overrides,
  };
}

/** A 证券时报 item (category zhengquanshibao). */
export function stcnItem(n: number): Item {
  return cinnItem(n, {
    title: `A股三大指数集体收涨，沪指重回3200点（第${n}期）`,
    publisher: '证券时报',
    author: '王军',
    categories: ['zhengquanshibao'],
    tags: ['证券时报新闻'],
    summary: '截至收盘，沪指涨1.96%，深证成指涨2.95%，创业板指涨3.08%。',
    contentHtml: '<p>截至收盘，沪指涨1.96%。</p><p class="em_media">（文章来源：证券时报）</p>',
    sources: ['stcn-finance'],
  });
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  metrics: Metrics;
  deps: HttpDeps;
  config: Config;
  /** The documents the server answers with; the harness's publishing writes to them. */
  documents: DocumentCache;
  /** Publishes `slugs` as the pipeline does after a save, at {@link PUBLISHED_AT}. */
  publish(slugs: string[]): Promise<void>;
  /** Makes `ready()` reject with this error (or resolve again with null). */
  setNotReady(err: Error | null): void;
  close(): Promise<void>;
}

/** When the harness publishes: feeds carry this as Last-Modified. */
export const PUBLISHED_AT = new Date(BASE_MS + 3600_000);

export async function startHarness(opts: { adminToken?: string; adminPlugin?: HttpDeps['adminPlugin'] } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'finews-http-'));
  const store = openSqliteStore(join(dir, 'finews.db'));
  const config = testConfig();
  const metrics = createMetrics();
  let notReady: Error | null = null;

  for (let n = 1; n <= 12; n++) await store.saveItem(cinnItem(n));
  for (let n = 20; n <= 23; n++) await store.saveItem(stcnItem(n));
  const documents = new DocumentCache(store);
  const publish = (slugs: string[]): Promise<void> => publishCategories({ config: () => config, store, metrics, now: () => PUBLISHED_AT, documents }, slugs);
  // zhengquanshibao and industry hold items but have no rendered feeds yet.
  await publish(['zhongguogongyebao', 'all']);

  const deps: HttpDeps = {
    config: () => config,
    store,
    metrics,
    log: silentLogger(),
    documents,
    ready: async () => {
      if (notReady !== null) throw notReady;
      await store.ping();
    },
    ...(opts.adminToken === undefined ? {} : { adminToken: opts.adminToken }),
    ...(opts.adminPlugin === undefined ? {} : { adminPlugin: opts.adminPlugin }),
  };
  const app = buildServer(deps);
  await app.ready();
  return {
    app,
    store,
    metrics,
    deps,
    config,
    documents,
    publish,
    setNotReady: (err) => {
      notReady = err;
    },
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
