import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cinnItem, isoShanghai, newsCode, startHarness, stcnItem, type Harness } from './harness.js';

interface ItemsBody {
  items: { infoCode: string | null; title: string; publishedAt: string; publisher: string; categories: string[]; sources: string[]; contentHtml: string }[];
  next: string | null;
}
interface ErrorBody {
  error: { code: string; message: string };
}

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await h.app.inject({ url });
  expect(res.headers['content-type'], url).toBe('application/json; charset=utf-8');
  return { status: res.statusCode, body: JSON.parse(res.body) as T };
}

describe('/api/categories', () => {
  it('lists the real categories with titles, counts, dates and feed URLs (not `all`)', async () => {
    const { status, body } = await getJson<{ categories: { slug: string; title: string; count: number; updated: string | null; feeds: Record<string, string> }[] }>('/api/categories');
    expect(status).toBe(200);
    const bySlug = new Map(body.categories.map((c) => [c.slug, c]));
    expect([...bySlug.keys()].sort()).toEqual(['industry', 'zhengquanshibao', 'zhongguogongyebao']);
    expect(bySlug.get('zhongguogongyebao')).toMatchObject({ title: '中国工业报', count: 12 });
    expect(bySlug.get('zhengquanshibao')).toMatchObject({ title: '证券时报', count: 4 });
    expect(bySlug.get('industry')).toMatchObject({ title: '工业', count: 12 });
    expect(Date.parse(bySlug.get('zhengquanshibao')?.updated ?? '')).toBe(Date.parse(stcnItem(23).publishedAt));
    expect(bySlug.get('zhongguogongyebao')?.feeds).toEqual({
      rss: 'https://finews.example.com/feeds/zhongguogongyebao.xml',
      atom: 'https://finews.example.com/feeds/zhongguogongyebao.atom',
      json: 'https://finews.example.com/feeds/zhongguogongyebao.json',
    });
  });
});

describe('/api/items', () => {
  it('returns items newest first in the INTERFACE §3 shape', async () => {
    const { status, body } = await getJson<ItemsBody>('/api/items?category=zhongguogongyebao&limit=3');
    expect(status).toBe(200);
    expect(body.items.map((i) => i.infoCode)).toEqual([newsCode(12), newsCode(11), newsCode(10)]);
    expect(body.items[0]).toEqual({
      infoCode: newsCode(12),
      title: '工信部：一季度规模以上工业增加值同比增长6.5%（第12期）',
      url: `https://finance.eastmoney.com/a/${newsCode(12).slice(2)}.html`,
      publishedAt: cinnItem(12).publishedAt,
      publisher: '中国工业报',
      author: '刘英',
      categories: ['zhongguogongyebao', 'industry'],
      tags: ['中国工业报新闻'],
      summary: cinnItem(12).summary,
      contentHtml: cinnItem(12).contentHtml,
      sources: ['cinn-industry'],
    });
    expect(body.next).toEqual(expect.any(String));
  });

  it('defaults to 50 items and to every category', async () => {
    const { body } = await getJson<ItemsBody>('/api/items');
    expect(body.items).toHaveLength(16);
    expect(body.next).toBeNull();
    const all = await getJson<ItemsBody>('/api/items?category=all');
    expect(all.body.items).toHaveLength(16);
  });

  it('pages through everything present at the start exactly once while items arrive', async () => {
    const start = await getJson<ItemsBody>('/api/items?limit=200');
    const present = start.body.items.map((i) => i.infoCode);
    const seen: (string | null)[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const url: string = `/api/items?limit=3${cursor === null ? '' : `&before=${encodeURIComponent(cursor)}`}`;
      const page: { status: number; body: ItemsBody } = await getJson<ItemsBody>(url);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((i) => i.infoCode));
      cursor = page.body.next;
      // Between pages: a brand-new newest item, and one dated inside the range already paged.
      round++;
      await h.store.saveItem(cinnItem(100 + round, { publishedAt: isoShanghai(Date.now()) }));
      await h.store.saveItem(cinnItem(200 + round, { publishedAt: cinnItem(6).publishedAt.replace(':12+', ':30+') }));
    } while (cursor !== null && round < 50);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    for (const code of present) expect(seen).toContain(code);
  });

  it('rejects a bad cursor or limit with 400 and an unknown category with 404', async () => {
    for (const url of ['/api/items?before=not-a-cursor!', '/api/items?before=Zm9v', '/api/items?limit=0', '/api/items?limit=201', '/api/items?limit=ten', '/api/items?limit=-1']) {
      const { status, body } = await getJson<ErrorBody>(url);
      expect(status, url).toBe(400);
      expect(body.error.code, url).toMatch(/^bad-(cursor|limit)$/);
      expect(body.error.message, url).not.toMatch(/\bat .*\.ts:\d+/);
    }
    const unknown = await getJson<ErrorBody>('/api/items?category=nosuch');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown-category');
  });

  it('compresses large responses when asked', async () => {
    const res = await h.app.inject({ url: '/api/items?limit=20', headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toBe('Accept-Encoding');
  });
});

describe('/api/sources', () => {
  it('gives one row per configured source with pending, ok, error and disabled states', async () => {
    await h.store.putSourceState({ id: 'cinn-industry', lastFetchAt: '2022-03-30T09:50:00+08:00', lastStatus: 200, consecutiveFailures: 0, nextRunAt: '2022-03-30T10:00:00+08:00', items: 0 });
    await h.store.putSourceState({
      id: 'stcn-finance',
      lastFetchAt: '2022-03-30T09:51:00+08:00',
      lastStatus: 503,
      lastError: 'http-status: 503 Service Unavailable from https://news.example.com/rss/stcn-finance.xml',
      consecutiveFailures: 2,
      items: 0,
    });
    await h.store.putSourceState({ id: 'gone-from-config', lastFetchAt: '2022-03-01T00:00:00+08:00', consecutiveFailures: 0, items: 0 });
    const { status, body } = await getJson<{ sources: Record<string, unknown>[] }>('/api/sources');
    expect(status).toBe(200);
    expect(body.sources.map((s) => [s.id, s.state])).toEqual([
      ['cinn-industry', 'ok'],
      ['stcn-finance', 'error'],
      ['caixin-new', 'pending'],
      ['paused-source', 'disabled'],
    ]);
    expect(body.sources[0]).toEqual({
      id: 'cinn-industry',
      url: 'https://news.example.com/rss/cinn-industry.xml',
      kind: 'rss',
      state: 'ok',
      lastFetchAt: '2022-03-30T09:50:00+08:00',
      lastStatus: 200,
      lastError: null,
      consecutiveFailures: 0,
      nextRunAt: '2022-03-30T10:00:00+08:00',
      items: expect.any(Number),
      warnings: [],
      warningCount: 0,
    });
    expect(body.sources[1]).toMatchObject({ lastStatus: 503, consecutiveFailures: 2 });
    expect(body.sources[1]?.lastError).toContain('503');
  });
});
