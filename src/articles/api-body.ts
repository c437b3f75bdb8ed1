/**
 * Article bodies from a JSON API (`article.api`, INTERFACE §2a): the request URL of an
 * item, the body HTML in the API's answer, and that HTML read like an article page's
 * `#ContentBody` (sanitized, `（文章来源：X）` read, attribution kept). Pure stages.
 */
import type { ArticleApi, ArticleRules, ExtractedArticle, SourceItem } from '../domain.js';
import { getPath } from '../sources/record-path.js';
import { parseJsonBody } from '../sources/json-body.js';
import { renderTemplate } from '../sources/template.js';
import { extractArticle } from './extract.js';

/**
 * The body URL of an item: `{infoCode}` is its canonical infoCode, `{now}` the time, any
 * other `{path}` its record's value there (URL-encoded). Undefined when a name has no value.
 */
export function articleApiUrl(api: ArticleApi, item: SourceItem, infoCode: string | null, now: Date): string | undefined {
  return renderTemplate(
    api.url,
    { now, ...(infoCode !== null ? { infoCode } : {}), lookup: (path) => getPath(item.record, path) },
    { url: true },
  );
}

/**
 * The body HTML of an API answer: the first of `api.content`'s paths holding non-blank
 * text. Undefined for an empty body (`{"content": ""}`).
 *
 * @throws FinewsError `not-json` when the answer is not JSON (or JSONP), naming the URL.
 */
export function apiBodyHtml(text: string, api: ArticleApi, origin: { url: string; contentType?: string }): string | undefined {
  const { value } = parseJsonBody(text, origin);
  for (const path of api.content) {
    const html = getPath(value, path);
    if (typeof html === 'string' && html.trim() !== '') return html;
  }
  return undefined;
}

/**
 * Reads body HTML from an API as the body of an article page: the page's noise and
 * editor-line rules, sanitizing, relative URLs against `baseUrl`, the attribution line.
 * Title and date are the record's (the fragment has none of its own; a date in its text
 * is not the article's).
 */
export function extractApiBody(html: string, baseUrl: string, rules: ArticleRules, zone: string): ExtractedArticle {
  const page = `<html><body><div id="ContentBody">${html}</div></body></html>`;
  const article = extractArticle(page, baseUrl, { fetch: true, content: '#ContentBody', remove: rules.remove }, zone);
  const { title: _title, publishedAt: _publishedAt, ...body } = article;
  return body;
}
