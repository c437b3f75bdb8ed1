import type { PipelineDeps } from './ports.js';

export interface RequeuePendingOptions {
  /** Work handed out (claimed or re-queued) before this instant is queued again. */
  olderThan: Date;
  /** Claims read per store call. @defaultValue 100 */
  batch?: number;
  /** Most claims re-queued by one sweep; the rest wait for the next. @defaultValue 1000 */
  max?: number;
}

/**
 * Queues again the article work of items claimed but never saved, whatever their
 * source answers now (a feed that only says 304 would hide them for good): work lost
 * with a killed process, a queue write that failed, or a job that failed for good. The
 * Jobs port drops a key whose job is still queued or running, so work that is merely
 * slow costs a lookup, never a second job. Bounded: at most `max` claims per sweep,
 * read `batch` at a time from the store's index of such claims.
 */
export async function requeuePending(deps: PipelineDeps, opts: RequeuePendingOptions): Promise<{ requeued: number }> {
  const batch = Math.max(1, opts.batch ?? 100);
  const max = Math.max(0, opts.max ?? 1000);
  let requeued = 0;
  while (requeued < max) {
    const claims = await deps.store.takePendingClaims(opts.olderThan, Math.min(batch, max - requeued), deps.now());
    if (claims.length > 0) await deps.jobs.enqueueArticles(claims.map(({ key, work }) => ({ ...work, key })));
    requeued += claims.length;
    if (claims.length < batch) break;
  }
  if (requeued > 0) deps.log.info({ requeued, olderThan: opts.olderThan.toISOString() }, 're-queued article work claimed but never saved');
  return { requeued };
}
