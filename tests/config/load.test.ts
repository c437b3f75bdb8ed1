import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  formatIssue,
  formatWarning,
  loadConfigFile,
  loadConfigOrThrow,
  parseConfig,
  publisherNames,
  type ConfigIssue,
  type ConfigResult,
} from '../../src/config/load.js';
import { defaultSiteUrl } from '../../src/config/site-url.js';
import { resolveOptions } from '../../src/runtime/options.js';
import type { Config } from '../../src/domain.js';
import { isFinewsError } from '../../src/errors.js';
import { identify } from '../../src/identity/identify.js';
import { listUrl, readerFor } from '../../src/sources/reader.js';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/config');
const ROOT_CONFIG = path.join(import.meta.dirname, '../../feeds.yaml');

async function fixture(name: string): Promise<ConfigResult> {
  const text = await readFile(path.join(FIXTURES, name), 'utf8');
  return parseConfig(text, name);
}

function errorsOf(result: ConfigResult): ConfigIssue[] {
  if (result.ok) throw new Error(`expected errors, config was valid`);
  return result.errors;
}

function configOf(result: ConfigResult): Config {
  if (!result.ok) throw new Error(`expected a valid config:\n${result.errors.map(formatIssue).join('\n')}`);
  return result.config;
}

const MINIMAL = `site:
  title: 财经新闻聚合
  url: https://finews.example.com/
sources:
  - id: eastmoney-industry
    url: https://finance.eastmoney.com/rss/cywjh.xml
`;

describe('the shipped feeds.yaml', () => {
  it('parses with no errors and no warnings', async () => {
    const result = await loadConfigFile(ROOT_CONFIG);
    const config = configOf(result);
    expect(result.warnings).toEqual([]);
    expect(config.site.title).toBe('财经新闻聚合');
    // No other people's URLs by default: links point where finews serves until site.url is set.
    expect(config.site.url).toBe(defaultSiteUrl());
    expect(config.site.urlDerived).toBe(true);
    expect(config.site.shareUrl).toBeUndefined();
    expect(config.sources.length).toBeGreaterThanOrEqual(3);
    expect(config.publishers['中国工业报']).toEqual({ slug: 'zhongguogongyebao' });
    expect(config.publishers['证券时报网']).toEqual({ alias: '证券时报' });
    expect(config.categories.industry).toEqual({ title: '工业' });
  });

  // None of the shipped sources can be reached from here: each reads a recorded answer of
  // its endpoint (tests/fixtures/sources/records) with the mapping feeds.yaml gives it.
  const recorded: Array<[string, string, string]> = [
    ['em-fastnews', 'em-fastnews.json', 'application/json'],
    ['em-industry', 'em-news-by-columns.json', 'application/json;charset=UTF-8'],
    ['em-kuaixun', 'em-kuaixun-ajax-result.txt', 'text/html'],
    ['zning-industry', 'em-webapi-102.json', 'application/json'],
    ['zning-news', 'em-webapi-45.json', 'application/json'],
    ['zning-markets', 'em-newmarket-37.json', 'application/json'],
  ];

  it.each(recorded)('source %s maps its recorded answer %s into items with infoCodes', async (id, file, contentType) => {
    const config = configOf(await loadConfigFile(ROOT_CONFIG));
    const source = config.sources.find((s) => s.id === id);
    expect(source?.kind).toBe('json');
    if (!source) return;
    const body = await readFile(path.join(import.meta.dirname, '../fixtures/sources/records', file));
    const feed = await readerFor(source.kind).read(body, { source, url: listUrl(source, 1, new Date()), contentType, timezone: config.site.timezone });
    expect(feed.items.length).toBeGreaterThan(0);
    for (const item of feed.items) {
      expect(item.title).not.toBe('');
      expect(identify(item, source.infoCode).infoCode).toMatch(/^NW\d{18}$/);
    }
  });

  it('sends each Eastmoney API its Referer and a fresh req_trace', async () => {
    const config = configOf(await loadConfigFile(ROOT_CONFIG));
    const industry = config.sources.find((s) => s.id === 'em-industry');
    expect(industry?.headers).toEqual({ Referer: 'https://finance.eastmoney.com/' });
    const url = new URL(industry ? listUrl(industry, 2, new Date(1_648_600_000_000)) : '');
    expect(url.searchParams.get('req_trace')).toBe('1648600000000');
    expect(url.searchParams.get('page_index')).toBe('2');
    expect(config.politeness.hosts?.['np-listapi.eastmoney.com']).toEqual({ perHostConcurrency: 1, minSpacingMs: 2000 });
  });
});

describe('errors at their line and column', () => {
  // [fixture, line, column, words the message must contain]
  const cases: Array<[string, number, number, string[]]> = [
    ['unknown-key.yaml', 8, 5, ['unknown key "evrey"', 'sources[0]', 'did you mean "every"']],
    ['duplicate-id.yaml', 10, 9, ['duplicate source id "eastmoney-industry"', 'line 6']],
    ['bad-duration.yaml', 6, 10, ['defaults.every', 'invalid duration "10x"', '500ms, 90s, 10m, 1h']],
    ['bad-size.yaml', 8, 15, ['sources[0].maxBytes', 'invalid size "1TB"', '512KB, 10MB']],
    ['bad-url.yaml', 7, 10, ['sources[0].url', 'not an absolute URL']],
    ['bad-selector.yaml', 10, 29, ['sources[0].article.remove[1]', 'invalid CSS selector "div[data-type"']],
    ['bad-regex.yaml', 9, 16, ['sources[0].infoCode.pattern', 'invalid regular expression', 'Unterminated group']],
    ['regex-groups.yaml', 9, 16, ['exactly one capturing group', 'found 2']],
    ['catastrophic-regex.yaml', 9, 16, ['sources[0].infoCode.pattern', '"(a+)+$"', 'exponential time', 'nested repetition']],
    ['bad-timezone.yaml', 5, 13, ['site.timezone', 'unknown time zone "Asia/Shangai"']],
    ['yaml-syntax.yaml', 8, 4, ['invalid YAML']],
    ['share-url.yaml', 5, 13, ['site.shareUrl', 'must contain {infoCode}']],
    ['duplicate-key.yaml', 9, 5, ['duplicate key "every"', 'line 8']],
  ];

  it.each(cases)('%s → line %i, column %i', async (name, line, column, words) => {
    const errors = errorsOf(await fixture(name));
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error).toMatchObject({ file: name, line, column });
    for (const word of words) expect(error?.message).toContain(word);
  });

  it('reports the reserved category "all" both as a categories: key and in a source', async () => {
    const errors = errorsOf(await fixture('reserved-category.yaml'));
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [7, 3],
      [11, 28],
    ]);
    for (const e of errors) expect(e.message).toContain('"all" is reserved');
  });

  it('reports every mistake of a file, in order (golden file)', async () => {
    const errors = errorsOf(await fixture('many-mistakes.yaml'));
    const expected = await readFile(path.join(FIXTURES, 'many-mistakes.expected.txt'), 'utf8');
    expect(errors.map(formatIssue).join('\n') + '\n').toBe(expected);
    expect(errors.length).toBeGreaterThanOrEqual(15);
  });

  it('formats issues compiler-style', () => {
    const issue = { file: 'feeds.yaml', line: 12, column: 5, message: 'unknown key "x"' };
    expect(formatIssue(issue)).toBe('feeds.yaml:12:5: unknown key "x"');
    expect(formatWarning(issue)).toBe('feeds.yaml:12:5: warning: unknown key "x"');
  });

  it('counts lines and columns the same with a byte order mark', async () => {
    const text = await readFile(path.join(FIXTURES, 'yaml-syntax.yaml'), 'utf8');
    expect(errorsOf(parseConfig(`\uFEFF${text}`, 'yaml-syntax.yaml'))[0]).toMatchObject({ line: 8, column: 4 });
  });

  it('points a missing required key at the mapping that lacks it', () => {
    const errors = errorsOf(parseConfig('site:\n  url: https://finews.example.com\nsources: []\n', 'feeds.yaml'));
    expect(errors).toEqual([{ file: 'feeds.yaml', line: 1, column: 1, message: 'site: missing required key "title"' }]);
  });

  it('reports an empty file and a missing file at 1:1', async () => {
    expect(errorsOf(parseConfig('# nothing yet\n', 'feeds.yaml'))[0]).toMatchObject({ line: 1, column: 1 });
    const missing = path.join(tmpdir(), 'finews-no-such-dir', 'feeds.yaml');
    const errors = errorsOf(await loadConfigFile(missing));
    expect(errors).toEqual([{ file: missing, line: 1, column: 1, message: `cannot read config file ${missing}: no such file` }]);
  });

  it('names the accepted forms for values of the wrong type', () => {
    const text = MINIMAL.replace('  url: https://finews.example.com/\n', '  url: https://finews.example.com/\n  itemsPerFeed: lots\n') + '    enabled: yes\n    timeout: true\n';
    const messages = errorsOf(parseConfig(text, 'feeds.yaml')).map(formatIssue);
    expect(messages).toEqual([
      'feeds.yaml:4:17: site.itemsPerFeed: expected a number, got "lots"',
      'feeds.yaml:8:14: sources[0].enabled: expected true or false, got "yes"',
      expect.stringMatching(/^feeds\.yaml:9:14: sources\[0\]\.timeout: expected a duration, got true: use a number with a unit/),
    ]);
  });

  it('rejects slugs and ids outside [a-z0-9-]', () => {
    const text = MINIMAL.replace('id: eastmoney-industry', 'id: Eastmoney_Industry') + 'publishers:\n  中国工业报: { slug: Zhong Guo }\n';
    const errors = errorsOf(parseConfig(text, 'feeds.yaml'));
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [5, 9],
      [8, 18],
    ]);
    expect(errors[0]?.message).toContain('may only use a-z, 0-9 and -');
  });

  it('rejects an alias of an alias and an alias of itself', () => {
    const text = `${MINIMAL}publishers:\n  证券时报网: { alias: 证券时报 }\n  证券时报: { alias: STCN }\n  自家: { alias: 自家 }\n`;
    const errors = errorsOf(parseConfig(text, 'feeds.yaml'));
    expect(errors.map(formatIssue)).toEqual([
      'feeds.yaml:8:19: publishers.证券时报网.alias: "证券时报" is itself an alias of "STCN"; aliases are followed once, so write alias: STCN',
      'feeds.yaml:10:16: publishers.自家.alias: a publisher cannot be an alias of itself',
    ]);
  });
});

describe('the resolved config', () => {
  it('fills every default and strips the trailing slash of site.url', () => {
    const config = configOf(parseConfig(MINIMAL, 'feeds.yaml'));
    expect(config).toEqual({
      site: {
        title: '财经新闻聚合',
        url: 'https://finews.example.com',
        language: 'zh-CN',
        timezone: 'Asia/Shanghai',
        itemsPerFeed: 50,
        retentionDays: 30,
      },
      publishers: {},
      categories: {},
      politeness: { perHostConcurrency: 2, minSpacingMs: 500 },
      stories: { enabled: true, windowMs: 72 * 3600_000, maxDistance: 24 },
      sources: [
        {
          id: 'eastmoney-industry',
          kind: 'rss',
          url: 'https://finance.eastmoney.com/rss/cywjh.xml',
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
        },
      ],
    } satisfies Config);
  });

  it('merges defaults into each source, the source winning key by key', () => {
    const text = `site:
  title: 财经新闻聚合
  url: https://finews.example.com
defaults:
  every: 1h30m
  timeout: 90s
  maxBytes: 512KB
  userAgent: "finews-test/2"
  allowPrivateNetworks: true
  article:
    fetch: false
    content: "#ContentBody"
    remove: [".res-edit"]
  infoCode:
    param: code
    pattern: "/a/(\\\\d{17,18})\\\\.html"
politeness:
  perHost: 4
  spacing: 1s
sources:
  - id: inherits
    url: https://finance.eastmoney.com/rss/cywjh.xml
  - id: overrides
    url: https://www.stcn.com/rss/kuaixun.xml
    every: 5m
    maxBytes: 1048576
    allowPrivateNetworks: false
    article:
      fetch: true
      remove: [".ad"]
    infoCode:
      param: id
`;
    const config = configOf(parseConfig(text, 'feeds.yaml'));
    const [inherits, overrides] = config.sources;
    expect(inherits).toMatchObject({
      everyMs: 90 * 60_000,
      timeoutMs: 90_000,
      maxBytes: 512 * 1024,
      userAgent: 'finews-test/2',
      allowPrivateNetworks: true,
      article: { fetch: false, content: '#ContentBody', remove: ['.res-edit'] },
      infoCode: { param: 'code', pattern: '/a/(\\d{17,18})\\.html' },
    });
    expect(overrides).toMatchObject({
      everyMs: 5 * 60_000,
      timeoutMs: 90_000,
      maxBytes: 1_048_576,
      userAgent: 'finews-test/2',
      allowPrivateNetworks: false,
      article: { fetch: true, content: '#ContentBody', remove: ['.ad'] },
      infoCode: { param: 'id', pattern: '/a/(\\d{17,18})\\.html' },
    });
    expect(config.politeness).toEqual({ perHostConcurrency: 4, minSpacingMs: 1000 });
  });

  it('is deeply frozen', () => {
    const config = configOf(parseConfig(MINIMAL, 'feeds.yaml'));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.site)).toBe(true);
    expect(Object.isFrozen(config.sources[0]?.article.remove)).toBe(true);
    expect(() => {
      (config.site as { title: string }).title = 'changed';
    }).toThrow(TypeError);
  });

  it('accepts YAML anchors and merge keys for shared source settings', () => {
    const text = `site: { title: 财经新闻聚合, url: "https://finews.example.com" }
x-eastmoney: &eastmoney
  article: { content: "#ContentBody", remove: [".res-edit"] }
sources:
  - id: a
    url: https://finance.eastmoney.com/rss/a.xml
    <<: *eastmoney
`;
    // x-… keys are not part of the schema: anchors must live inside known keys.
    expect(errorsOf(parseConfig(text, 'feeds.yaml'))[0]?.message).toContain('unknown key "x-eastmoney"');
    const ok = `site: { title: 财经新闻聚合, url: "https://finews.example.com" }
sources:
  - id: a
    url: https://finance.eastmoney.com/rss/a.xml
    article: &eastmoney { content: "#ContentBody", remove: [".res-edit"] }
  - id: b
    url: https://finance.eastmoney.com/rss/b.xml
    article: *eastmoney
`;
    const config = configOf(parseConfig(ok, 'feeds.yaml'));
    expect(config.sources[1]?.article).toEqual({ fetch: true, content: '#ContentBody', remove: ['.res-edit'] });
  });
});

describe('warnings', () => {
  it('warns when two publishers get one slug, naming both and the first line', async () => {
    const result = await fixture('slug-collision.yaml');
    expect(result.ok).toBe(true);
    expect(result.warnings.map(formatWarning)).toEqual([
      'slug-collision.yaml:7:3: warning: publishers "中国工业报" (line 6) and "中工网" both get the category slug "zhongguogongyebao" and will share one category; give one of them its own slug under publishers:',
      'slug-collision.yaml:18:16: warning: publishers "证券时报" (line 8) and "證券時報" both get the category slug "zhengquanshibao" and will share one category; give one of them its own slug under publishers:',
    ]);
  });

  it('warns about a source category without a title, suggesting a near one', () => {
    const text = `${MINIMAL}    categories: [industy]\ncategories:\n  industry: { title: 工业 }\n`;
    const result = parseConfig(text, 'feeds.yaml');
    expect(result.ok).toBe(true);
    expect(result.warnings.map(formatWarning)).toEqual([
      'feeds.yaml:7:18: warning: sources[0].categories[0]: category "industy" has no title under categories:, so its title will be "industy" (did you mean "industry"?)',
    ]);
  });

  it('warns when nothing will be fetched', () => {
    const result = parseConfig(MINIMAL + '    enabled: false\n', 'feeds.yaml');
    expect(result.ok).toBe(true);
    expect(result.warnings[0]?.message).toContain('every source is disabled');
  });
});

describe('publisherNames', () => {
  it('counts each publisher once, after aliases', async () => {
    const config = configOf(await loadConfigFile(ROOT_CONFIG));
    expect(publisherNames(config).sort()).toEqual(['21世纪经济报道', '上海证券报', '中国工业报', '证券时报'].sort());
  });
});

describe('loadConfigOrThrow', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'finews-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the config of a valid file', async () => {
    const file = path.join(dir, 'ok.yaml');
    await writeFile(file, MINIMAL);
    const config = await loadConfigOrThrow(file);
    expect(config.sources.map((s) => s.id)).toEqual(['eastmoney-industry']);
  });

  it('throws a ConfigError (config-invalid) carrying every issue', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, await readFile(path.join(FIXTURES, 'many-mistakes.yaml'), 'utf8'));
    const err = await loadConfigOrThrow(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(isFinewsError(err, 'config-invalid')).toBe(true);
    const issues = (err as ConfigError).issues;
    expect(issues.length).toBeGreaterThanOrEqual(15);
    expect((err as ConfigError).message).toContain(`${file}:4:8: site.url:`);
    expect((err as ConfigError).retryable).toBe(false);
  });

  it('lets a caller give ConfigError its own message', () => {
    const issue = { file: 'feeds.yaml', line: 3, column: 8, message: 'site.url: bad' };
    const err = new ConfigError('feeds.yaml:3:8: site.url: bad', [issue]);
    expect(err.message).toBe('feeds.yaml:3:8: site.url: bad');
    expect(err.issues).toEqual([issue]);
    expect(err.code).toBe('config-invalid');
  });
});

describe('site.url forms', () => {
  it('defaults to where finews serves, from HOST and PORT', () => {
    const result = parseConfig('site:\n  title: t\nsources: []\n', 'feeds.yaml');
    expect(result.ok && result.config.site).toMatchObject({ url: defaultSiteUrl(), urlDerived: true });
    expect(defaultSiteUrl()).toBe('http://127.0.0.1:8080');
    expect(resolveOptions({}, {}).defaultSiteUrl).toBe('http://127.0.0.1:8080');
    expect(resolveOptions({}, { HOST: '0.0.0.0', PORT: '9000' }).defaultSiteUrl).toBe('http://127.0.0.1:9000');
    expect(resolveOptions({}, { HOST: 'news.internal', PORT: '80' }).defaultSiteUrl).toBe('http://news.internal:80');
    expect(resolveOptions({}, { HOST: '::1' }).defaultSiteUrl).toBe('http://[::1]:8080');
    const served = parseConfig('site:\n  title: t\nsources: []\n', 'feeds.yaml', { defaultSiteUrl: 'http://news.internal:80' });
    expect(served.ok && served.config.site.url).toBe('http://news.internal:80');
  });

  it('accepts a protocol-relative site.url, as Jekyll sites write it', () => {
    const result = parseConfig('site:\n  title: t\n  url: //finews.withounder.com/\nsources: []\n', 'feeds.yaml');
    expect(result.ok && result.config.site.url).toBe('//finews.withounder.com');
  });
});
