/**
 * The output formats of category feeds, as one table. Publishing, document names,
 * the feed routes, `/api/categories`, the pages' feed links and autodiscovery, and
 * OPML all loop over it: a new format is a row here and its renderer.
 */
import type { SiteConfig } from '../domain.js';
import { feedPath, pagePath, sitePath, siteUrl, type OutputFormat } from './context.js';
import { ATOM, JSON_FEED, RSS } from './render-feeds.js';

/** Every output format, in the order feeds are listed. */
export const OUTPUT_FORMATS = [RSS, ATOM, JSON_FEED] as const satisfies readonly OutputFormat[];

/** The id of an output format (`rss`, `atom`, `json`). */
export type OutputFormatId = (typeof OUTPUT_FORMATS)[number]['id'];

/** Where a category's feeds (by format id) and its HTML page live. */
export type FeedUrls = Record<OutputFormatId, string> & { html: string };

/** The `Content-Type` of each kind of document: every feed format by id, OPML and HTML. */
export const CONTENT_TYPES = {
  ...(Object.fromEntries(OUTPUT_FORMATS.map((f) => [f.id, f.contentType])) as Record<OutputFormatId, string>),
  /** The OPML subscription list. */
  opml: 'text/x-opml; charset=utf-8',
  /** HTML pages. */
  html: 'text/html; charset=utf-8',
} as const;

/** The format served under file extension `ext`, if any. */
export function formatByExtension(ext: string): OutputFormat<OutputFormatId> | undefined {
  return OUTPUT_FORMATS.find((f) => f.extension === ext);
}

/** The format with id `id`. */
export function outputFormat(id: OutputFormatId): OutputFormat<OutputFormatId> {
  const format = OUTPUT_FORMATS.find((f) => f.id === id);
  if (format === undefined) throw new Error(`no output format ${id}`);
  return format;
}

/** The media type of `format` without parameters, as `type` attributes of links carry it. */
export function mediaType(format: Pick<OutputFormat, 'contentType'>): string {
  return format.contentType.split(';', 1)[0]?.trim() ?? format.contentType;
}

function urlsWith(slug: string, place: (path: string) => string): FeedUrls {
  const feeds = Object.fromEntries(OUTPUT_FORMATS.map((f) => [f.id, place(feedPath(slug, f.extension))])) as Record<OutputFormatId, string>;
  return { ...feeds, html: place(pagePath(slug)) };
}

/**
 * Absolute URLs of a category's feeds and HTML page (INTERFACE §5): `<url>/feeds/<slug>.xml`,
 * `.atom`, `.json`, and `<url>/category/<slug>.html` (`<url>/` for `all`).
 */
export function feedUrls(site: Pick<SiteConfig, 'url'>, slug: string): FeedUrls {
  return urlsWith(slug, (path) => siteUrl(site, path));
}

/** Root-relative counterparts of {@link feedUrls}, for links inside HTML pages. */
export function feedLinks(site: Pick<SiteConfig, 'url'>, slug: string): FeedUrls {
  return urlsWith(slug, (path) => sitePath(site, path));
}
