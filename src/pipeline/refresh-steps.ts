/**
 * The steps of a refresh after its first page is read: claiming a page's items, fetching
 * the next page, and the warnings the source's state keeps for the operator.
 */
import type { ParsedFeed, SourceConfig } from '../domain.js';
import { describeError } from '../errors.js';
import { identify } from '../identity/identify.js';
import type { SourceState } from '../store/store.js';
import type { Logger } from '../util/log.js';
import type { PipelineDeps } from './ports.js';
import { readSourcePage, type ListPage } from './read-source.js';

/** Warning messages kept on a source's state (the count is kept whole). */
export const WARNINGS_KEPT = 10;

export interface ClaimCounts {
  /** Keys seen here first. */
  newItems: number;
  /** Items handed to article processing: new ones and claims whose work was lost. */
  queued: number;
  /** Keys claimed before, by this source or another (saved or still in flight). */
  duplicates: number;
  /** Categories that gained an already-stored item. */
  changedCategories: string[];
}

/**
 * Identifies and claims each item of one page: a new key (or a pending one) goes to article
 * processing, a known one only adds this source and its categories.
 */
export async function claimItems(deps: PipelineDeps, source: SourceConfig, feed: ParsedFeed): Promise<ClaimCounts> {
  const counts: ClaimCounts = { newItems: 0, queued: 0, duplicates: 0, changedCategories: [] };
  const changed = new Set<string>();
  for (const item of feed.items) {
    const { key, infoCode } = identify(item, source.infoCode);
    // The claim keeps the work until the item is saved, so requeuePending can queue it
    // again if it is lost, whatever this source answers from now on.
    const work = { infoCode, sourceId: source.id, categories: source.categories, feedTitle: feed.title, item };
    const claim = await deps.store.claim(key, source.id, source.categories, work);
    if (claim.isNew || claim.pending) {
      // A pending claim is work that was lost before its item was saved; the Jobs port
      // drops it again if that work is in fact still queued or running.
      // A key claimed before (by another source of this pass whose article is still in
      // flight, or by work since lost) is a duplicate here all the same.
      if (claim.isNew) counts.newItems++;
      else counts.duplicates++;
      counts.queued++;
      await deps.jobs.enqueueArticle({ key, ...work });
    } else {
      counts.duplicates++;
      for (const slug of claim.changedCategories) changed.add(slug);
    }
  }
  counts.changedCategories = [...changed];
  return counts;
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
