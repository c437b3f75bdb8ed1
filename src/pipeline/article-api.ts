/**
 * Fetching an item's body from its source's `article.api`. The API's host comes from the
 * operator's config, so it is trusted like the source URL.
 */
import { apiBodyHtml, articleApiUrl, extractApiBody } from '../articles/api-body.js';
import type { ArticleApi, ExtractedArticle, SourceConfig } from '../domain.js';
import { decodeBody } from '../fetch/decode.js';
import type { ArticleJob, PipelineDeps } from './ports.js';
import { sourceLimits } from './source-limits.js';

type ApiDeps = Pick<PipelineDeps, 'config' | 'fetcher' | 'now'>;

const API_ACCEPT = 'application/json, text/javascript;q=0.9, */*;q=0.5';

/** Why the API gave no body, when it answered but had none. */
export type ApiMiss = { missing: string };

/**
 * The item's article from the body API, or why there is none (no URL for this record, an
 * empty body). Page and summary fallbacks are the caller's.
 *
 * @throws FetchError / FinewsError as the fetch and JSON parsing throw them (a 404 or a
 *   body that is not JSON are not retryable; timeouts and 5xx are).
 */
export async function fetchApiArticle(
  deps: ApiDeps,
  source: SourceConfig,
  api: ArticleApi,
  job: ArticleJob,
): Promise<ExtractedArticle | ApiMiss> {
  const url = articleApiUrl(api, job.item, job.infoCode, deps.now());
  if (url === undefined) return { missing: `article.api.url "${api.url}" names a value this item does not have` };
  const res = await deps.fetcher.fetch({
    url,
    origin: 'operator',
    ...sourceLimits(source),
    accept: API_ACCEPT,
    headers: api.headers,
  });
  const text = decodeBody(res.body, res.contentType).text;
  const html = apiBodyHtml(text, api, { url: res.finalUrl, ...(res.contentType !== undefined ? { contentType: res.contentType } : {}) });
  if (html === undefined) return { missing: `${res.finalUrl} has no body at ${api.content.join(' or ')}` };
  // Links in the body resolve against the article's own page when the record has one.
  const article = extractApiBody(html, job.item.link ?? res.finalUrl, source.article, deps.config().site.timezone);
  return article.contentHtml === '' ? { missing: `${res.finalUrl}: the body at ${api.content.join(' or ')} has no text` } : article;
}
