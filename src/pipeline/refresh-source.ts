import type { SourceConfig } from '../domain.js';
import { describeError, FinewsError } from '../errors.js';
import { decodeBody } from '../fetch/decode.js';
import { identify } from '../identity/identify.js';
import { capItems } from '../sources/max-items.js';
import { parseFeed } from '../sources/parse-feed.js';
import type { SourceState } from '../store/store.js';
import { nextRunDelay } from './next-run.js';
import type { PipelineDeps } from './ports.js';

/** Why a refresh did not run. */
export type SkipReason = 'not in config' | 'disabled' | 'not due' | 'already being refreshed';

export type RefreshOutcome =
  | { sourceId: string; status: 'ok'; newItems: number; duplicates: number; warnings: string[] }
  | { sourceId: string; status: 'not-modified' }
  | { sourceId: string; status: 'skipped'; reason: SkipReason }
  | { sourceId: string; status: 'error'; error: string; retryable: boolean };

/**
 * Polls one source: conditional GET with its stored validators, parse, identify each
 * item, claim new keys and hand them to article processing; items already known only
 * add this source and its categories. The outcome and the next run time are recorded
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
    const res = await deps.fetcher.fetch({
      url: source.url,
      origin: 'operator',
      timeoutMs: source.timeoutMs,
      maxBytes: source.maxBytes,
      userAgent: source.userAgent,
      allowPrivateNetworks: source.allowPrivateNetworks,
      validators: { etag: previous.etag, lastModified: previous.lastModified },
      accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5',
    });
    const succeeded = (status: number): SourceState => ({
      ...previous,
      etag: res.validators.etag ?? previous.etag,
      lastModified: res.validators.lastModified ?? previous.lastModified,
      lastFetchAt: started.toISOString(),
      lastStatus: status,
      lastError: undefined,
      consecutiveFailures: 0,
      nextRunAt: nextRunAt(deps, source, { maxAgeMs: res.maxAgeMs, consecutiveFailures: 0 }),
    });

    if (res.notModified) {
      await deps.store.putSourceState(succeeded(304));
      deps.metrics.sourceFetches.inc({ source: sourceId, outcome: 'not-modified' });
      log.info({ status: 304 }, 'source not modified');
      return { sourceId, status: 'not-modified' };
    }

    const { text, warnings: charsetWarnings = [] } = decodeBody(res.body, res.contentType);
    const feed = capItems(await parseFeed(text, { feedUrl: res.finalUrl, timezone: config.site.timezone }), source.maxItems);
    feed.warnings.unshift(...charsetWarnings);
    let newItems = 0;
    let duplicates = 0;
    const changed = new Set<string>();
    for (const item of feed.items) {
      const { key, infoCode } = identify(item, source.infoCode);
      // The claim keeps the work until the item is saved, so requeuePending can queue it
      // again if it is lost, whatever this source answers from now on.
      const work = { infoCode, sourceId, categories: source.categories, feedTitle: feed.title, item };
      const claim = await deps.store.claim(key, sourceId, source.categories, work);
      if (claim.isNew || claim.pending) {
        // A pending claim is work that was lost before its item was saved; the Jobs port
        // drops it again if that work is in fact still queued or running.
        if (claim.isNew) newItems++;
        await deps.jobs.enqueueArticle({ key, ...work });
      } else {
        duplicates++;
        for (const slug of claim.changedCategories) changed.add(slug);
      }
    }
    if (changed.size > 0) await deps.jobs.requestPublish([...changed]);
    await deps.store.putSourceState(succeeded(res.status));
    deps.metrics.sourceFetches.inc({ source: sourceId, outcome: 'ok' });
    deps.metrics.items.inc({ source: sourceId, kind: 'new' }, newItems);
    deps.metrics.items.inc({ source: sourceId, kind: 'duplicate' }, duplicates);
    if (feed.warnings.length > 0) log.warn({ warnings: feed.warnings }, 'source feed had broken items');
    if (res.permanentRedirect) log.warn({ finalUrl: res.finalUrl }, 'source moved permanently; update its url in feeds.yaml');
    log.info({ status: res.status, items: feed.items.length, newItems, duplicates }, 'fetched source');
    return { sourceId, status: 'ok', newItems, duplicates, warnings: feed.warnings };
  } catch (err) {
    const failures = previous.consecutiveFailures + 1;
    const retryAfterMs = err instanceof FinewsError && 'retryAfterMs' in err ? Number(err.retryAfterMs) || undefined : undefined;
    const status = err instanceof FinewsError && 'status' in err ? Number(err.status) || undefined : undefined;
    await deps.store.putSourceState({
      ...previous,
      lastFetchAt: started.toISOString(),
      lastStatus: status,
      lastError: describeError(err),
      consecutiveFailures: failures,
      nextRunAt: nextRunAt(deps, source, { retryAfterMs, consecutiveFailures: failures }),
    });
    deps.metrics.sourceFetches.inc({ source: sourceId, outcome: 'error' });
    log.warn({ err, consecutiveFailures: failures }, 'source refresh failed');
    return { sourceId, status: 'error', error: describeError(err), retryable: err instanceof FinewsError ? err.retryable : true };
  }
}

function nextRunAt(
  deps: PipelineDeps,
  source: SourceConfig,
  input: { maxAgeMs?: number; retryAfterMs?: number; consecutiveFailures: number },
): string {
  return new Date(deps.now().getTime() + nextRunDelay({ everyMs: source.everyMs, ...input })).toISOString();
}
