/**
 * The shapes that flow through the pipeline. Stages take and return these; ports
 * (Store, Fetcher, Jobs) are defined beside the code that uses them.
 */

/** Resolved configuration of one source: defaults already merged in. */
export interface SourceConfig {
  /** Unique id, [a-z0-9-]+. */
  id: string;
  url: string;
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
}

export interface Config {
  site: SiteConfig;
  publishers: Record<string, PublisherConfig>;
  categories: Record<string, { title: string }>;
  politeness: PolitenessConfig;
  sources: SourceConfig[];
}

/** One entry of a source feed, normalized across RSS 0.9x/1.0/2.0 and Atom. */
export interface SourceItem {
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
}
