import type { RecordField, RecordMapping, SourceItem } from '../domain.js';
import { FinewsError } from '../errors.js';
import { parseDateValue } from '../util/dates.js';
import { truncate } from '../util/html.js';
import { absoluteHttpUrl } from '../util/url.js';
import { evaluateRule, isPresent } from './field-rule.js';
import { htmlToText, inlineText } from './html-text.js';
import type { ReadContext } from './reader-types.js';
import { scalarText } from './template.js';

/**
 * Records of a json/html source → items, one rule for both kinds: field rules evaluated,
 * values cleaned (INTERFACE §2a), unusable records skipped with a warning, the work
 * bounded by the source's maxItems.
 */

/** Longest title kept, in characters. */
export const TITLE_MAX = 1000;
/** Longest plain-text summary kept, in characters (as for feed items). */
export const SUMMARY_MAX = 300;
/** A raw record kept on its item (for article.api templates) only when its JSON is at most this long. */
export const RECORD_MAX_JSON = 16 * 1024;

/** The records of one list body, read lazily so records past maxItems cost nothing. */
export interface RecordList {
  count: number;
  /** How warnings name record `i`: `record data.list.3`. */
  label(i: number): string;
  /** Reads one path/selector in record `i`; undefined when the record is not usable at all. */
  reader(i: number): ((entry: string) => unknown) | undefined;
  /** The raw record (json), kept on the item when small. */
  raw?(i: number): unknown;
}

export interface MapContext {
  mapping: RecordMapping;
  /** Base URL relative links resolve against. */
  base: string;
  timezone: string;
  maxItems: number;
}

export interface MappedRecords {
  items: SourceItem[];
  warnings: string[];
  skipped: number;
}

/** Maps every record (up to maxItems, the newest end of the list) to an item. */
export function mapRecords(list: RecordList, ctx: MapContext): MappedRecords {
  const out: MappedRecords = { items: [], warnings: [], skipped: 0 };
  const [from, to] = window(list, ctx, out.warnings);
  for (let i = from; i < to; i++) {
    const item = mapRecord(list, i, ctx, out.warnings);
    if (item === undefined) out.skipped++;
    else out.items.push(item);
  }
  return out;
}

/**
 * The records read: all of them, or the maxItems at the newest end. Lists are newest first
 * nearly always; the dates of the first and last record tell the rare oldest-first list.
 */
function window(list: RecordList, ctx: MapContext, warnings: string[]): [number, number] {
  const max = Math.max(0, ctx.maxItems);
  if (list.count <= max) return [0, list.count];
  const first = dateOf(list, 0, ctx);
  const last = dateOf(list, list.count - 1, ctx);
  const oldestFirst = first !== undefined && last !== undefined && Date.parse(last) > Date.parse(first);
  warnings.push(`${list.count} records, more than maxItems (${max}): read the ${max} newest, ${list.count - max} left out`);
  return oldestFirst ? [list.count - max, list.count] : [0, max];
}

function dateOf(list: RecordList, i: number, ctx: MapContext): string | undefined {
  const rule = ctx.mapping.fields.publishedAt;
  const lookup = list.reader(i);
  if (rule === undefined || lookup === undefined) return undefined;
  return parseDateValue(evaluateRule('publishedAt', rule, lookup), ctx.timezone, ctx.mapping.dateFormat);
}

function mapRecord(list: RecordList, i: number, ctx: MapContext, warnings: string[]): SourceItem | undefined {
  const label = list.label(i);
  const lookup = list.reader(i);
  if (lookup === undefined) {
    warnings.push(`${label}: skipped, not a record (an object or element)`);
    return undefined;
  }
  const { fields } = ctx.mapping;
  const value = (field: RecordField): unknown => {
    const rule = fields[field];
    return rule === undefined ? undefined : evaluateRule(field, rule, lookup);
  };
  const text = (field: RecordField): string | undefined => {
    const t = scalarText(value(field));
    return t === undefined || t === '' ? undefined : t;
  };

  const title = cleanTitle(text('title'));
  const infoCode = text('infoCode');
  const rawLink = text('link');
  const link = rawLink === undefined ? undefined : absoluteHttpUrl(rawLink, ctx.base);
  if (rawLink !== undefined && link === undefined) warnings.push(`${label}: link ${JSON.stringify(truncate(rawLink, 80))} is not an http(s) URL, dropped`);

  if (title === undefined) {
    warnings.push(`${label}: skipped, no title (${ruleText(fields.title)} is missing or empty)`);
    return undefined;
  }
  if (link === undefined && infoCode === undefined) {
    const named = [fields.link && `link: ${ruleText(fields.link)}`, fields.infoCode && `infoCode: ${ruleText(fields.infoCode)}`].filter(Boolean).join(', ');
    warnings.push(`${label} "${truncate(title, 30)}": skipped, neither link nor infoCode${named ? ` (${named})` : ''}`);
    return undefined;
  }

  const guid = text('guid');
  const summary = cleanSummary(text('summary'), title);
  const contentHtml = text('content');
  const author = inline(text('author'));
  const publisher = inline(text('publisher'));
  // Fields set in the order of SourceItem, so golden files read naturally; absent ones not at all.
  const item = {} as SourceItem;
  if (infoCode !== undefined) item.infoCode = infoCode;
  if (publisher !== undefined) item.publisher = publisher;
  if (guid !== undefined) item.guid = guid;
  if (link !== undefined) item.link = link;
  item.title = title;
  if (summary !== undefined) item.summary = summary;
  if (contentHtml !== undefined) item.contentHtml = contentHtml;
  if (author !== undefined) item.author = author;
  item.categories = [];

  const date = value('publishedAt');
  if (isPresent(date)) {
    const publishedAt = parseDateValue(date, ctx.timezone, ctx.mapping.dateFormat);
    if (publishedAt !== undefined) item.publishedAt = publishedAt;
    else warnings.push(`${label} "${truncate(title, 30)}": unreadable date ${JSON.stringify(truncate(String(scalarText(date) ?? typeof date), 40))}, kept without a date`);
  }

  const raw = list.raw?.(i);
  if (raw !== undefined) {
    const json = JSON.stringify(raw);
    if (json !== undefined && json.length <= RECORD_MAX_JSON) item.record = raw;
  }
  return item;
}

/** A title as text: tags (`<em>` of search results) and entities gone, whitespace collapsed, length capped. */
function cleanTitle(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = inlineText(text);
  return t === '' ? undefined : truncate(t, TITLE_MAX);
}

/** A summary as text, without a leading `【<title>】` that only repeats the title. */
function cleanSummary(text: string | undefined, title: string): string | undefined {
  if (text === undefined) return undefined;
  let t = htmlToText(text);
  const m = /^【([^】]*)】\s*/.exec(t);
  if (m && squeeze(m[1] ?? '') === squeeze(title)) t = t.slice(m[0].length);
  return t === '' ? undefined : truncate(t, SUMMARY_MAX);
}

function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

function inline(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = inlineText(text);
  return t === '' ? undefined : truncate(t, TITLE_MAX);
}

function ruleText(rule: string | string[] | undefined): string {
  if (rule === undefined) return 'no rule';
  return typeof rule === 'string' ? JSON.stringify(rule) : `[${rule.map((r) => JSON.stringify(r)).join(', ')}]`;
}

/** The source's record mapping; config validation guarantees one on json/html sources. */
export function mappingOf(ctx: ReadContext): RecordMapping {
  const mapping = ctx.source.mapping;
  if (mapping === undefined) {
    throw new FinewsError('config-invalid', `source ${ctx.source.id} is kind ${ctx.source.kind} but has no items/fields`, {
      sourceId: ctx.source.id,
    });
  }
  return mapping;
}
