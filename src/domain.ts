/**
 * The shapes that flow through the pipeline. Stages take and return these; ports
 * (Store, Fetcher, Jobs) are defined beside the code that uses them.
 */

/** How a source publishes its list (INTERFACE §2a): a feed, a JSON API or an HTML page. */
export type SourceKind = 'rss' | 'json' | 'html';

/** What a source is doing, as shown by `finews status`, `/api/sources` and the home page. */
export type SourceRowState = 'ok' | 'error' | 'pending' | 'disabled';

/** One row of `/api/sources`, `finews status` and the home page's sources table (INTERFACE §5). */
export interface SourceRow {
  id: string;
  url: string;
  kind: SourceKind;
  state: SourceRowState;
  /** ISO 8601, or null when never fetched. */
  lastFetchAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** ISO 8601, or null when not scheduled yet. */
  nextRunAt: string | null;
  /** Distinct items this source has carried. */
  items: number;
  /** Records or items of the last poll that were skipped or repaired, the first few with their reason. */
  warnings: string[];
  /** How many there were in all (`warnings` keeps only the first few). */
  warningCount: number;
}

/** The item fields a json/html source maps its records onto. */
export type RecordField = 'infoCode' | 'title' | 'link' | 'guid' | 'summary' | 'content' | 'publishedAt' | 'publisher' | 'author';

/**
 * One field's rule as written in feeds.yaml: a path (json) or selector (html), a list of
 * them tried in order (the first present and non-empty wins), or a template holding `{path}`.
 */
export type FieldRule = string | string[];

/** Where the records of a json/html source are and how they become items. */
export interface RecordMapping {
  /** json: dot path to the array (or object) of records; html: CSS selector of each record. */
  items: string;
  fields: Partial<Record<RecordField, FieldRule>>;
  /** Unicode-token format for dates no built-in rule reads, e.g. `yyyy年MM月dd日 HH:mm`. */
  dateFormat?: string;
}

/** Resolved configuration of one source: defaults already merged in. */
export interface SourceConfig {
  /** Unique id, [a-z0-9-]+. */
  id: string;
  /** @defaultValue 'rss' */
  kind: SourceKind;
  /** List URL; may hold `{now}` and `{page}` templates (json/html). */
  url: string;
  /** Extra request headers sent with this source's list requests (e.g. Referer). @defaultValue {} */
  headers: Record<string, string>;
  /** Pages `{page}` = 1..pages fetched per poll; stops at a page with nothing new. @defaultValue 1 */
  pages: number;
  /** Record mapping of json/html sources; absent for rss. */
  mapping?: RecordMapping;
  /** Items kept from one poll (newest first); the rest are a warning. @defaultValue 1000 */
  maxItems: number;
  /** Poll interval in milliseconds. */
  everyMs: number;
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  allowPrivateNetworks: boolean;
  /** Fixed publisher for every item of this source. */
  publisher?: string;
  /** Extra category slugs. */
  categories: string[];
  enabled: boolean;
  article: ArticleRules;
  infoCode: InfoCodeRule;
}

export interface ArticleRules {
  /** Fetch each new item's page for full text and publisher. */
  fetch: boolean;
  /** CSS selector of the body. */
  content?: string;
  /** Selectors to drop from the body. */
  remove: string[];
  /** The body from a JSON API instead of the page (INTERFACE §2a). */
  api?: ArticleApi;
}

export interface ArticleApi {
  /** Template: `{infoCode}` is the canonical infoCode, other `{path}`s the record's values. */
  url: string;
  /** Path(s) of the body HTML in the API's answer, first non-empty wins. */
  content: string[];
  /** Extra request headers for body requests. @defaultValue {} */
  headers: Record<string, string>;
}

export interface InfoCodeRule {
  /** Query parameter holding the id, matched case-insensitively. @defaultValue 'infoCode' */
  param: string;
  /** Regex source with one capture group, tried against link then guid. */
  pattern?: string;
}

export interface SiteConfig {
  title: string;
  /** Public base URL, without a trailing slash. */
  url: string;
  /** True when feeds.yaml sets no `url` and it was derived from HOST/PORT. */
  urlDerived?: boolean;
  language: string;
  /** IANA zone, e.g. Asia/Shanghai. */
  timezone: string;
  itemsPerFeed: number;
  retentionDays: number;
  /** Template with `{infoCode}`. */
  shareUrl?: string;
}

export interface PublisherConfig {
  slug?: string;
  alias?: string;
}

export interface PolitenessConfig {
  /** Concurrent requests to one host. @defaultValue 2 */
  perHostConcurrency: number;
  /** Minimum spacing between requests to one host, ms. @defaultValue 500 */
  minSpacingMs: number;
  /** Per-host overrides by host name (e.g. an API that blocks bursts). @defaultValue {} */
  hosts?: Record<string, { perHostConcurrency: number; minSpacingMs: number }>;
}

/** How reprints of one piece are grouped into stories (INTERFACE §3a). */
export interface StoriesConfig {
  /** Group reprints into stories; false lists every article on its own. @defaultValue true */
  enabled: boolean;
  /** Members of a story are published within this span of each other, ms. @defaultValue 72 h */
  windowMs: number;
  /**
   * Greatest fingerprint distance, in differing MinHash slots of 64, at which two
   * articles are one story (src/stories/fingerprint.ts). @defaultValue 24
   */
  maxDistance: number;
}

export interface Config {
  site: SiteConfig;
  publishers: Record<string, PublisherConfig>;
  categories: Record<string, { title: string }>;
  politeness: PolitenessConfig;
  stories: StoriesConfig;
  sources: SourceConfig[];
}

/** One entry of a source: normalized across RSS 0.9x/1.0/2.0 and Atom, or mapped from a json/html record. */
export interface SourceItem {
  /** The record's own infoCode (`fields.infoCode`), raw; canonicalized by identify(). */
  infoCode?: string;
  /** The record's own publisher field (`fields.publisher`), e.g. Eastmoney's mediaName. */
  publisher?: string;
  /** The raw record (json sources), for `article.api.url` templates; small by construction. */
  record?: unknown;
  guid?: string;
  /** Absolute URL (relative links resolved against the feed URL). */
  link?: string;
  title: string;
  summary?: string;
  contentHtml?: string;
  author?: string;
  categories: string[];
  /** ISO 8601 with its offset, e.g. 2022-03-30T09:34:12+08:00. Absent when the item has no valid date. */
  publishedAt?: string;
}

export interface ParsedFeed {
  title?: string;
  link?: string;
  items: SourceItem[];
  /** Per-item problems that did not stop the feed (e.g. "item 3: invalid date"). */
  warnings: string[];
  /** Records skipped as unusable (no title, or neither link nor infoCode); each also has a warning. */
  skipped?: number;
}

/** Identity of an item: its deduplication key and canonical infoCode. */
export interface ItemIdentity {
  /** Deduplication key; safe as a BullMQ job id and Redis key (no ':', not all digits). */
  key: string;
  /** Canonical infoCode (upper-cased, NW-prefixed news codes), or null when the item has none. */
  infoCode: string | null;
}

/** What article extraction finds on an article page. */
export interface ExtractedArticle {
  title?: string;
  /** ISO 8601 with offset, from the page (often minutes only). */
  publishedAt?: string;
  /** Author from the byline such as `(刘英)`. */
  author?: string;
  /** Publisher from `（文章来源：X）`, tags stripped, as the page wrote it. */
  publisher?: string;
  /** Sanitized body paragraphs, ending with `<p class="em_media">（文章来源：X）</p>` when the page had one. */
  contentHtml: string;
  /** Plain-text summary (first ~200 chars of the body). */
  summary: string;
}

/** The slug of the merged feed of everything: a valid feed slug, never a category or publisher slug. */
export const ALL_SLUG = 'all';

/** A stored, published item. The JSON shape of INTERFACE §3 plus store bookkeeping. */
export interface Item {
  /** Deduplication key (see ItemIdentity.key). */
  key: string;
  infoCode: string | null;
  title: string;
  url: string;
  /** ISO 8601 with offset. */
  publishedAt: string;
  publisher: string;
  author?: string;
  /** Category slugs: the publisher's first, then the sources' extra categories. */
  categories: string[];
  tags: string[];
  summary: string;
  contentHtml: string;
  /** Source ids that carried this item. */
  sources: string[];
  /** ISO 8601, when first stored. */
  storedAt: string;
  /** ISO 8601, when the article was last updated in place after it changed at its source; absent until then. */
  updatedAt?: string;
}
