import type { Config, SiteConfig, SourceConfig } from '../../src/domain.js';

/** A resolved `site:` block as the config loader produces it, with overrides. */
export function testSite(overrides: Partial<SiteConfig> = {}): SiteConfig {
  return {
    title: '财经新闻聚合',
    url: 'https://finews.example.com',
    language: 'zh-CN',
    timezone: 'Asia/Shanghai',
    itemsPerFeed: 50,
    retentionDays: 30,
    ...overrides,
  };
}

/** A resolved source with the loader's defaults, on an Eastmoney-style feed URL. */
export function testSource(id: string, overrides: Partial<SourceConfig> = {}): SourceConfig {
  return {
    id,
    kind: 'rss',
    url: `https://news.example.com/rss/${id}.xml`,
    headers: {},
    pages: 1,
    maxItems: 1000,
    everyMs: 600_000,
    timeoutMs: 20_000,
    maxBytes: 10 * 1024 * 1024,
    userAgent: 'finews/1 (+https://finews.example.com)',
    allowPrivateNetworks: false,
    categories: [],
    enabled: true,
    article: { fetch: true, remove: [] },
    infoCode: { param: 'infoCode' },
    ...overrides,
  };
}

/** A resolved config of the given sources. */
export function testConfig(sources: SourceConfig[], overrides: Partial<Omit<Config, 'sources'>> = {}): Config {
  return {
    site: testSite(),
    publishers: {},
    categories: {},
    politeness: { perHostConcurrency: 2, minSpacingMs: 500 },
    stories: { enabled: true, windowMs: 72 * 3600_000, maxDistance: 24 },
    sources,
    ...overrides,
  };
}
