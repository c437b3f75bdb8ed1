import type { SourceConfig, SourceKind } from '../domain.js';
import type { SourceReader } from './reader-types.js';
import { htmlReader } from './readers/html-reader.js';
import { jsonReader } from './readers/json-reader.js';
import { rssReader } from './readers/rss-reader.js';
import { renderTemplate } from './template.js';

export type { ReadContext, SourceReader } from './reader-types.js';

/** The readers, one row per kind; adding a kind is a new file plus one row here. */
const READERS: Readonly<Record<SourceKind, SourceReader>> = {
  rss: rssReader,
  json: jsonReader,
  html: htmlReader,
};

/** The reader of a source kind. */
export function readerFor(kind: SourceKind): SourceReader {
  return READERS[kind];
}

/**
 * URL of list page `page` (1-based) at `now`: `{now}` becomes the time in milliseconds
 * (fresh on every request, Eastmoney's `req_trace`), `{page}` the page number; `{{` and
 * `}}` are literal braces. Any other `{name}` is left as written (config validation
 * rejects it at load).
 */
export function listUrl(source: SourceConfig, page: number, now: Date): string {
  return renderTemplate(source.url, { now, page }, { url: true, keepUnknown: true });
}
