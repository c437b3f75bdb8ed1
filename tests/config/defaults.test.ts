import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../src/config/defaults.js';
import { parseDuration, parseSize } from '../../src/config/durations.js';
import { parseConfig } from '../../src/config/load.js';
import { DEFAULT_POLITENESS } from '../../src/politeness/rules.js';

const DOC = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** The `default` column of the table under `heading`, by key, for defaults written in code. */
function documentedDefaults(heading: string): Map<string, string> {
  const start = DOC.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const table = DOC.slice(start).split('\n\n').find((block) => block.startsWith('| key | default |')) ?? '';
  const out = new Map<string, string>();
  for (const m of table.matchAll(/^\| `([A-Za-z]+)` \| `([^`]+)` \|/gm)) out.set(m[1] as string, m[2] as string);
  return out;
}

const MINIMAL = `
site:
  title: 财经新闻聚合
  url: https://news.example.org
sources:
  - id: cinn
    url: https://news.example.org/rss.xml
`;

describe('config defaults', () => {
  const result = parseConfig(MINIMAL, 'feeds.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const { config } = result;
  const source = config.sources[0];

  it('fill every setting a minimal feeds.yaml leaves out, from the one defaults object', () => {
    expect(config.site).toMatchObject(CONFIG_DEFAULTS.site);
    expect(config.politeness).toEqual(CONFIG_DEFAULTS.politeness);
    expect(DEFAULT_POLITENESS).toEqual(CONFIG_DEFAULTS.politeness);
    expect(source).toMatchObject({
      kind: CONFIG_DEFAULTS.source.kind,
      pages: CONFIG_DEFAULTS.source.pages,
      enabled: CONFIG_DEFAULTS.source.enabled,
      everyMs: CONFIG_DEFAULTS.source.everyMs,
      timeoutMs: CONFIG_DEFAULTS.source.timeoutMs,
      maxBytes: CONFIG_DEFAULTS.source.maxBytes,
      maxItems: CONFIG_DEFAULTS.source.maxItems,
      allowPrivateNetworks: CONFIG_DEFAULTS.source.allowPrivateNetworks,
      userAgent: 'finews/1 (+https://news.example.org)',
      article: { fetch: CONFIG_DEFAULTS.source.articleFetch },
      infoCode: { param: CONFIG_DEFAULTS.source.infoCodeParam },
    });
  });

  it('are the ones docs/configuration.md states', () => {
    const site = documentedDefaults('## `site`');
    expect({
      language: site.get('language'),
      timezone: site.get('timezone'),
      itemsPerFeed: Number(site.get('itemsPerFeed')),
      retentionDays: Number(site.get('retentionDays')),
    }).toEqual(CONFIG_DEFAULTS.site);

    const defaults = documentedDefaults('## `defaults`');
    expect(parseDuration(defaults.get('every') ?? '')).toBe(source?.everyMs);
    expect(parseDuration(defaults.get('timeout') ?? '')).toBe(source?.timeoutMs);
    expect(parseSize(defaults.get('maxBytes') ?? '')).toBe(source?.maxBytes);
    expect(Number(defaults.get('maxItems'))).toBe(source?.maxItems);
    expect(defaults.get('allowPrivateNetworks')).toBe(String(source?.allowPrivateNetworks));
    expect(defaults.get('userAgent')).toBe('finews/1 (+<site.url>)');
    expect(documentedDefaults('### `article`').get('fetch')).toBe(String(source?.article.fetch));
    expect(documentedDefaults('### `infoCode`').get('param')).toBe(source?.infoCode.param);

    const politeness = documentedDefaults('## `politeness`');
    expect(Number(politeness.get('perHost'))).toBe(config.politeness.perHostConcurrency);
    expect(parseDuration(politeness.get('spacing') ?? '')).toBe(config.politeness.minSpacingMs);

    const sources = documentedDefaults('## `sources`');
    expect({ kind: sources.get('kind'), pages: Number(sources.get('pages')), enabled: sources.get('enabled') }).toEqual({
      kind: source?.kind,
      pages: source?.pages,
      enabled: String(source?.enabled),
    });
  });
});
