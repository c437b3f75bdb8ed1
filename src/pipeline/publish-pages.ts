/**
 * The HTML pages and the `/api/categories` document, built from the store's listings.
 * Publishing renders them when their inputs change and keeps them beside the feeds;
 * the HTTP routes build them the same way only for a page not published yet.
 */
import { ALL_SLUG, type Config, type Item } from '../domain.js';
import { buildCategoryTitles, categoryView, type CategoryTitles, type RenderContext } from '../publish/context.js';
import { OUTPUT_FORMATS, feedUrls } from '../publish/formats.js';
import { renderCategoryPage, renderHomePage, type HomeCategory } from '../publish/render-html.js';
import type { CategoryInfo, SourceState } from '../store/store.js';
import { sourceRows } from './source-status.js';

/** A page's text and its Last-Modified (an HTTP date), when anything on it is dated. */
export interface PageText {
  text: string;
  lastModified?: string;
}

/** Most items first, then by slug: the home page's navigation. */
function byCount(a: CategoryInfo, b: CategoryInfo): number {
  return b.count - a.count || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
}

/** Newest first by `updated`, then by slug, so the busiest categories lead the list. */
function byUpdated(a: CategoryInfo, b: CategoryInfo): number {
  const ua = a.updated === null ? 0 : Date.parse(a.updated) || 0;
  const ub = b.updated === null ? 0 : Date.parse(b.updated) || 0;
  return ub - ua || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
}

/**
 * Last-Modified of a page built from `items` (and, for the home page, source fetch
 * times): the newest time any of it entered or changed, never in the future.
 */
function lastModifiedOf(times: Iterable<string | null | undefined>, now: number): string | undefined {
  let newest = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    if (t === null || t === undefined) continue;
    const ms = Date.parse(t);
    if (Number.isFinite(ms) && ms > newest) newest = ms;
  }
  if (!Number.isFinite(newest)) return undefined;
  return new Date(Math.min(newest, now)).toUTCString();
}

function itemTimes(items: readonly Item[]): string[] {
  return items.flatMap((i) => [i.storedAt, i.publishedAt]);
}

function withLastModified(text: string, lastModified: string | undefined): PageText {
  return lastModified === undefined ? { text } : { text, lastModified };
}

/**
 * The home page: the newest items of `all` (`stream`, cut to itemsPerFeed), the categories
 * as navigation by count, and the sources' status from `states`.
 */
export function homePageText(config: Config, now: Date, categories: readonly CategoryInfo[], stream: readonly Item[], states: readonly SourceState[]): PageText {
  const titles = buildCategoryTitles(config, categories);
  const ctx: RenderContext = { site: config.site, generatedAt: now, categoryTitles: titles };
  const nav: HomeCategory[] = [...categories].sort(byCount).map((c) => ({
    cat: categoryView(c.slug, titles),
    count: c.count,
    publisher: c.publisher !== undefined,
  }));
  const rows = sourceRows(config, states);
  const text = renderHomePage(ctx, { items: stream, categories: nav }, rows);
  const times = [...itemTimes(stream), ...rows.map((r) => r.lastFetchAt)];
  return withLastModified(text, lastModifiedOf(times, now.getTime()));
}

/**
 * The page of category `slug` (`known`: its listing entry; null for `all`) with its
 * newest `items`.
 */
export function categoryPageText(config: Config, now: Date, slug: string, known: CategoryInfo | null, items: readonly Item[]): PageText {
  const titles = buildCategoryTitles(config, known ? [known] : []);
  const ctx: RenderContext = { site: config.site, generatedAt: now, categoryTitles: titles };
  const opts = known === null ? {} : { count: known.count };
  const text = renderCategoryPage(ctx, categoryView(slug, titles), items, opts);
  return withLastModified(text, lastModifiedOf([...itemTimes(items), known?.updated], now.getTime()));
}

/**
 * The `/api/categories` document as JSON text. `all` is the merged feed, not a category,
 * so it is not listed (its feeds are linked from every page and the OPML list).
 */
export function categoriesJsonText(config: Config, categories: readonly CategoryInfo[], titles?: CategoryTitles): string {
  const sorted = [...categories].sort(byUpdated);
  const titleOf = titles ?? buildCategoryTitles(config, sorted);
  const list = sorted.map((c) => {
    const urls = feedUrls(config.site, c.slug);
    return {
      slug: c.slug,
      title: titleOf(c.slug),
      count: c.count,
      updated: c.updated,
      feeds: Object.fromEntries(OUTPUT_FORMATS.map((f) => [f.id, urls[f.id]])),
    };
  });
  return JSON.stringify({ categories: list });
}

/** `slug`'s entry in `categories`; null for `all`, undefined for a category holding no items. */
export function knownCategory(categories: readonly CategoryInfo[], slug: string): CategoryInfo | null | undefined {
  return slug === ALL_SLUG ? null : categories.find((c) => c.slug === slug);
}
