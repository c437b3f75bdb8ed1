import Parser from 'rss-parser';
import type { ParsedFeed, SourceItem } from '../domain.js';
import { FinewsError } from '../errors.js';
import { assertMarkupWithinBudget, FEED_MARKUP_BUDGET } from '../util/complexity.js';
import { parseDate } from '../util/dates.js';
import { collapseWhitespace, escapeHtml, truncate } from '../util/html.js';
import { absoluteHttpUrl } from '../util/url.js';
import { htmlToText, inlineText } from './html-text.js';
import { attrsOf, childrenOf, isRecord, listOf, stringRecord, textOf, type RawValue } from './raw-xml.js';
import { repairXml } from './repair-xml.js';
import { sniffDocument, type FeedFormat, type Sniffed } from './sniff.js';
import { splitItems } from './split-items.js';

/** What parseFeed needs to know about where a feed came from. */
export interface FeedContext {
  /** The URL the feed was fetched from (after redirects): the base for relative links, and named in errors. */
  feedUrl: string;
  /** IANA zone naive dates are read in (the site's timezone). */
  timezone: string;
}

/** Longest plain-text summary kept from a feed item, in characters. */
const SUMMARY_MAX = 300;
/** Length of the summary snippet that stands in for a missing title. */
const TITLE_FROM_SUMMARY_MAX = 40;

/**
 * Parses a decoded feed body (RSS 0.9x, RSS 1.0/RDF, RSS 2.0, Atom 1.0) into
 * normalized items.
 *
 * Real feeds are dirty, and one bad item never costs the others: bare `&`, HTML
 * entities XML does not know, control characters and a BOM are repaired before
 * parsing; when the document still is not well-formed, each `<item>`/`<entry>` is
 * parsed on its own and only the broken ones are dropped. An item with an invalid
 * date is kept without a date. Every such loss is reported in `warnings`.
 *
 * @throws FinewsError `too-complex` (not retryable) when the feed is nested deeper than the
 *   markup budget (util/complexity); `not-a-feed` (not retryable) when the body is an HTML page,
 *   JSON, plain text, empty, or XML of another kind; `parse-failed` when it is a feed
 *   whose items cannot be read at all.
 */
export async function parseFeed(text: string, ctx: FeedContext): Promise<ParsedFeed> {
  const sniffed = sniffDocument(text);
  if (sniffed.kind !== 'feed') throw notAFeed(sniffed, ctx.feedUrl);

  const body = text.replace(/^\uFEFF/, '').slice(sniffed.start, sniffed.end);
  const { text: xml, fixes } = repairXml(body);
  // Before xml2js builds it and our walks recurse into it: a feed nested 50,000 deep is refused, not parsed.
  assertMarkupWithinBudget(xml, ctx.feedUrl, { xml: true, budget: FEED_MARKUP_BUDGET, what: 'feed' });
  const warnings: string[] = [];

  let raw: RawFeed;
  try {
    raw = await parseXml(xml);
    if (raw.items.some(hasMarkup)) attachBlocks(raw, xml, sniffed.format);
  } catch (err) {
    raw = await parseItemByItem(xml, sniffed.format, sniffed.rootStartTag, sniffed.root, warnings, err, ctx.feedUrl);
  }
  const feed = normalizeFeed(raw, sniffed.format, ctx, warnings);
  // After the item warnings, so "item N" warnings keep their place; the repairs are the feed's.
  if (fixes.length > 0) feed.warnings.push(`XML repaired before parsing: ${fixes.join(', ')}`);
  return feed;
}

// ---------------------------------------------------------------------------
// rss-parser configuration

/** The item as rss-parser hands it over with our custom fields: raw xml2js values. */
interface RawItem {
  rawLinks?: RawValue[];
  rawGuid?: RawValue[];
  rawId?: RawValue[];
  rawTitle?: RawValue[];
  rawDescription?: RawValue[];
  rawSummary?: RawValue[];
  rawContent?: RawValue[];
  rawContentEncoded?: RawValue[];
  rawAuthor?: RawValue[];
  rawDcCreator?: RawValue[];
  rawSource?: RawValue[];
  rawCategory?: RawValue[];
  rawDcSubject?: RawValue[];
  rawPubDate?: RawValue[];
  rawDcDate?: RawValue[];
  rawPublished?: RawValue[];
  rawUpdated?: RawValue[];
  rawAttrs?: RawValue;
  /** The item's own XML, kept when one of its fields holds markup (see markupOf). */
  block?: string;
  /** Set when this item's block could not be parsed: why, and its link or title. */
  broken?: { reason: string; hint?: string };
}

interface RawFeed {
  rawTitle?: RawValue[];
  rawLinks?: RawValue[];
  rawAttrs?: RawValue;
  items: RawItem[];
}

/**
 * Elements renamed while parsing so rss-parser leaves them to us. It turns Atom
 * `published`/`updated` into dates with `new Date(x).toISOString()`, which throws on
 * an invalid date and loses the whole feed, and its Atom link reader throws on a
 * `<link>` without attributes. The text elements and RSS dates it would read into
 * fields we never use: a plain-text snippet of every description and content:encoded
 * (regexes and an entity decoder over each), a `new Date` of every pubDate, Atom
 * content and summary rebuilt as XML; under names of our own it skips that work and
 * hands them over as custom fields, raw, like the rest.
 */
function renamed(name: string): string {
  switch (name) {
    case 'link':
      return 'finews-link';
    case 'published':
      return 'finews-published';
    case 'updated':
      return 'finews-updated';
    case 'description':
      return 'finews-description';
    case 'summary':
      return 'finews-summary';
    case 'content':
      return 'finews-content';
    case 'content:encoded':
      return 'finews-content-encoded';
    case 'pubDate':
      return 'finews-pubDate';
    case 'dc:date':
      return 'finews-dc-date';
    default:
      return name;
  }
}

type CustomField = [from: string, to: string, options: { keepArray: true }];

/** Reads element `from` into `to`, every occurrence, as xml2js produced it. */
function keep(from: string, to: keyof RawItem | keyof RawFeed): CustomField {
  return [from, to, { keepArray: true }];
}

const ITEM_FIELDS: CustomField[] = [
  keep('finews-link', 'rawLinks'),
  keep('guid', 'rawGuid'),
  keep('id', 'rawId'),
  keep('title', 'rawTitle'),
  keep('finews-description', 'rawDescription'),
  keep('finews-summary', 'rawSummary'),
  keep('finews-content', 'rawContent'),
  keep('finews-content-encoded', 'rawContentEncoded'),
  keep('author', 'rawAuthor'),
  keep('dc:creator', 'rawDcCreator'),
  keep('source', 'rawSource'),
  keep('category', 'rawCategory'),
  keep('dc:subject', 'rawDcSubject'),
  keep('finews-pubDate', 'rawPubDate'),
  keep('finews-dc-date', 'rawDcDate'),
  keep('finews-published', 'rawPublished'),
  keep('finews-updated', 'rawUpdated'),
  keep('$', 'rawAttrs'),
];

const FEED_FIELDS: CustomField[] = [keep('title', 'rawTitle'), keep('finews-link', 'rawLinks'), keep('$', 'rawAttrs')];

async function parseXml(xml: string): Promise<RawFeed> {
  // A fresh parser per document: xml2js parsers keep state between documents.
  const parser = new Parser({
    defaultRSS: 2,
    xml2js: { tagNameProcessors: [renamed] },
    customFields: { feed: FEED_FIELDS, item: ITEM_FIELDS },
  } as unknown as Parser.ParserOptions<Record<string, unknown>, Record<string, unknown>>);
  const out: unknown = await parser.parseString(xml);
  if (!isRecord(out)) throw new Error('no feed in document');
  return { ...(out as Omit<RawFeed, 'items'>), items: Array.isArray(out.items) ? (out.items as RawItem[]) : [] };
}

/**
 * The fallback for documents that are not well-formed even after repair: parses
 * the channel head and each item block separately, inside the feed's own root
 * element, so a broken item loses only itself.
 */
async function parseItemByItem(
  xml: string,
  format: FeedFormat,
  rootStartTag: string,
  root: string,
  warnings: string[],
  wholeError: unknown,
  feedUrl: string,
): Promise<RawFeed> {
  const split = splitItems(xml, format);
  if (split.items.length === 0) throw parseFailed(feedUrl, wholeError);

  let feed: RawFeed = { items: [] };
  try {
    feed = await parseXml(split.head + split.tail);
    feed.items = [];
  } catch (err) {
    warnings.push(`feed title and link unreadable: ${oneLine(err)}`);
  }

  const [open, close] =
    format === 'atom'
      ? [rootStartTag, `</${root}>`]
      : format === 'rdf'
        ? [`${rootStartTag}<channel></channel>`, `</${root}>`]
        : [`${rootStartTag}<channel>`, `</channel></${root}>`];
  let parsed = 0;
  for (const block of split.items) {
    try {
      const one = await parseXml(open + block + close);
      const item = one.items[0];
      if (one.items.length !== 1 || item === undefined) throw new Error('not a single item');
      feed.items.push({ ...item, block });
      parsed++;
    } catch (err) {
      // Keep the position so later warnings ("item 7") still match the feed's order.
      feed.items.push({ broken: { reason: firstLine(err), hint: blockHint(block) } });
    }
  }
  if (parsed === 0) throw parseFailed(feedUrl, wholeError);
  return feed;
}

// ---------------------------------------------------------------------------
// Normalization

function normalizeFeed(raw: RawFeed, format: FeedFormat, ctx: FeedContext, warnings: string[]): ParsedFeed {
  const feedBase = resolveBase(stringRecord(raw.rawAttrs)['xml:base'], ctx.feedUrl);
  const items: SourceItem[] = [];
  raw.items.forEach((rawItem, i) => {
    if (rawItem.broken) {
      const hint = rawItem.broken.hint === undefined ? '' : ` (${rawItem.broken.hint})`;
      warnings.push(`item ${i + 1}${hint}: skipped, not well-formed XML: ${rawItem.broken.reason}`);
      return;
    }
    const item = normalizeItem(rawItem, i + 1, format, feedBase, ctx, warnings);
    if (item) items.push(item);
  });

  const title = firstText(raw.rawTitle);
  const link = pickLink(raw.rawLinks, feedBase);
  const feed: ParsedFeed = { ...(title ? { title } : {}), ...(link ? { link } : {}), items, warnings };
  return feed;
}

function normalizeItem(
  raw: RawItem,
  n: number,
  format: FeedFormat,
  feedBase: string,
  ctx: FeedContext,
  warnings: string[],
): SourceItem | undefined {
  const attrs = stringRecord(raw.rawAttrs);
  const base = resolveBase(attrs['xml:base'], feedBase);

  const guidValue = raw.rawGuid?.[0];
  const guid = clean(textOf(raw.rawId?.[0]) ?? textOf(guidValue) ?? attrs['rdf:about']);
  let link = pickLink(raw.rawLinks, base);
  // RSS 2.0: a guid is a permalink unless it says isPermaLink="false".
  if (!link && guid && attrsOf(guidValue).isPermaLink !== 'false') link = absoluteHttpUrl(guid, base);

  const summary = pickSummary(raw);
  const contentHtml = pickContentHtml(raw);
  let title = firstText(raw.rawTitle);

  if (!title && !link && !guid && !summary && !contentHtml) {
    warnings.push(`item ${n}: skipped, it has no title, link, guid or content`);
    return undefined;
  }
  if (!title) {
    title = truncate(summary ?? '', TITLE_FROM_SUMMARY_MAX);
    warnings.push(`item ${n}: no title${title ? ', using the start of its summary' : ''}`);
  }

  const author = pickAuthor(raw);
  const date = pickDate(raw, format, ctx.timezone);
  if (!date.publishedAt && date.invalid !== undefined) {
    warnings.push(`${itemLabel(n, title)}: invalid date ${JSON.stringify(date.invalid)}, kept without a date`);
  }
  // Fields in the order of SourceItem, so golden files and logs read naturally. Set one by
  // one rather than spread from optional parts: a thousand items a feed, this is its hot path.
  const item: Partial<SourceItem> = {};
  if (guid) item.guid = guid;
  if (link) item.link = link;
  item.title = title;
  if (summary) item.summary = summary;
  if (contentHtml) item.contentHtml = contentHtml;
  if (author) item.author = author;
  item.categories = pickCategories(raw);
  if (date.publishedAt) item.publishedAt = date.publishedAt;
  return item as SourceItem;
}

/** How a warning names item `n`: its number and the start of its title. */
function itemLabel(n: number, title: string): string {
  return `item ${n} "${truncate(title, 30)}"`;
}

function firstText(values: RawValue[] | undefined): string | undefined {
  if (values === undefined) return undefined;
  for (const value of values) {
    const text = inlineText(textOf(value) ?? deepText(value));
    if (text) return text;
  }
  return undefined;
}

/** An Atom link (rel=alternate, or no rel) or an RSS link's text, made absolute. */
function pickLink(values: RawValue[] | undefined, base: string): string | undefined {
  const links = listOf(values);
  for (const value of links) {
    const a = attrsOf(value);
    if (a.href !== undefined && (a.rel === undefined || a.rel === 'alternate')) {
      const url = absoluteHttpUrl(a.href, resolveBase(a['xml:base'], base));
      if (url) return url;
    }
  }
  for (const value of links) {
    const text = textOf(value);
    if (text !== undefined && text.trim() !== '') {
      const url = absoluteHttpUrl(text, base);
      if (url) return url;
    }
  }
  return undefined;
}

/** Elements a summary is read from, in order of preference. */
const SUMMARY_SOURCES: readonly TextElement[] = ['summary', 'description', 'content:encoded', 'content'];

function pickSummary(raw: RawItem): string | undefined {
  // The first with text wins: turning HTML into text is the costly part of normalizing an item.
  for (const tag of SUMMARY_SOURCES) {
    const text = elementText(raw, tag);
    if (text) return truncate(text, SUMMARY_MAX);
  }
  return undefined;
}

function pickContentHtml(raw: RawItem): string | undefined {
  for (const tag of ['content:encoded', 'content', 'description', 'summary'] as const) {
    const html = elementHtml(raw, tag)?.trim();
    if (html) return html;
  }
  return undefined;
}

type TextElement = 'description' | 'content:encoded' | 'content' | 'summary';

const TEXT_FIELDS: Record<TextElement, keyof RawItem> = {
  description: 'rawDescription',
  'content:encoded': 'rawContentEncoded',
  content: 'rawContent',
  summary: 'rawSummary',
};

/**
 * An element's content type: RSS description and content:encoded are HTML by
 * convention; Atom text constructs say so in `type` (text when absent).
 */
function typeOf(tag: TextElement, value: RawValue): string {
  if (tag === 'description' || tag === 'content:encoded') return 'html';
  const type = attrsOf(value).type ?? 'text';
  return type === 'text/html' ? 'html' : type === 'text/plain' ? 'text' : type;
}

/** An element's content as HTML: plain text escaped, out-of-line Atom content (`src`) none. */
function elementHtml(raw: RawItem, tag: TextElement): string | undefined {
  const value = (raw[TEXT_FIELDS[tag]] as RawValue[] | undefined)?.[0];
  if (value === undefined || attrsOf(value).src !== undefined) return undefined;
  const type = typeOf(tag, value);
  const text = textOf(value);
  // Text beside child elements (`前<b>粗</b>后`) is mixed content: only the item's own XML has it in order.
  if (type !== 'xhtml' && text !== undefined && !hasChildElements(value)) return type === 'html' ? text : escapeHtml(text);
  return markupOf(raw, tag, type === 'xhtml') ?? escapeHtml(collapseWhitespace(deepText(value)));
}

/** An element's content as plain text. */
function elementText(raw: RawItem, tag: TextElement): string | undefined {
  const value = (raw[TEXT_FIELDS[tag]] as RawValue[] | undefined)?.[0];
  if (value === undefined) return undefined;
  const text = textOf(value);
  if (text !== undefined && typeOf(tag, value) === 'text') return collapseWhitespace(text) || undefined;
  const html = elementHtml(raw, tag);
  return html === undefined ? undefined : htmlToText(html) || undefined;
}

/**
 * The markup inside an element that holds elements rather than text (Atom xhtml, or
 * HTML a feed forgot to escape), cut from the item's own XML: xml2js keeps an
 * element's text apart from its children and would turn `a<b>b</b>c` into
 * `ac<b>b</b>`. For xhtml the wrapping `<div>` the Atom spec requires is dropped.
 */
function markupOf(raw: RawItem, tag: TextElement, xhtml: boolean): string | undefined {
  if (raw.block === undefined) return undefined;
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}\\s*>`).exec(raw.block);
  if (m?.[1] === undefined) return undefined;
  const inner = m[1].trim();
  if (!xhtml) return inner;
  const div = /^<((?:[\w-]+:)?div)\b[^>]*>([\s\S]*)<\/\1\s*>$/.exec(inner);
  return (div?.[2] ?? inner).trim();
}

const TEXT_FIELD_KEYS: readonly (keyof RawItem)[] = Object.values(TEXT_FIELDS);

/** True when a field of the item holds elements (markup a feed forgot to escape, Atom xhtml), with or without text beside them. */
function hasMarkup(raw: RawItem): boolean {
  for (const field of TEXT_FIELD_KEYS) if (hasChildElements((raw[field] as RawValue[] | undefined)?.[0])) return true;
  return false;
}

/** xml2js keeps attributes in `$` and text in `_`; any other key is a child element. */
function hasChildElements(value: RawValue): boolean {
  if (!isRecord(value)) return false;
  for (const k in value) if (k !== '$' && k !== '_') return true;
  return false;
}

/** Gives each item its own XML, when the items and the item blocks line up one to one. */
function attachBlocks(raw: RawFeed, xml: string, format: FeedFormat): void {
  const blocks = splitItems(xml, format).items;
  if (blocks.length !== raw.items.length) return;
  raw.items.forEach((item, i) => {
    item.block = blocks[i];
  });
}

/**
 * The item's author: dc:creator, else RSS author (the name in `mail@x.cn (刘英)`),
 * else the Atom author names, else the RSS `<source>` channel name — it is the
 * publisher's name in many Chinese feeds, and publisher detection falls back on the
 * author. A bare e-mail address is not a name and is skipped.
 */
function pickAuthor(raw: RawItem): string | undefined {
  // One group after another, each read only when those before it gave no name.
  return (
    authorNames(raw.rawDcCreator, (v) => textOf(v) ?? '') ??
    authorNames(raw.rawAuthor, (v) => {
      const text = textOf(v);
      if (text !== undefined) return text;
      return childrenOf(v, 'name')
        .map((name) => textOf(name) ?? '')
        .join(' ');
    }) ??
    authorNames(raw.rawSource, (v) => textOf(v) ?? '')
  );
}

/** The distinct author names in `values` (read by `text`), joined; undefined when there is none. */
function authorNames(values: RawValue[] | undefined, text: (value: RawValue) => string): string | undefined {
  if (values === undefined) return undefined;
  let names: Set<string> | undefined;
  for (const value of listOf(values)) {
    const name = authorName(text(value));
    if (name !== undefined) (names ??= new Set()).add(name);
  }
  return names === undefined ? undefined : [...names].join(', ');
}

function authorName(text: string): string | undefined {
  const t = inlineText(text);
  const inParens = /^\S+@\S+\s*\((.+)\)$/.exec(t);
  if (inParens?.[1]) return inParens[1].trim();
  if (t === '' || /^\S+@\S+\.\S+$/.test(t)) return undefined;
  return t;
}

function pickCategories(raw: RawItem): string[] {
  if (raw.rawCategory === undefined && raw.rawDcSubject === undefined) return [];
  const names = new Set<string>();
  for (const values of [raw.rawCategory, raw.rawDcSubject]) {
    for (const v of listOf(values)) {
      const a = attrsOf(v);
      const name = inlineText(a.term ?? textOf(v) ?? a.label ?? '');
      if (name !== '') names.add(name);
    }
  }
  return [...names];
}

/** The first readable date of pubDate, dc:date, published, updated; else the first unreadable text. */
function pickDate(raw: RawItem, format: FeedFormat, zone: string): { publishedAt?: string; invalid?: string } {
  let invalid: string | undefined;
  for (const values of [raw.rawPubDate, raw.rawDcDate, raw.rawPublished, raw.rawUpdated]) {
    const text = textOf(values?.[0])?.trim();
    if (!text) continue;
    const parsed = parseDate(text, zone);
    if (parsed) return { publishedAt: parsed };
    invalid ??= text;
  }
  // The reading rss-parser gives an RSS item (not an Atom entry) uses `new Date`, which reads
  // naive dates in the process's zone; trust it only when the text it read carried an explicit zone.
  if (invalid !== undefined && format !== 'atom' && /(?:GMT|UTC|Z|[+-]\d{2}:?\d{2})\b/i.test(invalid)) {
    const iso = jsDateOf(raw);
    const parsed = iso === undefined ? undefined : parseDate(iso, zone);
    if (parsed) return { publishedAt: parsed };
  }
  return invalid === undefined ? {} : { invalid };
}

/**
 * rss-parser's `isoDate` of an RSS item, computed only when it is needed: the text of pubDate,
 * else of dc:date, through `new Date(…).toISOString()`.
 */
function jsDateOf(raw: RawItem): string | undefined {
  const text = rssParserValue(raw.rawPubDate) || rssParserValue(raw.rawDcDate);
  if (typeof text !== 'string') return undefined;
  const date = new Date(text.trim());
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An element's first value as rss-parser copies it into an item: its `_` text when it has one, else as it is. */
function rssParserValue(values: RawValue[] | undefined): RawValue {
  const value = values?.[0];
  return isRecord(value) && typeof value._ === 'string' ? value._ : value;
}

// ---------------------------------------------------------------------------
// Helpers

/** All text inside an element, for xhtml constructs and oddly nested fields. */
function deepText(value: RawValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(deepText).join(' ');
  if (!isRecord(value)) return '';
  return Object.entries(value)
    .filter(([k]) => k !== '$')
    .map(([, v]) => deepText(v))
    .join(' ');
}

function resolveBase(xmlBase: string | undefined, base: string): string {
  if (xmlBase === undefined || xmlBase.trim() === '') return base;
  try {
    return new URL(xmlBase.trim(), base).href;
  } catch {
    return base;
  }
}

function clean(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}


/** The first line of an error message: sax appends line and column, which mean nothing for a cut-out item. */
function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n', 1)[0]?.trim() ?? '';
}

/** Something to recognize a broken item by in a warning: its link or the start of its title. */
function blockHint(block: string): string | undefined {
  const link = /<link[^>]*>\s*([^<\s][^<]*?)\s*<\/link>|<link[^>]*\bhref="([^"]+)"/.exec(block);
  const href = link?.[1] ?? link?.[2];
  if (href) return href.replace(/&amp;/g, '&');
  const title = /<title[^>]*>\s*([^<]{1,60})/.exec(block)?.[1];
  return title ? truncate(collapseWhitespace(title), 30) : undefined;
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return collapseWhitespace(message);
}

function notAFeed(sniffed: Exclude<Sniffed, { kind: 'feed' }>, url: string): FinewsError {
  let what: string;
  switch (sniffed.kind) {
    case 'html':
      what = 'looks like an HTML page';
      break;
    case 'json':
      what = 'looks like JSON';
      break;
    case 'empty':
      what = 'is empty';
      break;
    case 'text':
      what = 'looks like plain text';
      break;
    case 'xml':
      what = `is an XML document with root <${sniffed.root}>, not RSS or Atom`;
      break;
  }
  return new FinewsError('not-a-feed', `not a feed: ${url} ${what}`, { url, retryable: false });
}

function parseFailed(url: string, cause: unknown): FinewsError {
  return new FinewsError('parse-failed', `could not parse feed ${url}: ${oneLine(cause)}`, { url, cause, retryable: false });
}
