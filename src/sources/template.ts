/**
 * Templates of feeds.yaml (INTERFACE §2a): a value holding `{…}` is a template; each
 * `{name}` is replaced by a value (a record's path, `{infoCode}`, `{now}`, `{page}`);
 * `{{` and `}}` stand for literal braces.
 */

/** One piece of a parsed template. */
export type TemplatePart = { literal: string } | { name: string };

/** The values a template is rendered with. Names not given here are looked up with `lookup`. */
export interface TemplateValues {
  /** `{now}`: the time in milliseconds. */
  now?: Date;
  /** `{page}`: the page number. */
  page?: number;
  /** `{infoCode}`: the item's canonical infoCode. */
  infoCode?: string;
  /** Any other `{name}`: a record's value at that path or selector (undefined when absent). */
  lookup?: (name: string) => unknown;
}

export interface RenderOptions {
  /**
   * The template is a URL: values are URL-encoded (`encodeURIComponent`), except one
   * standing at the very start, which supplies the scheme and host (`{url}` or `{base}/a`).
   */
  url?: boolean;
  /** Leave `{name}`s that have no value as written, instead of failing. */
  keepUnknown?: boolean;
}

/** Longest template accepted, in characters. */
const MAX_TEMPLATE = 4096;

/** True when `text` is a template: it has a `{name}` (not only `{{`/`}}` escapes). */
export function isTemplate(text: string): boolean {
  if (!text.includes('{')) return false;
  const parts = tryParse(text);
  return parts !== undefined && parts.some((p) => 'name' in p);
}

/** Why `text` is not a well-formed template (an unclosed or stray brace, an empty `{}`), or undefined. */
export function templateProblem(text: string): string | undefined {
  if (text.length > MAX_TEMPLATE) return `template is longer than ${MAX_TEMPLATE} characters`;
  try {
    parseTemplate(text);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The `{name}`s of a template, in order. */
export function templateNames(text: string): string[] {
  return parseTemplate(text).flatMap((p) => ('name' in p ? [p.name] : []));
}

const cache = new Map<string, TemplatePart[]>();

/**
 * Parses a template into literals and names.
 * @throws Error naming the problem (see {@link templateProblem}).
 */
export function parseTemplate(text: string): TemplatePart[] {
  const cached = cache.get(text);
  if (cached) return cached;
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '{' && text[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (ch === '}' && text[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (ch === '{') {
      const end = text.indexOf('}', i + 1);
      if (end < 0) throw new Error(`template "${text}" has an unclosed "{" at character ${i + 1}`);
      const name = text.slice(i + 1, end).trim();
      if (name === '') throw new Error(`template "${text}" has an empty "{}" at character ${i + 1}`);
      if (name.includes('{')) throw new Error(`template "${text}" has a "{" inside "{…}" at character ${i + 1}; write "{{" for a literal brace`);
      if (literal !== '') parts.push({ literal });
      literal = '';
      parts.push({ name });
      i = end + 1;
    } else if (ch === '}') {
      throw new Error(`template "${text}" has a stray "}" at character ${i + 1}; write "}}" for a literal brace`);
    } else {
      literal += ch;
      i++;
    }
  }
  if (literal !== '') parts.push({ literal });
  if (cache.size > 1000) cache.clear();
  cache.set(text, parts);
  return parts;
}

function tryParse(text: string): TemplatePart[] | undefined {
  try {
    return parseTemplate(text);
  } catch {
    return undefined;
  }
}

/**
 * Renders a template. A `{name}` whose value is missing or empty makes the whole result
 * undefined (a link to `/a/.html` is worse than none), unless `keepUnknown` leaves it as
 * written.
 */
export function renderTemplate(text: string, values: TemplateValues, opts: RenderOptions & { keepUnknown: true }): string;
export function renderTemplate(text: string, values: TemplateValues, opts?: RenderOptions): string | undefined;
export function renderTemplate(text: string, values: TemplateValues, opts: RenderOptions = {}): string | undefined {
  let out = '';
  const parts = parseTemplate(text);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as TemplatePart;
    if ('literal' in part) {
      out += part.literal;
      continue;
    }
    const value = valueOf(part.name, values);
    if (value === undefined) {
      if (!opts.keepUnknown) return undefined;
      out += `{${part.name}}`;
      continue;
    }
    out += opts.url && i > 0 ? encodeURIComponent(value) : value;
  }
  return out;
}

function valueOf(name: string, values: TemplateValues): string | undefined {
  if (name === 'now' && values.now !== undefined) return String(values.now.getTime());
  if (name === 'page' && values.page !== undefined) return String(values.page);
  if (name === 'infoCode' && values.infoCode !== undefined) return values.infoCode;
  const v = values.lookup?.(name);
  const text = scalarText(v);
  return text === undefined || text === '' ? undefined : text;
}

/** A JSON scalar as text (numbers and booleans too); undefined for null, objects and arrays. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return Number.isFinite(value) ? numberText(value) : undefined;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Integers as digits (no `1e+21`): codes and unix times arrive as large numbers. */
function numberText(n: number): string {
  return Number.isInteger(n) && Math.abs(n) >= 1e21 ? BigInt(n).toString() : String(n);
}
