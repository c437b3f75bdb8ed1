/**
 * From validated feeds.yaml data to the {@link Config} the daemon runs on: every default
 * from {@link CONFIG_DEFAULTS} merged in, publishers trimmed, the result deep-frozen.
 */
import type { Config, PolitenessConfig, PublisherConfig, SourceConfig } from '../domain.js';
import { resolvePublisher } from '../tagging/publisher.js';
import { CONFIG_DEFAULTS, defaultUserAgent } from './defaults.js';
import type { RawConfig } from './schema.js';
import { defaultSiteUrl } from './site-url.js';

/** The config feeds.yaml describes: defaults merged into every source; site URL without its trailing slash. */
export function resolveConfig(raw: RawConfig, fallbackSiteUrl: string = defaultSiteUrl()): Config {
  const siteUrl = (raw.site.url ?? fallbackSiteUrl).replace(/\/+$/, '');
  const d = raw.defaults ?? {};
  const sources = (raw.sources ?? []).map((s): SourceConfig => {
    const content = s.article?.content ?? d.article?.content;
    const pattern = s.infoCode?.pattern ?? d.infoCode?.pattern;
    const api = s.article?.api ?? d.article?.api;
    const kind = s.kind ?? CONFIG_DEFAULTS.source.kind;
    return {
      id: s.id,
      kind,
      url: s.url,
      headers: { ...s.headers },
      pages: s.pages ?? CONFIG_DEFAULTS.source.pages,
      ...(kind !== 'rss' && s.items !== undefined && s.fields !== undefined
        ? { mapping: { items: s.items.trim(), fields: { ...s.fields }, ...(s.dateFormat !== undefined ? { dateFormat: s.dateFormat } : {}) } }
        : {}),
      maxItems: s.maxItems ?? d.maxItems ?? CONFIG_DEFAULTS.source.maxItems,
      everyMs: s.every ?? d.every ?? CONFIG_DEFAULTS.source.everyMs,
      timeoutMs: s.timeout ?? d.timeout ?? CONFIG_DEFAULTS.source.timeoutMs,
      maxBytes: s.maxBytes ?? d.maxBytes ?? CONFIG_DEFAULTS.source.maxBytes,
      userAgent: s.userAgent ?? d.userAgent ?? defaultUserAgent(siteUrl),
      allowPrivateNetworks: s.allowPrivateNetworks ?? d.allowPrivateNetworks ?? CONFIG_DEFAULTS.source.allowPrivateNetworks,
      ...(s.publisher !== undefined ? { publisher: s.publisher } : {}),
      categories: [...new Set(s.categories ?? [])],
      enabled: s.enabled ?? CONFIG_DEFAULTS.source.enabled,
      article: {
        fetch: s.article?.fetch ?? d.article?.fetch ?? CONFIG_DEFAULTS.source.articleFetch,
        ...(content !== undefined ? { content } : {}),
        remove: [...(s.article?.remove ?? d.article?.remove ?? [])],
        ...(api !== undefined
          ? { api: { url: api.url, content: typeof api.content === 'string' ? [api.content.trim()] : api.content.map((c) => c.trim()), headers: { ...api.headers } } }
          : {}),
      },
      infoCode: {
        param: s.infoCode?.param ?? d.infoCode?.param ?? CONFIG_DEFAULTS.source.infoCodeParam,
        ...(pattern !== undefined ? { pattern } : {}),
      },
    };
  });

  const publishers: Record<string, PublisherConfig> = {};
  for (const [name, entry] of Object.entries(raw.publishers ?? {})) {
    publishers[name.trim()] = {
      ...(entry?.slug !== undefined ? { slug: entry.slug } : {}),
      ...(entry?.alias !== undefined ? { alias: entry.alias } : {}),
    };
  }
  const categories: Record<string, { title: string }> = {};
  for (const [slug, entry] of Object.entries(raw.categories ?? {})) categories[slug] = { title: entry.title };

  return {
    site: {
      title: raw.site.title,
      url: siteUrl,
      ...(raw.site.url === undefined ? { urlDerived: true } : {}),
      language: raw.site.language ?? CONFIG_DEFAULTS.site.language,
      timezone: raw.site.timezone ?? CONFIG_DEFAULTS.site.timezone,
      itemsPerFeed: raw.site.itemsPerFeed ?? CONFIG_DEFAULTS.site.itemsPerFeed,
      retentionDays: raw.site.retentionDays ?? CONFIG_DEFAULTS.site.retentionDays,
      ...(raw.site.shareUrl !== undefined ? { shareUrl: raw.site.shareUrl } : {}),
    },
    publishers,
    categories,
    politeness: {
      perHostConcurrency: raw.politeness?.perHost ?? CONFIG_DEFAULTS.politeness.perHostConcurrency,
      minSpacingMs: raw.politeness?.spacing ?? CONFIG_DEFAULTS.politeness.minSpacingMs,
      ...(raw.politeness?.hosts !== undefined ? { hosts: hostOverrides(raw) } : {}),
    },
    stories: {
      enabled: raw.stories?.enabled ?? CONFIG_DEFAULTS.stories.enabled,
      windowMs: raw.stories?.window ?? CONFIG_DEFAULTS.stories.windowMs,
      maxDistance: raw.stories?.maxDistance ?? CONFIG_DEFAULTS.stories.maxDistance,
    },
    sources,
  };
}

/** `politeness.hosts`, keyed by lower-cased host; a field left out takes the global rule. */
function hostOverrides(raw: RawConfig): NonNullable<PolitenessConfig['hosts']> {
  const out: NonNullable<PolitenessConfig['hosts']> = {};
  for (const [host, rules] of Object.entries(raw.politeness?.hosts ?? {})) {
    out[host.trim().toLowerCase().replace(/\.$/, '')] = {
      perHostConcurrency: rules.perHost ?? raw.politeness?.perHost ?? CONFIG_DEFAULTS.politeness.perHostConcurrency,
      minSpacingMs: rules.spacing ?? raw.politeness?.spacing ?? CONFIG_DEFAULTS.politeness.minSpacingMs,
    };
  }
  return out;
}

/**
 * The distinct publishers a config names, after aliases: entries of `publishers:` (an
 * alias counts as its target) and sources' fixed `publisher`.
 */
export function publisherNames(config: Config): string[] {
  const names = [...Object.keys(config.publishers), ...config.sources.flatMap((s) => (s.publisher === undefined ? [] : [s.publisher]))];
  return [...new Set(names.map((name) => resolvePublisher(name, config.publishers).name))];
}

/** `value` and everything it holds, frozen. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
