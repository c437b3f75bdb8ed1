import type { ExtractedArticle, Item, SourceConfig } from '../domain.js';
import { isRetryable } from '../errors.js';
import { extractArticle } from '../articles/extract.js';
import { sanitizeBody } from '../articles/sanitize.js';
import { decodeBody } from '../fetch/decode.js';
import { choosePublisher, resolvePublisher } from '../tagging/publisher.js';
import { escapeHtml } from '../util/html.js';
import { itemTitle, itemUrl } from './item-fields.js';
import { isoInZone } from '../util/time.js';
import { fetchApiArticle } from './article-api.js';
import type { ArticleJob, PipelineDeps } from './ports.js';
import { sourceLimits } from './source-limits.js';
import { assignStories } from './story-assign.js';

export interface ProcessArticleOptions {
  /** True on the job's last attempt: a transient page failure then falls back to the feed's content. */
  finalAttempt?: boolean;
}

export type ArticleOutcome = { key: string; page: 'fetched' | 'fallback' | 'skipped'; changedCategories: string[] };

/**
 * Turns one claimed feed item into a stored item: fetches its page when the source
 * asks for it and the URL is allowed, extracts body, date and publisher, tags it,
 * places it in its story (src/pipeline/story-assign.ts) and saves it (over the stored
 * copy, with `updatedAt`, when the job is a changed article). Without a page (not fetched, 404/410, blocked, or out of retries) the item
 * is stored from the feed's own content. Transient page errors are thrown so the
 * caller retries.
 */
export async function processArticle(deps: PipelineDeps, job: ArticleJob, opts: ProcessArticleOptions = {}): Promise<ArticleOutcome> {
  const { item: stored, page } = await buildArticleItem(deps, job, opts);
  const changedCategories = await placeAndSave(deps, [stored]);
  await deps.jobs.requestPublish(changedCategories);
  logStored(deps, job, stored, page);
  return { key: job.key, page, changedCategories };
}

/**
 * Places built items in their stories, then saves them: placed before they are saved, so
 * the publish their save asks for groups them. The categories whose feeds change.
 */
async function placeAndSave(deps: PipelineDeps, items: readonly Item[]): Promise<string[]> {
  const storyCategories = await assignStories(deps.store, deps.config().stories, items);
  return union(await deps.store.saveItems(items), storyCategories);
}

function logStored(deps: PipelineDeps, job: ArticleJob, item: Item, page: ArticleOutcome['page']): void {
  deps.log.info({ sourceId: job.sourceId, key: job.key, url: job.item.link, page, publisher: item.publisher, categories: item.categories }, 'stored article');
}

/** What {@link storeArticles} did with a batch: the categories it changed, and the jobs it left to the job path. */
export interface BatchOutcome {
  /** Items saved. */
  stored: number;
  /** Categories whose feeds changed: the items' own and those of the stories they joined or left. */
  changedCategories: string[];
  /** Jobs whose item could not be built or saved here; the caller queues them as article jobs. */
  failed: ArticleJob[];
}

/**
 * {@link processArticle} for the claimed items of one source page whose source fetches
 * nothing (no page, no body API), so building them needs no I/O: each item is built as an
 * article job would build it, all are placed in their stories with one call and saved with
 * one store call, and nothing is published here — the caller asks for one publish of
 * {@link BatchOutcome.changedCategories}. A job whose item cannot be built is left in
 * `failed` and the rest are still saved; when placing or saving the batch fails, every
 * job is left in `failed`, so the job path (with its retries and its one save per item)
 * stores what it can. Their claims stay pending until saved either way.
 */
export async function storeArticles(deps: PipelineDeps, jobs: readonly ArticleJob[]): Promise<BatchOutcome> {
  const built: { job: ArticleJob; item: Item }[] = [];
  const failed: ArticleJob[] = [];
  for (const job of jobs) {
    try {
      built.push({ job, item: (await buildArticleItem(deps, job)).item });
    } catch (err) {
      deps.log.warn({ err, sourceId: job.sourceId, key: job.key, url: job.item.link }, 'cannot build article here; queueing it as an article job');
      failed.push(job);
    }
  }
  if (built.length === 0) return { stored: 0, changedCategories: [], failed };
  const items = built.map((b) => b.item);
  let changedCategories: string[];
  try {
    changedCategories = await placeAndSave(deps, items);
  } catch (err) {
    deps.log.warn({ err, sourceId: built[0]?.job.sourceId, items: items.length }, 'cannot save a batch of articles; queueing them as article jobs');
    return { stored: 0, changedCategories: [], failed: [...failed, ...built.map((b) => b.job)] };
  }
  if (deps.log.isLevelEnabled('info')) for (const { job, item } of built) logStored(deps, job, item, 'skipped');
  return { stored: items.length, changedCategories, failed };
}

/** What reading an article needs: no store, no jobs (so a preview can build an item and store nothing). */
export type ArticleDeps = Pick<PipelineDeps, 'config' | 'fetcher' | 'log' | 'metrics' | 'now'>;

/**
 * The item as {@link processArticle} would store it, without storing it: the body API,
 * else the page, else the feed's own content. Transient failures are thrown unless
 * `opts.finalAttempt`.
 */
export async function buildArticleItem(deps: ArticleDeps, job: ArticleJob, opts: ProcessArticleOptions = {}): Promise<{ item: Item; page: ArticleOutcome['page'] }> {
  const config = deps.config();
  const source = config.sources.find((s) => s.id === job.sourceId);
  const { item } = job;
  // Made when something is logged: most articles log nothing here.
  let child: ArticleDeps['log'] | undefined;
  const log = (): ArticleDeps['log'] => (child ??= deps.log.child({ sourceId: job.sourceId, key: job.key, url: item.link }));

  let page: ExtractedArticle | undefined;
  let pageUrl = item.link;
  let outcome: ArticleOutcome['page'] = 'skipped';
  // A body API comes first; when it fails or has no body, the page, then the item's summary.
  const api = source?.article.fetch ? source.article.api : undefined;
  if (source !== undefined && api !== undefined) {
    try {
      const found = await fetchApiArticle(deps, source, api, job);
      if ('missing' in found) log().warn({ reason: found.missing }, 'article API gave no body; trying the page');
      else {
        page = found;
        outcome = 'fetched';
      }
      deps.metrics.articleFetches.inc({ outcome: 'missing' in found ? 'fallback' : 'ok' });
    } catch (err) {
      const transient = isRetryable(err);
      deps.metrics.articleFetches.inc({ outcome: transient && !opts.finalAttempt ? 'error' : 'fallback' });
      if (transient && !opts.finalAttempt) throw err;
      log().warn({ err }, 'article API unavailable; trying the page');
    }
  }
  if (page === undefined && source?.article.fetch && item.link) {
    try {
      const res = await deps.fetcher.fetch({
        url: item.link,
        origin: 'content',
        sourceOrigin: source.url,
        ...sourceLimits(source),
        accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
      });
      pageUrl = res.finalUrl;
      const decoded = decodeBody(res.body, res.contentType);
      if (decoded.warnings) log().warn({ warnings: decoded.warnings }, 'article page charset mislabelled');
      // A page over the markup budget throws too-complex (permanent): the feed content is stored instead.
      page = extractArticle(decoded.text, res.finalUrl, source.article, config.site.timezone);
      outcome = 'fetched';
      deps.metrics.articleFetches.inc({ outcome: 'ok' });
    } catch (err) {
      const transient = isRetryable(err);
      deps.metrics.articleFetches.inc({ outcome: transient && !opts.finalAttempt ? 'error' : 'fallback' });
      if (transient && !opts.finalAttempt) throw err;
      log().warn({ err }, 'article page unavailable; storing the item from its feed content');
      outcome = 'fallback';
    }
  }

  return { item: toItem(deps, job, source, page, pageUrl), page: outcome };
}

function toItem(deps: ArticleDeps, job: ArticleJob, source: SourceConfig | undefined, page: ExtractedArticle | undefined, pageUrl: string | undefined): Item {
  const config = deps.config();
  const { item } = job;
  const now = deps.now();
  const name =
    choosePublisher({ fixed: source?.publisher, page: page?.publisher, itemPublisher: item.publisher, itemAuthor: item.author, feedTitle: job.feedTitle }) ?? config.site.title;
  const publisher = resolvePublisher(name, config.publishers);
  // A page whose body could not be found (empty extraction) falls back to the feed's own content.
  const contentHtml = page?.contentHtml || sanitizeBody(item.contentHtml || textParagraph(item.summary ?? ''), pageUrl ?? source?.url ?? config.site.url);
  return {
    key: job.key,
    infoCode: job.infoCode,
    title: itemTitle(item.title || page?.title || job.key),
    url: itemUrl(pageUrl, item.link, item.guid),
    publishedAt: item.publishedAt ?? page?.publishedAt ?? isoInZone(now, config.site.timezone),
    publisher: publisher.name,
    author: page?.author ?? item.author,
    categories: [publisher.slug, ...job.categories],
    tags: [publisher.tag],
    summary: page?.summary || item.summary || '',
    contentHtml,
    sources: [job.sourceId],
    storedAt: now.toISOString(),
    // Saved over the stored copy (same key, so the same id and guid everywhere).
    ...(job.changed ? { updatedAt: isoInZone(now, config.site.timezone) } : {}),
  };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return b.length === 0 ? [...a] : [...new Set([...a, ...b])];
}

/** Plain text as one escaped paragraph; nothing for no text. */
function textParagraph(text: string): string {
  return text ? `<p>${escapeHtml(text)}</p>` : '';
}
