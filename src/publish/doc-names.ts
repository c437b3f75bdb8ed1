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
