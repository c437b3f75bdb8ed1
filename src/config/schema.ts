/**
 * The zod schema of feeds.yaml as written (INTERFACE §2): strict objects, every field checked
 * where it stands, so each problem is reported at its own path. Durations and sizes come
 * out as numbers (ms, bytes); defaults are applied later, when sources are resolved.
 */
import { z } from 'zod';
import { ALL_SLUG, type SourceKind } from '../domain.js';
import { headerNameProblem } from '../fetch/request-headers.js';
import { pathProblem } from '../sources/record-path.js';
import { isBoundedPattern } from '../util/bounded-pattern.js';
import { selectorProblem } from '../sources/selector.js';
import { templateNames, templateProblem } from '../sources/template.js';
import { isValidZone } from '../util/time.js';
import { DURATION_HINT, formatDuration, parseDuration, parseSize, SIZE_HINT } from './durations.js';

/** Checked with cheerio's parser; lives with the html source reader, which runs the selectors. */
export { selectorProblem };

export const SLUG_PATTERN = /^[a-z0-9-]+$/;

const text = z.string().trim().min(1, { message: 'must not be empty' });

/** An absolute http(s) URL. */
function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an absolute URL (write it with http:// or https://)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${value}" must be an http:// or https:// URL, not ${url.protocol}`;
  }
  if (url.hostname === '') return `"${value}" has no host`;
  return undefined;
}

/** Names a list URL may use: the time and the page number. */
const LIST_URL_NAMES = new Set(['now', 'page']);

/** Why a source URL (with optional `{now}`/`{page}`) is unusable, or undefined. */
function listUrlProblem(value: string): string | undefined {
  return templatedUrlProblem(value, (name) => (LIST_URL_NAMES.has(name) ? undefined : `names {${name}}; a source url may only use {now} and {page}`));
}

/** Why an `article.api.url` (with `{infoCode}` and record paths) is unusable, or undefined. */
function apiUrlProblem(value: string): string | undefined {
  return templatedUrlProblem(value, (name) => (name === 'infoCode' || name === 'now' ? undefined : pathProblem(name)));
}

function templatedUrlProblem(value: string, nameProblem: (name: string) => string | undefined): string | undefined {
  if (value.includes('{') || value.includes('}')) {
    const problem = templateProblem(value);
    if (problem !== undefined) return problem;
    for (const name of templateNames(value)) {
      const bad = nameProblem(name);
      if (bad !== undefined) return `url "${value}" ${bad.startsWith('names') ? bad : `has {${name}}: ${bad}`}`;
    }
    // Check the URL's shape with every name filled in.
    const filled = value.replace(/\{\{|\}\}|\{[^{}]*\}/g, (m) => (m === '{{' ? '{' : m === '}}' ? '}' : '1'));
    const shape = httpUrlProblem(filled);
    return shape === undefined ? undefined : `url "${value}": ${shape.replace(`"${filled}" `, '')}`;
  }
  return httpUrlProblem(value);
}

/** The public base URL: absolute http(s), or protocol-relative (`//host`) as Jekyll sites often write it. */
const siteUrl = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const problem = v.startsWith('//') ? httpUrlProblem(`https:${v}`) : httpUrlProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const slug = (what: string) =>
  z
    .string()
    .trim()
    .superRefine((v, ctx) => {
      if (!SLUG_PATTERN.test(v)) {
        ctx.addIssue({ code: 'custom', message: `${what} "${v}" may only use a-z, 0-9 and -` });
      }
    });

/** A duration such as `10m`; `min` in ms. */
const duration = (min: number) =>
  z.unknown().transform((v, ctx) => {
    if (typeof v !== 'string' && typeof v !== 'number') {
      ctx.addIssue({ code: 'custom', message: `expected a duration, got ${describeValue(v)}: ${DURATION_HINT}` });
      return z.NEVER;
    }
    const ms = typeof v === 'number' ? (v === 0 ? 0 : undefined) : parseDuration(v);
    if (ms === undefined) {
      const unitless = typeof v === 'number' || /^\d+(\.\d+)?$/.test(v.trim());
      ctx.addIssue({
        code: 'custom',
        message: unitless
          ? `duration ${String(v)} has no unit: ${DURATION_HINT}`
          : `invalid duration "${v}": ${DURATION_HINT}`,
      });
      return z.NEVER;
    }
    if (ms < min) {
      ctx.addIssue({ code: 'custom', message: `duration "${String(v)}" is too short (at least ${formatDuration(min)})` });
      return z.NEVER;
    }
    return ms;
  });

const size = z.unknown().transform((v, ctx) => {
  const bytes = typeof v === 'string' || typeof v === 'number' ? parseSize(v) : undefined;
  if (bytes === undefined) {
    const shown = typeof v === 'string' ? `"${v}"` : describeValue(v);
    ctx.addIssue({ code: 'custom', message: `invalid size ${shown}: ${SIZE_HINT}` });
    return z.NEVER;
  }
  if (bytes < 1) {
    ctx.addIssue({ code: 'custom', message: `size must be more than 0 bytes` });
    return z.NEVER;
  }
  return bytes;
});

/** A short description of a YAML value for messages: `"text"`, `12`, `true`, `a list`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

const selector = z
  .string()
  .trim()
  .min(1, { message: 'CSS selector must not be empty' })
  .superRefine((v, ctx) => {
    const problem = selectorProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * Why `pattern` is not a JS RegExp with exactly one capturing group that runs in bounded
 * time, or undefined. Patterns run on feed-controlled links, so a nested quantifier such as
 * `(a+)+$` (exponential backtracking) is refused.
 */
function patternProblem(pattern: string): string | undefined {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    // V8 says "Invalid regular expression: /<source>/<flags>: <reason>"; the source is shown already.
    const message = err instanceof Error ? err.message : String(err);
    const reason = message.slice(message.lastIndexOf(': ') + 2);
    return `invalid regular expression "${pattern}": ${reason}`;
  }
  // Alternation with the empty pattern always matches, and the match array has one slot per group.
  const groups = (new RegExp(`${re.source}|`).exec('')?.length ?? 1) - 1;
  if (groups !== 1) {
    return `pattern "${pattern}" must have exactly one capturing group (…) around the id, found ${groups}`;
  }
  if (!isBoundedPattern(pattern)) {
    return `pattern "${pattern}" may take exponential time on some links: it repeats a group that itself repeats (as in (a+)+) or uses more than 25 repetitions or a construct that cannot be checked; write it without nested repetition`;
  }
  return undefined;
}

const pattern = z.string().superRefine((v, ctx) => {
  const problem = patternProblem(v);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const infoCodeRule = z.strictObject({
  param: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]+$/, { message: 'query parameter name may only use letters, digits, _ . and -' })
    .optional(),
  pattern: pattern.optional(),
});

/** Extra request headers: names checked here, values any text; Host and the like are refused. */
const headers = z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).superRefine((v, ctx) => {
  for (const name of Object.keys(v)) {
    const problem = headerNameProblem(name);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: [name] });
  }
});

/** A path, or a list of fallback paths, into a JSON answer. */
const pathList = z.union([z.string(), z.array(z.string())]).superRefine((v, ctx) => {
  const entries = typeof v === 'string' ? [v] : v;
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'the list of paths must not be empty' });
  entries.forEach((entry, i) => {
    const problem = pathProblem(entry);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: typeof v === 'string' ? [] : [i] });
  });
});

/** `article.api`: where a json source's bodies come from (INTERFACE §2a). */
const articleApi = z.strictObject({
  url: z
    .string()
    .trim()
    .superRefine((v, ctx) => {
      const problem = apiUrlProblem(v);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
  content: pathList,
  headers: headers.optional(),
});

const articleRules = z.strictObject({
  fetch: z.boolean().optional(),
  content: selector.optional(),
  remove: z.array(selector).optional(),
  api: articleApi.optional(),
});

const timezone = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    if (!isValidZone(v)) {
      ctx.addIssue({ code: 'custom', message: `unknown time zone "${v}" (use an IANA name such as Asia/Shanghai)` });
    }
  });

const language = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    try {
      Intl.getCanonicalLocales(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a language tag (e.g. zh-CN)` });
    }
  });

const shareUrl = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    if (!v.includes('{infoCode}')) {
      ctx.addIssue({ code: 'custom', message: `must contain {infoCode}, where each item's infoCode goes` });
      return;
    }
    const problem = httpUrlProblem(v.replaceAll('{infoCode}', 'NW202203302327572513'));
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem.replace('NW202203302327572513', '{infoCode}') });
  });

const positiveInt = z.number().int().min(1);

const siteSchema = z.strictObject({
  title: text,
  url: siteUrl.optional(),
  language: language.optional(),
  timezone: timezone.optional(),
  itemsPerFeed: positiveInt.max(10_000).optional(),
  retentionDays: positiveInt.optional(),
  shareUrl: shareUrl.optional(),
});

const fetchSettings = {
  every: duration(1_000).optional(),
  timeout: duration(1).optional(),
  maxBytes: size.optional(),
  userAgent: text.optional(),
  allowPrivateNetworks: z.boolean().optional(),
  article: articleRules.optional(),
  infoCode: infoCodeRule.optional(),
  maxItems: positiveInt.max(100_000).optional(),
};

const defaultsSchema = z.strictObject(fetchSettings);

const publisherSchema = z
  .strictObject({
    slug: slug('slug').optional(),
    alias: text.optional(),
  })
  .nullable();

const categorySchema = z.strictObject({ title: text });

const categorySlug = slug('category').superRefine((v, ctx) => {
  if (v === ALL_SLUG) {
    ctx.addIssue({ code: 'custom', message: `category "all" is reserved for the merged feed of everything` });
  }
});

/** A field rule as written: a path/selector/template or a list of them (checked per kind in source-checks.ts). */
const fieldRule = z.union([z.string(), z.array(z.string())]);

const fieldsSchema = z.strictObject({
  infoCode: fieldRule.optional(),
  title: fieldRule.optional(),
  link: fieldRule.optional(),
  guid: fieldRule.optional(),
  summary: fieldRule.optional(),
  content: fieldRule.optional(),
  publishedAt: fieldRule.optional(),
  publisher: fieldRule.optional(),
  author: fieldRule.optional(),
});

const SOURCE_KINDS: readonly SourceKind[] = ['rss', 'json', 'html'];

const kind = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    if (!(SOURCE_KINDS as readonly string[]).includes(v)) {
      ctx.addIssue({ code: 'custom', message: `unknown kind "${v}" (expected one of: ${SOURCE_KINDS.join(', ')})` });
    }
  })
  .transform((v) => v as SourceKind);

/** The list URL: absolute http(s), templates only of `{now}` and `{page}`. */
const listUrlSchema = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const problem = listUrlProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const sourceSchema = z.strictObject({
  id: slug('source id'),
  kind: kind.optional(),
  url: listUrlSchema,
  headers: headers.optional(),
  items: z.string().optional(),
  pages: positiveInt.max(100).optional(),
  fields: fieldsSchema.optional(),
  dateFormat: text.optional(),
  publisher: text.optional(),
  categories: z.array(categorySlug).optional(),
  enabled: z.boolean().optional(),
  ...fetchSettings,
});

const hostRules = z.strictObject({
  perHost: positiveInt.max(64).optional(),
  spacing: duration(0).optional(),
});

const politenessSchema = z.strictObject({
  perHost: positiveInt.max(64).optional(),
  spacing: duration(0).optional(),
  hosts: z
    .record(z.string(), hostRules)
    .superRefine((v, ctx) => {
      for (const host of Object.keys(v)) {
        if (!HOST_NAME.test(host.trim())) {
          ctx.addIssue({ code: 'custom', message: `"${host}" is not a host name (write it without scheme, port or path, e.g. np-listapi.eastmoney.com)`, path: [host] });
        }
      }
    })
    .optional(),
});

/** A DNS name or IPv4 address as URLs carry it. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * The longest story window: the Redis story index keeps a band value's set a week after
 * its newest article (src/store/redis-stories.ts), which must outlast two windows.
 */
export const MAX_STORY_WINDOW_MS = 72 * 3600_000;

/** `stories`: how reprints are grouped (INTERFACE §3a). */
const storiesSchema = z.strictObject({
  enabled: z.boolean().optional(),
  window: duration(60_000)
    .superRefine((ms, ctx) => {
      if (ms > MAX_STORY_WINDOW_MS) ctx.addIssue({ code: 'custom', message: `story window ${formatDuration(ms)} is too long (at most ${formatDuration(MAX_STORY_WINDOW_MS)})` });
    })
    .optional(),
  maxDistance: z.number().int().min(0).max(64).optional(),
});

/** feeds.yaml as written. */
export const configSchema = z.strictObject({
  site: siteSchema,
  defaults: defaultsSchema.optional(),
  publishers: z.record(z.string(), publisherSchema).nullable().optional(),
  categories: z.record(z.string(), categorySchema).nullable().optional(),
  politeness: politenessSchema.optional(),
  stories: storiesSchema.optional(),
  sources: z.array(sourceSchema).nullable(),
});

export type RawConfig = z.output<typeof configSchema>;
export type RawSource = z.output<typeof sourceSchema>;
export type RawDefaults = z.output<typeof defaultsSchema>;

/**
 * The keys an object at `path` may have, for "did you mean" hints; empty when the path
 * does not lead to an object of the schema.
 */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = configSchema;
  for (const segment of path) {
    schema = unwrap(schema);
    const def: z.core.$ZodTypeDef | undefined = schema?._zod.def;
    if (def === undefined) return [];
    if (def.type === 'object') schema = (def as z.core.$ZodObjectDef).shape[String(segment)];
    else if (def.type === 'record') schema = (def as z.core.$ZodRecordDef).valueType;
    else if (def.type === 'array') schema = (def as z.core.$ZodArrayDef).element;
    else return [];
  }
  const def = unwrap(schema)?._zod.def;
  return def?.type === 'object' ? Object.keys((def as z.core.$ZodObjectDef).shape) : [];
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let s = schema;
  for (let i = 0; s !== undefined && i < 10; i++) {
    const def = s._zod.def;
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') {
      s = (def as z.core.$ZodOptionalDef).innerType;
    } else if (def.type === 'pipe') {
      s = (def as z.core.$ZodPipeDef).in;
    } else {
      return s;
    }
  }
  return s;
}
