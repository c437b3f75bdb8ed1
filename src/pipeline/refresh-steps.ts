/**
 * The steps of a refresh after its first page is read: claiming a page's items, fetching
 * the next page, and the warnings the source's state keeps for the operator.
 */
import { createHash } from 'node:crypto';
import type { ParsedFeed, SourceConfig, SourceItem } from '../domain.js';
import { describeError } from '../errors.js';
import { identify } from '../identity/identify.js';
import type { PendingWork, SourceState } from '../store/store.js';
import type { Logger } from '../util/log.js';
import type { ArticleJob, PipelineDeps } from './ports.js';
import { storeArticles } from './process-article.js';
import { readSourcePage, type ListPage } from './read-source.js';

/** Warning messages kept on a source's state (the count is kept whole). */
export const WARNINGS_KEPT = 10;

export interface ClaimCounts {
  /** Keys seen here first. */
  newItems: number;
  /**
   * Items handed to article processing (queued as jobs, or stored by the refresh itself):
   * new ones, claims whose work was lost, and changed articles.
   */
  queued: number;
  /** Keys claimed before, by this source or another (saved or still in flight). */
  duplicates: number;
  /** Stored articles that came back from this source with another title or summary. */
  changedItems: number;
  /** Items the refresh stored itself (a source that fetches nothing). */
  stored: number;
  /** Categories that gained an already-stored item, or an item the refresh stored itself. */
  changedCategories: string[];
}

/**
 * Most items a source page's refresh builds and saves in one batch: a longer page is
 * stored in batches of this many, so neither one store transaction nor the items held
 * at once grow with the page.
 */
export const ARTICLE_BATCH = 1000;

/**
 * Identifies and claims the items of one page in one store call: a new key (or a pending
 * one, or a stored one whose source item changed) goes to article processing; a known one
 * only adds this source and its categories. For a source that fetches its articles, the
 * page's articles are queued in one call to the Jobs port. A source that fetches nothing
 * needs no I/O per article, so the refresh builds and stores them itself, a batch at a
 * time ({@link storeArticles}); an item that cannot be stored that way is queued as a job.
 * The categories this changes are returned for the caller to publish at once.
 */
export async function claimItems(deps: PipelineDeps, source: SourceConfig, feed: ParsedFeed): Promise<ClaimCounts> {
  const counts: ClaimCounts = { newItems: 0, queued: 0, duplicates: 0, changedItems: 0, stored: 0, changedCategories: [] };
  const entries = feed.items.map((item) => {
    const { key, infoCode } = identify(item, source.infoCode);
    // The claim keeps the work until the item is saved, so requeuePending can queue it
    // again if it is lost, whatever this source answers from now on.
    const work: PendingWork = { infoCode, sourceId: source.id, categories: source.categories, feedTitle: feed.title, item };
    return { key, sourceId: source.id, categories: source.categories, work, hash: sourceItemHash(item) };
  });
  const claims = await deps.store.claimMany(entries);
  const changed = new Set<string>();
  const jobs: ArticleJob[] = [];
  claims.forEach((claim, i) => {
    const { key, work } = entries[i] as (typeof entries)[number];
    for (const slug of claim.changedCategories) changed.add(slug);
    if (claim.isNew) counts.newItems++;
    // A key claimed before (by another source of this pass whose article is still in
    // flight, or by work since lost) is a duplicate here all the same.
    else counts.duplicates++;
    // A pending claim is work that was lost before its item was saved; the Jobs port
    // drops it again if that work is in fact still queued or running.
    if (claim.isNew || claim.pending) jobs.push({ key, ...work });
    else if (claim.changed) {
      counts.changedItems++;
      jobs.push({ key, ...work, changed: true });
    }
  });
  counts.queued = jobs.length;
  let queue = jobs;
  if (!source.article.fetch) {
    queue = [];
    for (let start = 0; start < jobs.length; start += ARTICLE_BATCH) {
      const batch = await storeArticles(deps, jobs.slice(start, start + ARTICLE_BATCH));
      counts.stored += batch.stored;
      for (const slug of batch.changedCategories) changed.add(slug);
      queue.push(...batch.failed);
    }
  }
  if (queue.length > 0) await deps.jobs.enqueueArticles(queue);
  counts.changedCategories = [...changed];
  return counts;
}

/** The hash a claim keeps of a source item: its title and summary, the fields a correction changes. */
export function sourceItemHash(item: SourceItem): string {
  return createHash('sha1').update(item.title).update('\u0000').update(item.summary ?? '').digest('base64url').slice(0, 16);
}

/**
 * Page `page` of a paged source, or undefined when it failed: the pages before it were
 * good, so its failure is a warning of the poll rather than an error of the source.
 */
export async function nextPage(
  deps: PipelineDeps,
  source: SourceConfig,
  page: number,
  timezone: string,
  warnings: string[],
  log: Logger,
): Promise<ListPage | undefined> {
  try {
    return await readSourcePage(deps, source, { page, timezone });
  } catch (err) {
    log.warn({ err, page }, 'source page failed; keeping the pages before it');
    warnings.push(`page ${page}: ${describeError(err)}`);
    return undefined;
  }
}

/** The warning fields of a source's state for one poll's warnings. */
export function lastPollWarnings(warnings: readonly string[]): Pick<SourceState, 'warningCount' | 'warnings'> {
  return { warningCount: warnings.length, warnings: warnings.slice(0, WARNINGS_KEPT) };
}
