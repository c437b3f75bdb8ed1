import type { PipelineDeps } from './ports.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Claims are remembered this many times longer than items, so a pruned item is not ingested again. */
const CLAIM_RETENTION_FACTOR = 4;
const MIN_CLAIM_RETENTION_MS = 180 * DAY_MS;

/** Drops items older than `site.retentionDays` and republishes the categories that lost items. */
export async function prune(deps: PipelineDeps): Promise<number> {
  const { site } = deps.config();
  const now = deps.now().getTime();
  const itemsBefore = new Date(now - site.retentionDays * DAY_MS);
  const claimsBefore = new Date(now - Math.max(MIN_CLAIM_RETENTION_MS, site.retentionDays * DAY_MS * CLAIM_RETENTION_FACTOR));
  const result = await deps.store.prune(itemsBefore, claimsBefore);
  if (result.removed > 0) {
    deps.log.info({ removed: result.removed, categories: result.changedCategories }, 'pruned old items');
    await deps.jobs.requestPublish(result.changedCategories);
  }
  return result.removed;
}
