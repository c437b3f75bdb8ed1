/**
 * Republished feeds of one category: RSS 2.0, Atom 1.0 and JSON Feed 1.1 (INTERFACE §3, §5).
 *
 * RSS and Atom are written by the `feed` package (v6), fed through workarounds for its
 * defects, each one noted where it is applied:
 * - it copies text as is, so control characters would make the XML ill-formed: every
 *   text goes through {@link cleanText};
 * - its XML writer (xml-js) splits only the first `]]>` of a CDATA section, and turns a
 *   literal `&amp;` in element text into `&`: see {@link cdata} and {@link xmlText};
 * - it leaves `<` unescaped in attribute values: see {@link xmlAttr};
 * - it calls `toISOString()`/`new URL()` unguarded, so one invalid date or link would
 *   throw for the whole feed: dates fall back (publishedAt → storedAt → generatedAt)
 *   and links to the category page;
 * - it uses the item link as the Atom id: ids here are `tag:` URIs built from the
 *   infoCode (or key), the same in every format and stable across renders;
 * - it writes JSON Feed 1.0 (`author` object, no `language`) and always sets
 *   `date_modified`; JSON Feed is plain JSON, so it is built here directly instead of
 *   post-processing the package's output.
 */
import { Feed, type Item as FeedItem } from 'feed';
import { DateTime } from 'luxon';
import { ALL_SLUG, type Item, type SiteConfig } from '../domain.js';
import { cleanText, escapeHtml } from '../util/html.js';
import { feedPath, pagePath, siteHost, siteUrl, type CategoryView, type OutputFormat, type RenderContext } from './context.js';
import { isoOf, itemDate, readDate, validDate } from './item-date.js';
import { itemJson } from './item-json.js';
import { storyLineHtml, type ListedItem } from './stories.js';
import { httpUrlOf } from './text.js';

/** RSS 2.0, served at `/feeds/<slug>.xml` (the extension is public and predates the id). */
export const RSS = {
  id: 'rss',
  extension: 'xml',
  contentType: 'application/rss+xml; charset=utf-8',
  label: 'RSS',
  render: renderRss,
} as const satisfies OutputFormat;

/** Atom 1.0, served at `/feeds/<slug>.atom`. */
export const ATOM = {
  id: 'atom',
  extension: 'atom',
  contentType: 'application/atom+xml; charset=utf-8',
  label: 'Atom',
  render: renderAtom,
} as const satisfies OutputFormat;

/** JSON Feed 1.1, served at `/feeds/<slug>.json`. */
export const JSON_FEED = {
  id: 'json',
  extension: 'json',
  contentType: 'application/feed+json; charset=utf-8',
  label: 'JSON Feed',
  render: renderJsonFeed,
} as const satisfies OutputFormat;

/** The JSON Feed version written. */
const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

const GENERATOR = 'finews';

/**
 * The `tag:` URI (RFC 4151) that identifies an item in every output format:
 * `tag:<site host>,<year>:<infoCode or key>`. The year is that of the item's own
 * date as written (publishedAt, else storedAt), so it does not move between renders.
 */
export function itemId(site: Pick<SiteConfig, 'url'>, item: Pick<Item, 'infoCode' | 'key' | 'publishedAt' | 'storedAt'>): string {
  const date = readDate(item.publishedAt) ?? readDate(item.storedAt);
  // Any fixed year would do; it only has to be stable for items with no readable date.
  const year = date?.year ?? 2022;
  const specific = item.infoCode ?? item.key;
  return `tag:${siteHost(site)},${year}:${encodeTagSpecific(specific)}`;
}

/** Renders a category (or `all`) as RSS 2.0. `items` newest first, already cut to itemsPerFeed. */
export function renderRss(ctx: RenderContext, cat: CategoryView, items: readonly ListedItem[]): string {
  const meta = feedMeta(ctx, cat, items, RSS);
  const feed = new Feed({
    title: xmlText(meta.title),
    description: xmlText(meta.description),
    link: meta.page,
    language: xmlText(ctx.site.language),
    updated: meta.updated,
    generator: GENERATOR,
    feedLinks: { rss: meta.self },
  });
  for (const item of items) {
    const v = itemView(ctx, meta.page, item);
    const entry: FeedItem = {
      title: cdata(v.title),
      guid: v.id,
      link: v.link,
      date: v.date.toJSDate(),
      published: v.date.toJSDate(),
      description: cdata(escapeHtml(v.summary)),
      // Always present: it also makes `feed` declare the dc: namespace used below.
      content: cdata(v.contentHtml),
      category: v.labels.map((label) => ({ name: xmlText(label) })),
      // RSS <author> must be an e-mail address; a name goes in dc:creator.
      extensions: [{ name: 'dc:creator', objects: { _text: xmlText(v.author) } }],
    };
    feed.addItem(entry);
  }
  return inZone(feed.rss2(), ctx.site.timezone);
}

/**
 * `feed` writes RSS dates in GMT; feeds.yaml promises output dates in `site.timezone`, so
 * each <pubDate>/<lastBuildDate> is rewritten with that zone's offset
 * (`Wed, 30 Mar 2022 09:34:12 +0800`), the same instant.
 */
function inZone(xml: string, zone: string): string {
  return xml.replace(/<(pubDate|lastBuildDate)>([^<]+ GMT)<\/\1>/g, (whole, tag: string, text: string) => {
    const dt = DateTime.fromJSDate(new Date(text)).setZone(zone);
    return dt.isValid ? `<${tag}>${dt.toRFC2822()}</${tag}>` : whole;
  });
}

/** Renders a category (or `all`) as Atom 1.0. `items` newest first, already cut to itemsPerFeed. */
export function renderAtom(ctx: RenderContext, cat: CategoryView, items: readonly ListedItem[]): string {
  const meta = feedMeta(ctx, cat, items, ATOM);
  const feed = new Feed({
    id: meta.self,
    title: xmlText(meta.title),
    description: xmlText(meta.description),
    link: meta.page,
    updated: meta.updated,
    generator: GENERATOR,
    feedLinks: { atom: meta.self },
    // Atom requires an author on the feed or on every entry; entries have theirs too.
    author: { name: xmlText(ctx.site.title), link: meta.home },
  });
  for (const item of items) {
    const v = itemView(ctx, meta.page, item);
    const entry: FeedItem = {
      // type="html": the title is HTML, so a plain-text title is escaped first.
      title: cdata(escapeHtml(v.title)),
      id: v.id,
      link: v.link,
      // <updated>: the last change of the article, its publication until it changes.
      date: (v.updated ?? v.date).toJSDate(),
      published: v.date.toJSDate(),
      content: cdata(v.contentHtml),
      author: [{ name: xmlText(v.author) }],
      category: v.categories.map((c) => ({ term: xmlAttr(c.slug), name: xmlAttr(c.title) })),
    };
    if (v.summary !== '') entry.description = cdata(escapeHtml(v.summary));
    feed.addItem(entry);
  }
  // `feed` has no option for the feed's language; the root start tag is fixed text.
  return feed
    .atom1()
    .replace(
      '<feed xmlns="http://www.w3.org/2005/Atom">',
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeHtml(ctx.site.language)}">`,
    );
}

/** Renders a category (or `all`) as JSON Feed 1.1, each item carrying its `_finews` JSON. */
export function renderJsonFeed(ctx: RenderContext, cat: CategoryView, items: readonly ListedItem[]): string {
  const meta = feedMeta(ctx, cat, items, JSON_FEED);
  const language = cleanText(ctx.site.language);
  const feed = {
    version: JSON_FEED_VERSION,
    title: cleanText(meta.title),
    home_page_url: meta.page,
    feed_url: meta.self,
    description: cleanText(meta.description),
    language,
    authors: [{ name: cleanText(ctx.site.title), url: meta.home }],
    items: items.map((item) => {
      const v = itemView(ctx, meta.page, item);
      return {
        id: v.id,
        url: v.link,
        title: v.title,
        content_html: v.contentHtml,
        ...(v.summary === '' ? {} : { summary: v.summary }),
        date_published: isoOf(v.date),
        ...(v.updated === undefined ? {} : { date_modified: isoOf(v.updated) }),
        authors: [{ name: v.author }],
        tags: unique([...v.labels, ...item.tags.map(cleanText)]),
        language,
        _finews: itemJson(item, ctx.generatedAt),
      };
    }),
  };
  return `${JSON.stringify(feed, null, 2)}\n`;
}

interface FeedMeta {
  title: string;
  description: string;
  /** Absolute URL of the feed itself, in the format being rendered. */
  self: string;
  /** Absolute URL of the category's HTML page. */
  page: string;
  /** Absolute home page URL. */
  home: string;
  updated: Date;
}

/** Feed-level fields shared by the three formats. */
function feedMeta(ctx: RenderContext, cat: CategoryView, items: readonly Item[], format: OutputFormat): FeedMeta {
  const site = ctx.site;
  const isAll = cat.slug === ALL_SLUG;
  const title = isAll ? site.title : `${cat.title} - ${site.title}`;
  const description = isAll ? `${site.title}：全部新闻` : `${site.title}：${cat.title}新闻`;
  let newest: number | undefined;
  for (const item of items) {
    const ms = itemDate(item, ctx.generatedAt).toMillis();
    if (newest === undefined || ms > newest) newest = ms;
  }
  return {
    title,
    description,
    self: siteUrl(site, feedPath(cat.slug, format.extension)),
    page: siteUrl(site, pagePath(cat.slug)),
    home: siteUrl(site, pagePath(ALL_SLUG)),
    updated: newest === undefined ? validDate(ctx.generatedAt) : new Date(newest),
  };
}

interface ItemView {
  id: string;
  title: string;
  link: string;
  date: DateTime;
  /** When the article was updated after it changed at its source. */
  updated?: DateTime;
  summary: string;
  contentHtml: string;
  author: string;
  /** Publisher name, then the titles of the extra categories. */
  labels: string[];
  categories: CategoryView[];
}

/** An item's fields as every format shows them, cleaned and with fallbacks applied. */
function itemView(ctx: RenderContext, page: string, item: ListedItem): ItemView {
  const title = cleanText(item.title);
  const summary = cleanText(item.summary).trim();
  const publisher = cleanText(item.publisher).trim();
  const content = cleanText(item.contentHtml).trim();
  const titles = ctx.categoryTitles ?? ((slug: string) => slug);
  const categories = unique(item.categories).map((slug, i) => ({
    slug: cleanText(slug),
    // The first category is the publisher's own (INTERFACE §3).
    title: cleanText(i === 0 && publisher !== '' ? publisher : titles(slug)),
  }));
  const author = cleanText(item.author ?? '').trim();
  return {
    id: itemId(ctx.site, item),
    title,
    link: itemLink(item, page),
    date: itemDate(item, ctx.generatedAt),
    ...(readDate(item.updatedAt) === undefined ? {} : { updated: readDate(item.updatedAt) }),
    summary,
    // An empty body would leave readers nothing to show; the summary (or title) stands in.
    // A story's lead ends with the line naming the other publishers that carried it.
    contentHtml: (content !== '' ? content : `<p>${escapeHtml(summary !== '' ? summary : title)}</p>`) + storyLineHtml(item),
    author: author !== '' ? author : publisher !== '' ? publisher : ctx.site.title,
    labels: unique(categories.map((c) => c.title).filter((t) => t !== '')),
    categories,
  };
}

/**
 * The item's link, normalized by the WHATWG URL parser (as `feed` writes it, so every
 * format carries the same bytes) when it is an absolute http(s) URL; else the category
 * page, so the feed still renders.
 */
function itemLink(item: Item, page: string): string {
  return httpUrlOf(cleanText(item.url)) ?? page;
}

/** Percent-encodes everything but unreserved characters, so the tag: URI is always valid. */
function encodeTagSpecific(text: string): string {
  return encodeURIComponent(cleanText(text).trim()).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Text for a CDATA section. xml-js splits only the first `]]>` (String#replace with a
 * string), so every occurrence is broken up here; the fields are HTML, where `]]&gt;`
 * reads the same.
 */
function cdata(text: string): string {
  return cleanText(text).replaceAll(']]>', ']]&gt;');
}

/**
 * Text for an element written by xml-js, which turns `&amp;` into `&` before escaping
 * ("to avoid double sanitization"). Doubling it here makes a literal `&amp;` survive.
 */
function xmlText(text: string): string {
  return cleanText(text).replaceAll('&amp;', '&amp;amp;');
}

/**
 * Text for an attribute written by `feed`: it escapes `&` and xml-js escapes `"`, but
 * nobody escapes `<`, which is not allowed in an attribute value; the full-width
 * form stands in (it can only occur in odd publisher names).
 */
function xmlAttr(text: string): string {
  return cleanText(text).replaceAll('<', '\uFF1C');
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

