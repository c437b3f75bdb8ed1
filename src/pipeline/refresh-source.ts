import type { SourceConfig } from '../domain.js';
import { describeError, isRetryable } from '../errors.js';
import type { SourceState } from '../store/store.js';
import { nextRunDelay } from './next-run.js';
import { FetchError, type PipelineDeps } from './ports.js';
import { type ListPage, pageWarnings, readSourcePage } from './read-source.js';
import { claimItems, lastPollWarnings, nextPage, WARNINGS_KEPT } from './refresh-steps.js';

/** Why a refresh did not run. */
export type SkipReason = 'not in config' | 'disabled' | 'not due' | 'already being refreshed';

export type RefreshOutcome =
  | { sourceId: string; status: 'ok'; newItems: number; duplicates: number; warnings: string[] }
  | { sourceId: string; status: 'not-modified' }
  | { sourceId: string; status: 'skipped'; reason: SkipReason }
  | { sourceId: string; status: 'error'; error: string; retryable: boolean };

/**
 * Polls one source: conditional GET with its stored validators, parse, identify each
 * item, claim new keys and hand them to article processing (queued as article jobs, or
 * stored by the refresh itself when the source fetches nothing per article); items
 * already known only add this source and its categories. One publish is asked for per
 * page, of the categories it changed. The outcome and the next run time are recorded
 * on the source's state; failures are recorded, never thrown.
 */
export interface RefreshOptions {
  /** Poll even when the source's next run is not due yet. */
  force?: boolean;
  /**
   * Who refreshes: a queue job's id, so the same job run again after its worker died
   * takes its own lease back instead of waiting for it to lapse.
   */
  leaseOwner?: string;
}

export async function refreshSource(deps: PipelineDeps, sourceId: string, opts: RefreshOptions = {}): Promise<RefreshOutcome> {
  const config = deps.config();
  const source = config.sources.find((s) => s.id === sourceId);
  if (!source) return { sourceId, status: 'skipped', reason: 'not in config' };
  if (!source.enabled) return { sourceId, status: 'skipped', reason: 'disabled' };

  // One refresh of a source at a time, across workers and processes (a scheduler tick can
  // come while the last refresh still waits for a host slot, and `once` may run beside the
  // daemon). The lease outlives a normal refresh; a crashed holder's lease simply lapses.
  const leaseName = `refresh:${sourceId}`;
  const lease = await deps.store.acquireLease(leaseName, Math.max(LEASE_MIN_MS, source.timeoutMs * 3), opts.leaseOwner);
  if (lease === null) return { sourceId, status: 'skipped', reason: 'already being refreshed' };
  try {
    return await refreshHeld(deps, source, opts);
  } finally {
    await deps.store
      .releaseLease(leaseName, lease)
      .catch((err: unknown) => deps.log.warn({ err, sourceId }, 'cannot release refresh lease; it lapses by itself'));
  }
}

const LEASE_MIN_MS = 2 * 60 * 1000;

async function refreshHeld(deps: PipelineDeps, source: SourceConfig, opts: RefreshOptions): Promise<RefreshOutcome> {
  const sourceId = source.id;
  const config = deps.config();
  const previous = (await deps.store.getSourceState(sourceId)) ?? { id: sourceId, consecutiveFailures: 0, items: 0 };
  const started = deps.now();
  if (!opts.force && previous.nextRunAt && Date.parse(previous.nextRunAt) > started.getTime()) {
    return { sourceId, status: 'skipped', reason: 'not due' };
  }
  const log = deps.log.child({ sourceId, url: source.url });

  try {
    // Conditional GET for the first page only: later pages have no validators of their own.
    // A `{now}` url differs on every request, but its validators still name the answer.
    const validators = { etag: previous.etag, lastModified: previous.lastModified };
    const first = await readSourcePage(deps, source, { page: 1, validators, timezone: config.site.timezone, unchangedHash: previous.bodyHash });
    const res = first.response;
    const succeeded = (status: number, warnings: string[] = []): SourceState => ({
      ...previous,
      etag: res.validators.etag ?? previous.etag,
      lastModified: res.validators.lastModified ?? previous.lastModified,
      bodyHash: first.bodyHash ?? previous.bodyHash,
      lastFetchAt: started.toISOString(),
      lastStatus: status,
      lastError: undefined,
      consecutiveFailures: 0,
      nextRunAt: nextRunAt(deps, source, { maxAgeMs: res.maxAgeMs, consecutiveFailures: 0 }),
      ...lastPollWarnings(warnings),
    });

    if (first.unchanged) {
      // The same bytes as last time: the same items, claimed then. The last read's warnings still hold.
      await deps.store.putSourceState({ ...succeeded(res.status), warningCount: previous.warningCount, warnings: previous.warnings });
      deps.metrics.sourceFetches.inc({ source: sourceId, outcome: 'not-modified' });
      log.info({ status: res.status }, 'source unchanged');
      return { sourceId, status: 'not-modified' };
    }
    if (first.feed === undefined) {
      await deps.store.putSourceState(succeeded(304));
      deps.metrics.sourceFetches.inc({ source: sourceId, outcome: 'not-modified' });
      log.info({ status: 304 }, 'source not modified');
      return { sourceId, status: 'not-modified' };
    }

    let newItems = 0;
    let duplicates = 0;
    let seen = 0;
    const warnings: string[] = [];
    // Pages 1..N; a page that brings nothing new (or fails after the first) ends the poll.
    for (let page: ListPage | undefined = first; page?.feed !== undefined; ) {
      const counts = await claimItems(deps, source, page.feed);
      newItems += counts.newItems;
      duplicates += counts.duplicates;
      seen += page.feed.items.length;
      // One publish per page, for what its claims and the items stored with it changed.
      if (counts.changedCategories.length > 0) await deps.jobs.requestPublish(counts.changedCategories);
      warnings.push(...pageWarnings(page));
      if (counts.queued === 0 || page.page >= source.pages) break;
      page = await nextPage(deps, source, page.page + 1, config.site.timezone, warnings, log);
    }
    await deps.store.putSourceState(succeeded(res.status, warnings));
    deps.metrics.sourceFetches.inc({ source: sourceId, outcome: 'ok' });
    deps.metrics.items.inc({ source: sourceId, kind: 'new' }, newItems);
    deps.metrics.items.inc({ source: sourceId, kind: 'duplicate' }, duplicates);
    if (warnings.length > 0) log.warn({ warnings: warnings.slice(0, WARNINGS_KEPT) }, 'source had skipped or broken items');
    if (res.permanentRedirect) log.warn({ finalUrl: res.finalUrl }, 'source moved permanently; update its url in feeds.yaml');
    log.info({ status: res.status, items: seen, newItems, duplicates }, 'fetched source');
    return { sourceId, status: 'ok', newItems, duplicates, warnings };
  } catch (err) {
    const failures = previous.consecutiveFailures + 1;
    const retryAfterMs = err instanceof FetchError && err.retryAfterMs ? err.retryAfterMs : undefined;
    const status = err instanceof FetchError && err.status ? err.status : undefined;
    await deps.store.putSourceState({
      ...previous,
      lastFetchAt: started.toISOString(),
      lastStatus: status,
      lastError: describeError(err),
      consecutiveFailures: failures,
      ...lastPollWarnings([]),
      nextRunAt: nextRunAt(deps, source, { retryAfterMs, consecutiveFailures: failures }),
    });
    deps.metrics.sourceFetches.inc({ source: sourceId, outcome: 'error' });
    log.warn({ err, consecutiveFailures: failures }, 'source refresh failed');
    return { sourceId, status: 'error', error: describeError(err), retryable: isRetryable(err) };
  }
}

function nextRunAt(
  deps: PipelineDeps,
  source: SourceConfig,
  input: { maxAgeMs?: number; retryAfterMs?: number; consecutiveFailures: number },
): string {
  return new Date(deps.now().getTime() + nextRunDelay({ everyMs: source.everyMs, ...input })).toISOString();
}
