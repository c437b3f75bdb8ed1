import { describe, expect, it } from 'vitest';
import type { Config, SourceConfig } from '../../src/domain.js';
import { sourceRows } from '../../src/pipeline/source-status.js';
import type { SourceState } from '../../src/store/store.js';
import { testSource } from '../support/config.js';

const source = (id: string, enabled = true): SourceConfig => testSource(id, { enabled });

const config: Config = {
  site: { title: '财经新闻聚合', url: 'https://finews.example.com', language: 'zh-CN', timezone: 'Asia/Shanghai', itemsPerFeed: 50, retentionDays: 30 },
  publishers: {},
  categories: {},
  politeness: { perHostConcurrency: 2, minSpacingMs: 500 },
  stories: { enabled: true, windowMs: 72 * 3600_000, maxDistance: 24 },
  sources: [source('cinn-industry'), source('stcn-finance'), source('never-fetched'), source('paused', false)],
};

describe('sourceRows', () => {
  it('gives one row per configured source with ok, error, pending and disabled states', () => {
    const states: SourceState[] = [
      { id: 'cinn-industry', lastFetchAt: '2022-03-30T09:40:00+08:00', lastStatus: 200, consecutiveFailures: 0, nextRunAt: '2022-03-30T09:45:00+08:00', items: 12 },
      { id: 'stcn-finance', lastFetchAt: '2022-03-30T09:41:00+08:00', lastStatus: 502, lastError: 'http-status: 502 from https://news.example.com/rss/stcn-finance.xml', consecutiveFailures: 3, items: 4 },
      { id: 'paused', lastFetchAt: '2022-03-01T00:00:00+08:00', lastStatus: 200, consecutiveFailures: 0, items: 9 },
      { id: 'removed-from-config', consecutiveFailures: 0, items: 1 },
    ];
    const rows = sourceRows(config, states);
    expect(rows.map((r) => [r.id, r.state])).toEqual([
      ['cinn-industry', 'ok'],
      ['stcn-finance', 'error'],
      ['never-fetched', 'pending'],
      ['paused', 'disabled'],
    ]);
    expect(rows[0]).toEqual({
      id: 'cinn-industry',
      url: 'https://news.example.com/rss/cinn-industry.xml',
      kind: 'rss',
      state: 'ok',
      lastFetchAt: '2022-03-30T09:40:00+08:00',
      lastStatus: 200,
      lastError: null,
      consecutiveFailures: 0,
      nextRunAt: '2022-03-30T09:45:00+08:00',
      items: 12,
      warnings: [],
      warningCount: 0,
    });
    expect(rows[1]?.lastError).toContain('502');
    expect(rows[2]).toMatchObject({ lastFetchAt: null, lastStatus: null, items: 0, consecutiveFailures: 0 });
  });

  it("shows the last poll's warnings: the first few with their reason, and how many in all", () => {
    const warnings = ['record 3: no title; skipped', 'record 7: no title; skipped'];
    const rows = sourceRows(config, [{ id: 'cinn-industry', lastFetchAt: '2022-03-30T09:40:00+08:00', consecutiveFailures: 0, items: 3, warningCount: 12, warnings }]);
    expect(rows[0]).toMatchObject({ state: 'ok', warnings, warningCount: 12 });
  });

  it('counts a source whose first fetch failed as error, not pending', () => {
    const rows = sourceRows(config, [{ id: 'never-fetched', consecutiveFailures: 1, lastError: 'dns: no such host', items: 0 }]);
    expect(rows.find((r) => r.id === 'never-fetched')?.state).toBe('error');
  });
});
