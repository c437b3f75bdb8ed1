/**
 * Names under which the publisher stores pre-rendered documents (Store.putRendered)
 * and the HTTP server looks them up (Store.getRendered). Both sides import these so
 * the names cannot drift apart.
 */
import { outputFormat, type OutputFormatId } from './formats.js';

/** Name of the rendered OPML document served at `/feeds.opml`. */
const OPML_DOC_NAME = 'opml';

/**
 * Name of the rendered feed of `slug` (a category slug or `all`) in format `format`,
 * by the format's URL extension, e.g. `feed:all.xml` for RSS: stored names follow the
 * public URLs, which never change.
 */
export function feedDocName(slug: string, format: OutputFormatId): string {
  return `feed:${slug}.${outputFormat(format).extension}`;
}

/** Name of the rendered OPML document. */
export function opmlDocName(): string {
  return OPML_DOC_NAME;
}

/** Name of the rendered home page (`/`). */
export function homePageDocName(): string {
  return 'page:home';
}

/** Name of the rendered HTML page of `slug` (`/category/<slug>.html`; `all` has one too). */
export function categoryPageDocName(slug: string): string {
  return `page:category:${slug}.html`;
}

/** Name of the rendered `/api/categories` document. */
export function apiCategoriesDocName(): string {
  return 'api:categories';
}

/**
 * True for documents of the JSON API, which are sent as a computed response always was:
 * without validators or Cache-Control, compressed only past the size threshold.
 */
export function isApiDocName(name: string): boolean {
  return name.startsWith('api:');
}
