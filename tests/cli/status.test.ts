import { PassThrough } from 'node:stream';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_COLUMNS, statusCommand } from '../../src/cli/status.js';
import { testSource } from '../support/config.js';
import { startHarness, type Harness } from '../http/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  h.config.sources.push(testSource('证券时报-要闻-快讯-滚动新闻-全部频道-第二页'), testSource('xinhua-finance'));
  await h.store.putSourceState({
    id: 'stcn-finance',
    lastFetchAt: '2022-03-30T01:51:00Z',
    lastStatus: 503,
    lastError: `http-status: 503 Service Unavailable from https://news.example.com/rss/stcn-finance.xml?${'page=2&'.repeat(30)}\nretry later`,
    consecutiveFailures: 2,
    nextRunAt: '2022-03-30T02:05:00Z',
    items: 1234,
  });
  await h.store.putSourceState({
    id: '证券时报-要闻-快讯-滚动新闻-全部频道-第二页',
    lastFetchAt: '2022-03-30T01:50:00Z',
    lastStatus: 200,
    consecutiveFailures: 0,
    nextRunAt: '2022-03-30T02:00:00Z',
    items: 7,
    warningCount: 14,
    warnings: [`record 3: 标题为空，已跳过；${'链接无效'.repeat(40)}`, 'record 5: no date; used the time it was fetched'],
  });
  await h.store.putSourceState({
    id: 'xinhua-finance',
    lastFetchAt: '2022-03-30T01:52:00Z',
    lastStatus: 502,
    lastError: `bad-gateway: 上游服务器返回了无效的响应，${'请稍后再试'.repeat(30)}`,
    consecutiveFailures: 1,
    items: 0,
  });
});

afterAll(async () => {
  await h.close();
});

async function run(json = false): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  expect(await statusCommand(h.config, h.store, out, { json })).toBe(0);
  return text;
}

describe('finews status', () => {
  it(`fits ${STATUS_COLUMNS} columns with long errors and CJK ids, errors and warnings (CJK counted double)`, async () => {
    const text = await run();
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(STATUS_COLUMNS);
    // One header and exactly one row per source: no cell wrapped onto a second line.
    const table = lines.slice(1, lines.indexOf(''));
    expect(table).toHaveLength(1 + h.config.sources.length);
    expect(table.map((l) => l.trim().split(' ')[0])).toEqual(['source', 'cinn-industry', 'stcn-finance', 'caixin-new', 'paused-source', expect.stringMatching(/^证券时报-要闻.*…$/), 'xinhua-finance']);
    expect(lines.find((l) => l.startsWith(' stcn-finance '))).toMatch(/ error .*503 .*http-status/);
    expect(text).toContain('http-status: 503 Service Unavailable');
    expect(text).toContain('bad-gateway: 上游服务器');
    expect(text).toContain('14 warnings in the last poll');
    expect(text).toContain('record 5: no date; used the time it was fetched');
    expect(text).toContain('finews status --json');
  });

  it('shows times in site.timezone, not UTC', async () => {
    const text = await run();
    expect(text).toContain('times in Asia/Shanghai');
    const row = text.split('\n').find((l) => l.includes('stcn-finance')) ?? '';
    expect(row).toContain('03-30 09:51');
    expect(row).toContain('03-30 10:05');
    expect(text).not.toContain('01:51');
    expect(text).not.toContain('T01:');
  });

  it('--json prints the document /api/sources serves for the same store, errors and warnings in full', async () => {
    const printed: unknown = JSON.parse(await run(true));
    const res = await h.app.inject({ url: '/api/sources' });
    expect(res.statusCode).toBe(200);
    expect(printed).toEqual(res.json());
    const rows = (printed as { sources: { id: string; lastError: string | null; warnings: string[] }[] }).sources;
    expect(rows.find((r) => r.id === 'stcn-finance')?.lastError).toContain('retry later');
    expect(rows.find((r) => r.id.startsWith('证券时报'))?.warnings[0]).toContain('链接无效'.repeat(40));
  });
});
