/**
 * Loading feeds.yaml (INTERFACE §2): YAML with positions → schema validation → cross-checks
 * → defaults merged into every source → a deep-frozen {@link Config}. Every problem is
 * reported with its line and column, all of them at once.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { ALL_SLUG, type Config, type PublisherConfig, type SourceConfig } from '../domain.js';
import { slugOf } from '../tagging/slug.js';
import { compareIssues, ConfigError, type ConfigIssue } from './issues.js';
import {
  configSchema,
  describeValue,
  knownKeysAt,
  SLUG_PATTERN,
  type RawConfig,
} from './schema.js';
import { defaultSiteUrl } from './site-url.js';
import { findDuplicateKeys, YamlPositions, type DataPath, type Position } from './yaml-positions.js';

export { ConfigError, formatIssue, formatWarning, type ConfigIssue } from './issues.js';

/** The outcome of loading a config: the config and its warnings, or every error found. */
export type ConfigResult =
  | { ok: true; config: Config; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

/** Values used when feeds.yaml leaves a setting out. */
const CONFIG_DEFAULTS = {
  language: 'zh-CN',
  timezone: 'Asia/Shanghai',
  itemsPerFeed: 50,
  retentionDays: 30,
  everyMs: 10 * 60_000,
  timeoutMs: 20_000,
  maxBytes: 10 * 1024 * 1024,
  allowPrivateNetworks: false,
  articleFetch: true,
  infoCodeParam: 'infoCode',
  perHostConcurrency: 2,
  minSpacingMs: 500,
  maxItems: 1000,
} as const;

/** The User-Agent sent when feeds.yaml sets none: `finews/1 (+<site.url>)`. */
function defaultUserAgent(siteUrl: string): string {
  return `finews/1 (+${siteUrl})`;
}

/**
 * Parses and validates the text of a config file. `fileName` is only used in issues
 * (`feeds.yaml:12:5: …`). Never throws for a bad config: every problem is in `errors`.
 */
export function parseConfig(text: string, fileName: string): ConfigResult {
  const source = text.replace(/^\uFEFF/, '');
  const lines = new LineCounter();
  const doc = parseDocument(source, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false, // duplicates are found below, with both lines named
    merge: true,
  });
  const pos = new YamlPositions(doc, lines);
  const at = (p: Position, message: string): ConfigIssue => ({ file: fileName, line: p.line, column: p.column, message });
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];

  for (const w of doc.warnings) warnings.push(at(pos.at(w.pos[0]), `YAML: ${w.message}`));
  for (const e of doc.errors) errors.push(at(pos.at(skipBlanks(source, e.pos[0])), `invalid YAML: ${yamlMessage(e)}`));
  // After a syntax error the tree is a guess; checking it would only add noise.
  if (errors.length > 0) return failed(errors, warnings);

  for (const dup of findDuplicateKeys(doc)) {
    const first = pos.at(dup.firstOffset);
    errors.push(at(pos.at(dup.offset), `duplicate key "${dup.key}" (first given at line ${first.line})`));
  }

  let danglingAlias = false;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        danglingAlias = true;
        errors.push(at(pos.at(node.range?.[0] ?? 0), `invalid YAML: alias *${node.source} refers to no anchor &${node.source} before it`));
      }
    },
  });
  // toJS() cannot build the data around a dangling alias.
  if (danglingAlias) return failed(errors, warnings);

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    errors.push(at({ line: 1, column: 1 }, `invalid YAML: ${err instanceof Error ? err.message : String(err)}`));
    return failed(errors, warnings);
  }

  const parsed = configSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors.push(...describeZodIssue(issue, pos, at));
  }
  errors.push(...crossCheck(data, pos, at));
  if (!parsed.success || errors.length > 0) return failed(errors, warnings);

  const config = resolveConfig(parsed.data);
  warnings.push(...warn(parsed.data, config, pos, at));
  return { ok: true, config: deepFreeze(config), warnings: warnings.sort(compareIssues) };
}

/**
 * Reads and parses a config file. A missing or unreadable file is an error at 1:1 naming
 * the path.
 */
export async function loadConfigFile(path: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return failed([{ file: path, line: 1, column: 1, message: `cannot read config file ${path}: ${readProblem(err)}` }], []);
  }
  return parseConfig(text, path);
}

/** Loads a config file, throwing a {@link ConfigError} with every issue when it is invalid. */
export async function loadConfigOrThrow(path: string): Promise<Config> {
  const result = await loadConfigFile(path);
  if (!result.ok) throw new ConfigError(result.errors);
  return result.config;
}

/** YAML reports some errors at the indentation before the offending token; point at the token. */
function skipBlanks(text: string, offset: number): number {
  let i = offset;
  while (text[i] === ' ') i++;
  return text[i] === undefined || text[i] === '\n' || text[i] === '\r' ? offset : i;
}

function yamlMessage(e: YAMLError): string {
  if (e.code === 'MULTIPLE_DOCS') return 'a config holds one YAML document; remove the second --- and what follows, or merge them';
  return e.message;
}

function failed(errors: ConfigIssue[], warnings: ConfigIssue[]): ConfigResult {
  return { ok: false, errors: dedupe(errors).sort(compareIssues), warnings: warnings.sort(compareIssues) };
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.line}:${i.column}:${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return err instanceof Error ? err.message : String(err);
}

type At = (p: Position, message: string) => ConfigIssue;

/** `sources[2].article.content`, `publishers.中国工业报.slug`. */
function pathText(path: DataPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out += /^[\p{L}\p{N}_-]+$/u.test(s) ? `${out === '' ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function describeZodIssue(issue: z.core.$ZodIssue, pos: YamlPositions, at: At): ConfigIssue[] {
  const path = issue.path;
  const where = pathText(path);
  const prefix = where === '' ? '' : `${where}: `;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const known = knownKeysAt(path);
        const guess = closest(key, known);
        const hint = guess !== undefined ? ` (did you mean "${guess}"?)` : known.length > 0 ? ` (expected one of: ${known.join(', ')})` : '';
        return at(pos.keyAt([...path, key]), `unknown key "${key}"${where === '' ? '' : ` in ${where}`}${hint}`);
      });
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      if (path.length === 0 && (issue.input === undefined || issue.input === null)) {
        return [at({ line: 1, column: 1 }, 'the config is empty: expected at least site: and sources:')];
      }
      if (issue.input === undefined) {
        const last = path[path.length - 1];
        const parent = pathText(path.slice(0, -1));
        return [at(pos.valueAt(path), `${parent === '' ? '' : `${parent}: `}missing required key "${String(last)}"`)];
      }
      const example =
        path.length === 2 && path[0] === 'categories' && typeof issue.input === 'string'
          ? ` (write ${String(path[1])}: { title: ${issue.input} })`
          : '';
      return [at(pos.valueAt(path), `${prefix}expected ${expected}, got ${describeValue(issue.input)}${example}`)];
    }
    case 'too_small':
      return [at(pos.valueAt(path), `${prefix}must be at least ${String(issue.minimum)}`)];
    case 'too_big':
      return [at(pos.valueAt(path), `${prefix}must be at most ${String(issue.maximum)}`)];
    default:
      return [at(pos.valueAt(path), `${prefix}${issue.message}`)];
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Checks that span more than one field, run on the raw data so they are reported even
 * when the schema found other problems.
 */
function crossCheck(data: unknown, pos: YamlPositions, at: At): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  if (!isRecord(data)) return out;

  // Source ids are unique; the repeat is the mistake.
  if (Array.isArray(data.sources)) {
    const firstAt = new Map<string, number>();
    data.sources.forEach((source: unknown, i: number) => {
      if (!isRecord(source) || typeof source.id !== 'string') return;
      const id = source.id.trim();
      const first = firstAt.get(id);
      if (first === undefined) {
        firstAt.set(id, i);
        return;
      }
      const firstLine = pos.valueAt(['sources', first, 'id']).line;
      out.push(at(pos.valueAt(['sources', i, 'id']), `sources[${i}].id: duplicate source id "${id}" (first used at line ${firstLine})`));
    });
  }

  // Category slugs are keys, which the schema does not see one by one.
  if (isRecord(data.categories)) {
    for (const key of Object.keys(data.categories)) {
      const p = pos.keyAt(['categories', key]);
      if (key === ALL_SLUG) out.push(at(p, `categories: "all" is reserved for the merged feed of everything`));
      else if (!SLUG_PATTERN.test(key)) out.push(at(p, `categories: category slug "${key}" may only use a-z, 0-9 and - (write e.g. industry: { title: ${key} })`));
    }
  }

  if (isRecord(data.publishers)) {
    const publishers = data.publishers;
    for (const [name, entry] of Object.entries(publishers)) {
      if (name.trim() === '') out.push(at(pos.keyAt(['publishers', name]), 'publishers: publisher name must not be empty'));
      if (!isRecord(entry)) continue;
      const { slug, alias } = entry;
      const where = pathText(['publishers', name]);
      if (slug === ALL_SLUG) {
        out.push(at(pos.valueAt(['publishers', name, 'slug']), `${where}.slug: "all" is reserved for the merged feed of everything`));
      }
      if (typeof alias !== 'string') continue;
      const target = alias.trim();
      const aliasAt = pos.valueAt(['publishers', name, 'alias']);
      if (slug !== undefined) {
        out.push(at(pos.keyAt(['publishers', name, 'slug']), `${where}: give either slug or alias, not both (items of an alias take the category of "${target}")`));
      }
      if (target === name.trim()) {
        out.push(at(aliasAt, `${where}.alias: a publisher cannot be an alias of itself`));
        continue;
      }
      const targetEntry = Object.hasOwn(publishers, target) ? publishers[target] : undefined;
      if (isRecord(targetEntry) && typeof targetEntry.alias === 'string') {
        out.push(
          at(aliasAt, `${where}.alias: "${target}" is itself an alias of "${targetEntry.alias.trim()}"; aliases are followed once, so write alias: ${targetEntry.alias.trim()}`),
        );
      }
    }
  }
  return out;
}

/** Defaults merged into every source; site URL without its trailing slash. */
function resolveConfig(raw: RawConfig): Config {
  const siteUrl = (raw.site.url ?? defaultSiteUrl()).replace(/\/+$/, '');
  const d = raw.defaults ?? {};
  const sources = (raw.sources ?? []).map((s): SourceConfig => {
    const content = s.article?.content ?? d.article?.content;
    const pattern = s.infoCode?.pattern ?? d.infoCode?.pattern;
    return {
      id: s.id,
      kind: 'rss',
      url: s.url,
      headers: {},
      pages: 1,
      maxItems: CONFIG_DEFAULTS.maxItems,
      everyMs: s.every ?? d.every ?? CONFIG_DEFAULTS.everyMs,
      timeoutMs: s.timeout ?? d.timeout ?? CONFIG_DEFAULTS.timeoutMs,
      maxBytes: s.maxBytes ?? d.maxBytes ?? CONFIG_DEFAULTS.maxBytes,
      userAgent: s.userAgent ?? d.userAgent ?? defaultUserAgent(siteUrl),
      allowPrivateNetworks: s.allowPrivateNetworks ?? d.allowPrivateNetworks ?? CONFIG_DEFAULTS.allowPrivateNetworks,
      ...(s.publisher !== undefined ? { publisher: s.publisher } : {}),
      categories: [...new Set(s.categories ?? [])],
      enabled: s.enabled ?? true,
      article: {
        fetch: s.article?.fetch ?? d.article?.fetch ?? CONFIG_DEFAULTS.articleFetch,
        ...(content !== undefined ? { content } : {}),
        remove: [...(s.article?.remove ?? d.article?.remove ?? [])],
      },
      infoCode: {
        param: s.infoCode?.param ?? d.infoCode?.param ?? CONFIG_DEFAULTS.infoCodeParam,
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
      language: raw.site.language ?? CONFIG_DEFAULTS.language,
      timezone: raw.site.timezone ?? CONFIG_DEFAULTS.timezone,
      itemsPerFeed: raw.site.itemsPerFeed ?? CONFIG_DEFAULTS.itemsPerFeed,
      retentionDays: raw.site.retentionDays ?? CONFIG_DEFAULTS.retentionDays,
      ...(raw.site.shareUrl !== undefined ? { shareUrl: raw.site.shareUrl } : {}),
    },
    publishers,
    categories,
    politeness: {
      perHostConcurrency: raw.politeness?.perHost ?? CONFIG_DEFAULTS.perHostConcurrency,
      minSpacingMs: raw.politeness?.spacing ?? CONFIG_DEFAULTS.minSpacingMs,
    },
    sources,
  };
}

/** A publisher name as the config names it, after aliases, where it first appears. */
interface PublisherMention {
  name: string;
  at: Position;
}

/**
 * Every publisher the config names (entries of `publishers:` and sources' fixed
 * `publisher`), after aliases (followed once, as tagging does), first mention first.
 */
function publisherMentions(raw: RawConfig, pos: YamlPositions): PublisherMention[] {
  const entries = raw.publishers ?? {};
  const resolve = (name: string): string => {
    const alias = Object.hasOwn(entries, name) ? entries[name]?.alias?.trim() : undefined;
    return alias !== undefined && alias !== '' ? alias : name;
  };
  const mentions: PublisherMention[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    const alias = entry?.alias?.trim();
    if (alias !== undefined && alias !== '') mentions.push({ name: alias, at: pos.valueAt(['publishers', name, 'alias']) });
    else mentions.push({ name: name.trim(), at: pos.keyAt(['publishers', name]) });
  }
  (raw.sources ?? []).forEach((s, i) => {
    if (s.publisher !== undefined) mentions.push({ name: resolve(s.publisher), at: pos.valueAt(['sources', i, 'publisher']) });
  });
  mentions.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column);
  const seen = new Set<string>();
  return mentions.filter((m) => (seen.has(m.name) ? false : (seen.add(m.name), true)));
}

/**
 * The distinct publishers a config names, after aliases: entries of `publishers:` (an
 * alias counts as its target) and sources' fixed `publisher`.
 */
export function publisherNames(config: Config): string[] {
  const entries = config.publishers;
  const resolve = (name: string): string => {
    const alias = Object.hasOwn(entries, name) ? entries[name]?.alias?.trim() : undefined;
    return alias !== undefined && alias !== '' ? alias : name.trim();
  };
  const names = [...Object.keys(entries), ...config.sources.flatMap((s) => (s.publisher === undefined ? [] : [s.publisher]))];
  return [...new Set(names.map(resolve))];
}

/** The category slug of an (already alias-resolved) publisher name. */
function publisherSlug(name: string, publishers: Record<string, PublisherConfig>): string {
  const configured = Object.hasOwn(publishers, name) ? publishers[name]?.slug : undefined;
  return configured ?? slugOf(name);
}

function warn(raw: RawConfig, config: Config, pos: YamlPositions, at: At): ConfigIssue[] {
  const out: ConfigIssue[] = [];

  // Two publishers in one category is almost never meant: their items would mix.
  const bySlug = new Map<string, PublisherMention>();
  const publisherSlugs = new Set<string>();
  for (const mention of publisherMentions(raw, pos)) {
    const slug = publisherSlug(mention.name, config.publishers);
    publisherSlugs.add(slug);
    const first = bySlug.get(slug);
    if (first === undefined) {
      bySlug.set(slug, mention);
      continue;
    }
    out.push(
      at(
        mention.at,
        `publishers "${first.name}" (line ${first.at.line}) and "${mention.name}" both get the category slug "${slug}" and will share one category; give one of them its own slug under publishers:`,
      ),
    );
  }

  if (config.sources.length === 0) {
    out.push(at(pos.keyAt(['sources']), 'sources: no sources configured; nothing will be fetched'));
  } else if (config.sources.every((s) => !s.enabled)) {
    out.push(at(pos.keyAt(['sources']), 'sources: every source is disabled; nothing will be fetched'));
  }

  // A source category without a title may be a typo of one that has a title.
  const titled = Object.keys(config.categories);
  (raw.sources ?? []).forEach((s, i) => {
    (s.categories ?? []).forEach((slug, j) => {
      if (Object.hasOwn(config.categories, slug) || publisherSlugs.has(slug)) return;
      const guess = closest(slug, titled);
      const hint = guess !== undefined ? ` (did you mean "${guess}"?)` : '';
      out.push(at(pos.valueAt(['sources', i, 'categories', j]), `sources[${i}].categories[${j}]: category "${slug}" has no title under categories:, so its title will be "${slug}"${hint}`));
    });
  });
  return out;
}

/** The candidate nearest to `word` by edit distance, if it is near enough to be a likely typo. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** Edit distance counting a swap of two neighbours as one edit (`evrey` → `every` is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const cell = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(cell(i - 1, j) + 1, cell(i, j - 1) + 1, cell(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, cell(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return cell(a.length, b.length);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
