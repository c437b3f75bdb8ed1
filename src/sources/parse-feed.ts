import Parser from 'rss-parser';
import type { ParsedFeed, SourceItem } from '../domain.js';
import { FinewsError } from '../errors.js';
import { parseDate } from '../util/dates.js';
import { collapse, escapeHtml, htmlToText, inlineText, truncate } from './html-text.js';
import { attrsOf, childrenOf, isRecord, listOf, textOf, type RawValue } from './raw-xml.js';
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
 * @throws FinewsError `not-a-feed` (not retryable) when the body is an HTML page,
 *   JSON, plain text, empty, or XML of another kind; `parse-failed` when it is a feed
 *   whose items cannot be read at all.
 */
export async function parseFeed(text: string, ctx: FeedContext): Promise<ParsedFeed> {
  const sniffed = sniffDocument(text);
  if (sniffed.kind !== 'feed') throw notAFeed(sniffed, ctx.feedUrl);

  const body = text.replace(/^\uFEFF/, '').slice(sniffed.start, sniffed.end);
  const { text: xml } = repairXml(body);
  const warnings: string[] = [];

  let raw: RawFeed;
  try {
    raw = await parseXml(xml);
  } catch (err) {
    raw = await parseItemByItem(xml, sniffed.format, sniffed.rootStartTag, sniffed.root, warnings, err, ctx.feedUrl);
  }
  return normalizeFeed(raw, ctx, warnings);
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
  /** rss-parser's own rendering of description/content (serialized when it held markup). */
  content?: unknown;
  /** rss-parser's reading of pubDate/dc:date through `new Date` (local-time for naive dates). */
  isoDate?: unknown;
}

interface RawFeed {
  rawTitle?: RawValue[];
  rawLinks?: RawValue[];
  rawAttrs?: RawValue;
  items: RawItem[];
}

/**
 * Elements renamed while parsing so rss-parser leaves them to us: it turns Atom
 * `published`/`updated` into dates with `new Date(x).toISOString()`, which throws on
 * an invalid date and loses the whole feed, and its Atom link reader throws on a
 * `<link>` without attributes.
 */
const RENAMED: Record<string, string> = {
  link: 'finews-link',
  published: 'finews-published',
  updated: 'finews-updated',
};

const ITEM_FIELDS: [string, string, { keepArray: true }][] = [
  ['finews-link', 'rawLinks'],
  ['guid', 'rawGuid'],
  ['id', 'rawId'],
  ['title', 'rawTitle'],
  ['description', 'rawDescription'],
  ['summary', 'rawSummary'],
  ['content', 'rawContent'],
  ['content:encoded', 'rawContentEncoded'],
  ['author', 'rawAuthor'],
  ['dc:creator', 'rawDcCreator'],
  ['source', 'rawSource'],
  ['category', 'rawCategory'],
  ['dc:subject', 'rawDcSubject'],
  ['pubDate', 'rawPubDate'],
  ['dc:date', 'rawDcDate'],
  ['finews-published', 'rawPublished'],
  ['finews-updated', 'rawUpdated'],
  ['$', 'rawAttrs'],
].map(([from, to]) => [from ?? '', to ?? '', { keepArray: true }]);

const FEED_FIELDS: [string, string, { keepArray: true }][] = [
  ['title', 'rawTitle'],
  ['finews-link', 'rawLinks'],
  ['$', 'rawAttrs'],
].map(([from, to]) => [from ?? '', to ?? '', { keepArray: true }]);

async function parseXml(xml: string): Promise<RawFeed> {
  // A fresh parser per document: xml2js parsers keep state between documents.
  const parser = new Parser({
    defaultRSS: 2,
    xml2js: { tagNameProcessors: [(name: string) => RENAMED[name] ?? name] },
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
      feed.items.push(item);
      parsed++;
    } catch (err) {
      // Keep the position so later warnings ("item 7") still match the feed's order.
      feed.items.push({ rawAttrs: { $broken: firstLine(err), $hint: blockHint(block) } });
    }
  }
  if (parsed === 0) throw parseFailed(feedUrl, wholeError);
  return feed;
}

// ---------------------------------------------------------------------------
// Normalization

function normalizeFeed(raw: RawFeed, ctx: FeedContext, warnings: string[]): ParsedFeed {
  const feedBase = resolveBase(attrsOf({ $: raw.rawAttrs })['xml:base'], ctx.feedUrl);
  const items: SourceItem[] = [];
  raw.items.forEach((rawItem, i) => {
    const broken = isRecord(rawItem.rawAttrs) ? rawItem.rawAttrs : undefined;
    if (typeof broken?.$broken === 'string') {
      const hint = typeof broken.$hint === 'string' ? ` (${broken.$hint})` : '';
      warnings.push(`item ${i + 1}${hint}: skipped, not well-formed XML: ${broken.$broken}`);
      return;
    }
    const item = normalizeItem(rawItem, i + 1, feedBase, ctx, warnings);
    if (item) items.push(item);
  });

  const title = firstText(raw.rawTitle);
  const link = pickLink(raw.rawLinks, feedBase);
  const feed: ParsedFeed = { ...(title ? { title } : {}), ...(link ? { link } : {}), items, warnings };
  return feed;
}

function normalizeItem(raw: RawItem, n: number, feedBase: string, ctx: FeedContext, warnings: string[]): SourceItem | undefined {
  const attrs = attrsOf({ $: raw.rawAttrs });
  const base = resolveBase(attrs['xml:base'], feedBase);

  const guidValue = raw.rawGuid?.[0];
  const guid = clean(textOf(raw.rawId?.[0]) ?? textOf(guidValue) ?? attrs['rdf:about']);
  let link = pickLink(raw.rawLinks, base);
  // RSS 2.0: a guid is a permalink unless it says isPermaLink="false".
  if (!link && guid && attrsOf(guidValue).isPermaLink !== 'false') link = absoluteHttpUrl(guid, base);

  const summary = pickSummary(raw);
  const contentHtml = pickContentHtml(raw);
  let title = firstText(raw.rawTitle);
  const label = (t: string): string => `item ${n} "${truncate(t, 30)}"`;

  if (!title && !link && !guid && !summary && !contentHtml) {
    warnings.push(`item ${n}: skipped, it has no title, link, guid or content`);
    return undefined;
  }
  if (!title) {
    title = truncate(summary ?? '', TITLE_FROM_SUMMARY_MAX);
    warnings.push(`item ${n}: no title${title ? ', using the start of its summary' : ''}`);
  }

  const author = pickAuthor(raw);
  // Fields in the order of SourceItem, so golden files and logs read naturally.
  const item: SourceItem = {
    ...(guid ? { guid } : {}),
    ...(link ? { link } : {}),
    title,
    ...(summary ? { summary } : {}),
    ...(contentHtml ? { contentHtml } : {}),
    ...(author ? { author } : {}),
    categories: pickCategories(raw),
  };

  const date = pickDate(raw, ctx.timezone);
  if (date.publishedAt) item.publishedAt = date.publishedAt;
  else if (date.invalid !== undefined) warnings.push(`${label(title)}: invalid date ${JSON.stringify(date.invalid)}, kept without a date`);
  return item;
}

function firstText(values: RawValue[] | undefined): string | undefined {
  for (const value of values ?? []) {
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

function pickSummary(raw: RawItem): string | undefined {
  const candidates: (string | undefined)[] = [
    atomText(raw.rawSummary?.[0], 'text'),
    htmlText(raw.rawDescription?.[0], raw.content),
    htmlText(raw.rawContentEncoded?.[0]),
    atomText(raw.rawContent?.[0], 'text'),
  ];
  for (const c of candidates) {
    if (c) return truncate(c, SUMMARY_MAX);
  }
  return undefined;
}

function pickContentHtml(raw: RawItem): string | undefined {
  const candidates: (string | undefined)[] = [
    textOf(raw.rawContentEncoded?.[0]),
    atomHtml(raw.rawContent?.[0], raw.content),
    descriptionHtml(raw.rawDescription?.[0], raw.content),
    atomHtml(raw.rawSummary?.[0]),
  ];
  for (const c of candidates) {
    const html = c?.trim();
    if (html) return html;
  }
  return undefined;
}

/** Plain text of an RSS description (HTML by convention). */
function htmlText(value: RawValue, serialized?: unknown): string | undefined {
  const html = descriptionHtml(value, serialized);
  if (html === undefined) return undefined;
  return htmlToText(html) || undefined;
}

function descriptionHtml(value: RawValue, serialized?: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = textOf(value);
  if (text !== undefined) return text;
  // A description holding unescaped markup: xml2js split it into elements and
  // rss-parser serialized them back.
  return typeof serialized === 'string' ? serialized : undefined;
}

/** Plain text of an Atom text construct (`type` text, html or xhtml). */
function atomText(value: RawValue, fallbackType: 'text' | 'html'): string | undefined {
  if (value === undefined) return undefined;
  const a = attrsOf(value);
  if (a.src !== undefined) return undefined;
  const type = a.type ?? fallbackType;
  if (type === 'xhtml') return collapse(deepText(value)) || undefined;
  const text = textOf(value);
  if (text === undefined) return undefined;
  return (type === 'html' || type === 'text/html' ? htmlToText(text) : collapse(text)) || undefined;
}

/** HTML of an Atom text construct; plain text is escaped, out-of-line content (`src`) has none. */
function atomHtml(value: RawValue, serialized?: unknown): string | undefined {
  if (value === undefined) return undefined;
  const a = attrsOf(value);
  if (a.src !== undefined) return undefined;
  const type = a.type ?? 'text';
  if (type === 'xhtml') return typeof serialized === 'string' ? serialized : undefined;
  const text = textOf(value);
  if (text === undefined) return undefined;
  return type === 'html' || type === 'text/html' ? text : escapeHtml(text);
}

/**
 * The item's author: dc:creator, else RSS author (the name in `mail@x.cn (刘英)`),
 * else the Atom author names, else the RSS `<source>` channel name — it is the
 * publisher's name in many Chinese feeds, and publisher detection falls back on the
 * author. A bare e-mail address is not a name and is skipped.
 */
function pickAuthor(raw: RawItem): string | undefined {
  const groups: string[][] = [
    listOf(raw.rawDcCreator).map((v) => textOf(v) ?? ''),
    listOf(raw.rawAuthor).map((v) => {
      const text = textOf(v);
      if (text !== undefined) return text;
      return childrenOf(v, 'name')
        .map((name) => textOf(name) ?? '')
        .join(' ');
    }),
    listOf(raw.rawSource).map((v) => textOf(v) ?? ''),
  ];
  for (const group of groups) {
    const names = unique(group.map(authorName).filter((name): name is string => name !== undefined));
    if (names.length > 0) return names.join(', ');
  }
  return undefined;
}

function authorName(text: string): string | undefined {
  const t = inlineText(text);
  const inParens = /^\S+@\S+\s*\((.+)\)$/.exec(t);
  if (inParens?.[1]) return inParens[1].trim();
  if (t === '' || /^\S+@\S+\.\S+$/.test(t)) return undefined;
  return t;
}

function pickCategories(raw: RawItem): string[] {
  const names = [...listOf(raw.rawCategory), ...listOf(raw.rawDcSubject)].map((v) => {
    const a = attrsOf(v);
    return inlineText(a.term ?? textOf(v) ?? a.label ?? '');
  });
  return unique(names.filter((name) => name !== ''));
}

/** The first readable date of pubDate, dc:date, published, updated; else the first unreadable text. */
function pickDate(raw: RawItem, zone: string): { publishedAt?: string; invalid?: string } {
  let invalid: string | undefined;
  for (const values of [raw.rawPubDate, raw.rawDcDate, raw.rawPublished, raw.rawUpdated]) {
    const text = textOf(values?.[0])?.trim();
    if (!text) continue;
    const parsed = parseDate(text, zone);
    if (parsed) return { publishedAt: parsed };
    invalid ??= text;
  }
  // rss-parser's own reading uses `new Date`, which reads naive dates in the process's
  // zone; trust it only when the text it read carried an explicit zone.
  if (invalid !== undefined && typeof raw.isoDate === 'string' && /(?:GMT|UTC|Z|[+-]\d{2}:?\d{2})\b/i.test(invalid)) {
    const parsed = parseDate(raw.isoDate, zone);
    if (parsed) return { publishedAt: parsed };
  }
  return invalid === undefined ? {} : { invalid };
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

/** `href` resolved against `base`, when that gives an http(s) URL. */
function absoluteHttpUrl(href: string, base: string): string | undefined {
  // `&amp;` left in a link is double escaping: no real URL contains it.
  const cleaned = href.trim().replace(/&amp;/g, '&');
  if (cleaned === '') return undefined;
  try {
    const url = new URL(cleaned, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function clean(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
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
  return title ? truncate(collapse(title), 30) : undefined;
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return collapse(message);
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
