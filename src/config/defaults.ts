/**
 * The values feeds.yaml falls back to when it leaves a setting out, in one place:
 * resolving the config, the politeness limiters and docs/configuration.md (checked by a
 * test) all read them here.
 */
import { DEFAULT_MAX_DISTANCE, DEFAULT_STORY_WINDOW_MS } from '../stories/index.js';

export const CONFIG_DEFAULTS = {
  site: {
    language: 'zh-CN',
    timezone: 'Asia/Shanghai',
    itemsPerFeed: 50,
    retentionDays: 30,
  },
  source: {
    kind: 'rss',
    pages: 1,
    enabled: true,
    everyMs: 10 * 60_000,
    timeoutMs: 20_000,
    maxBytes: 10 * 1024 * 1024,
    allowPrivateNetworks: false,
    maxItems: 1000,
    articleFetch: true,
    infoCodeParam: 'infoCode',
  },
  politeness: {
    perHostConcurrency: 2,
    minSpacingMs: 500,
  },
  stories: {
    enabled: true,
    windowMs: DEFAULT_STORY_WINDOW_MS,
    maxDistance: DEFAULT_MAX_DISTANCE,
  },
} as const;

/** The User-Agent sent when feeds.yaml sets none: `finews/1 (+<site.url>)`. */
export function defaultUserAgent(siteUrl: string): string {
  return `finews/1 (+${siteUrl})`;
}
