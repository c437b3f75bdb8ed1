/**
 * What every renderer is handed: the site, the render time, and how categories are
 * titled and addressed (INTERFACE §5).
 */
import { ALL_SLUG, type Config, type SiteConfig } from '../domain.js';
import { resolvePublisher } from '../tagging/publisher.js';
import type { ListedItem } from './stories.js';

/** A category as the renderers show it. */
export interface CategoryView {
  slug: string;
  /** Display title: the publisher's name, a configured title, the site title for `all`, else the slug. */
  title: string;
}

/** Inputs every renderer shares. Rendering is pure: the same context and items give the same bytes. */
export interface RenderContext {
  site: SiteConfig;
  /**
   * The render time. Only a fallback: used for a feed's `updated` when it has no items
   * and for an item whose publishedAt and storedAt are both unreadable.
   */
  generatedAt: Date;
  /**
   * Titles of categories by slug, used to label an item's extra categories in feeds
   * (RSS `<category>`, Atom `label`, JSON Feed `tags`). Slugs are shown when absent.
   */
  categoryTitles?: (slug: string) => string;
}

/**
 * One output format of the category feeds: a row of the table in `formats.ts`, declared
 * beside its renderer. `extension` names the public URL (`/feeds/<slug>.<extension>`)
 * and the stored document; `label` is what pages call it.
 */
export interface OutputFormat<Id extends string = string> {
  id: Id;
  extension: string;
  contentType: string;
  label: string;
  /** Renders a category (or `all`); `items` newest first, each story once, already cut to itemsPerFeed. */
  render(ctx: RenderContext, cat: CategoryView, items: readonly ListedItem[]): string;
}

/**
 * A hint for titling categories: either an item (its publisher titles its first
 * category, the publisher's own) or a category that may know its publisher
 * (`CategoryInfo` from the store fits; it titles nothing without `publisher`).
 */
export type CategoryTitleHint =
  | { publisher: string; categories: readonly string[] }
  | { slug: string; publisher?: string };

/** Maps a slug to its display title. */
export type CategoryTitles = (slug: string) => string;

/**
 * The display title of one category:
 * `all` → `site.title`; a publisher's category → the publisher's name (from `known`);
 * else a configured `categories:` title; else the slug itself.
 */
function categoryTitle(
  slug: string,
  site: Pick<SiteConfig, 'title'>,
  publisherNames: ReadonlyMap<string, string>,
  configured: Readonly<Record<string, { title: string }>> = {},
): string {
  if (slug === ALL_SLUG) return site.title;
  const publisher = publisherNames.get(slug);
  if (publisher !== undefined) return publisher;
  const entry = Object.hasOwn(configured, slug) ? configured[slug] : undefined;
  if (entry !== undefined && entry.title.trim() !== '') return entry.title;
  return slug;
}

/**
 * Builds the slug → title function used by feeds, pages, OPML and `/api/categories`.
 *
 * Publisher names come from `hints` (items, whose first category is their publisher's,
 * or categories carrying a `publisher`) and from the `publishers:` section of the config
 * (every entry names a publisher whose slug is known without any item). The first name
 * seen for a slug wins, hints before config. Then `categories:` titles, then the slug.
 */
export function buildCategoryTitles(
  config: Pick<Config, 'site' | 'categories'> & Partial<Pick<Config, 'publishers'>>,
  hints: Iterable<CategoryTitleHint> = [],
): CategoryTitles {
  const names = new Map<string, string>();
  const remember = (slug: string | undefined, name: string | undefined): void => {
    if (slug === undefined || name === undefined || name.trim() === '' || names.has(slug)) return;
    names.set(slug, name.trim());
  };
  for (const hint of hints) {
    if ('categories' in hint) remember(hint.categories[0], hint.publisher);
    else remember(hint.slug, hint.publisher);
  }
  const publishers = config.publishers ?? {};
  for (const raw of Object.keys(publishers)) {
    const { name, slug } = resolvePublisher(raw, publishers);
    remember(slug, name);
  }
  const configured = config.categories;
  return (slug) => categoryTitle(slug, config.site, names, configured);
}

/** A category view for `slug`, titled by `titles`. */
export function categoryView(slug: string, titles: CategoryTitles): CategoryView {
  return { slug, title: titles(slug) };
}

/**
 * Joins a base URL and a path with exactly one slash between them, whether or not the
 * base ends with `/` or the path starts with one. An empty path gives the base with
 * one trailing slash.
 */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * `site.url` as an absolute URL for feeds, which must carry absolute links: a
 * protocol-relative URL (`//finews.example.com`) or a bare host gets `https:`.
 */
export function absoluteSiteUrl(site: Pick<SiteConfig, 'url'>): string {
  const url = site.url.trim();
  if (url.startsWith('//')) return `https:${url}`;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return `https://${url}`;
  return url;
}

/** Host name of the site (for tag: URIs), lower-cased; `localhost` when `site.url` has none. */
export function siteHost(site: Pick<SiteConfig, 'url'>): string {
  const url = absoluteSiteUrl(site);
  return URL.canParse(url) ? new URL(url).hostname.toLowerCase() || 'localhost' : 'localhost';
}

/**
 * A root-relative link to `path` on the site (`/category/x.html`), keeping the path of
 * `site.url` when the site lives below the root (`https://x.com/news` → `/news/…`).
 * Pages use these so they work from whatever host serves them.
 */
export function sitePath(site: Pick<SiteConfig, 'url'>, path: string): string {
  const url = absoluteSiteUrl(site);
  const prefix = URL.canParse(url) ? new URL(url).pathname : '/';
  return joinUrl(prefix, path);
}

/** Path below the site root of `slug`'s feed with file extension `extension` (`feeds/<slug>.xml`). */
export function feedPath(slug: string, extension: string): string {
  return `feeds/${encodeURIComponent(slug)}.${extension}`;
}

/** Path below the site root of `slug`'s HTML page: `category/<slug>.html`, the home page for `all`. */
export function pagePath(slug: string): string {
  return slug === ALL_SLUG ? '' : `category/${encodeURIComponent(slug)}.html`;
}

/** The absolute URL of `path` below `site.url`. */
export function siteUrl(site: Pick<SiteConfig, 'url'>, path: string): string {
  return joinUrl(absoluteSiteUrl(site), path);
}
