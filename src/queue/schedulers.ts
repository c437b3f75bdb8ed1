import type { Queue } from 'bullmq';
import type { Config, SourceConfig } from '../domain.js';
import type { Logger } from '../util/log.js';
import { REFRESH_JOB_OPTIONS, type RefreshJobData } from './queues.js';

/** Job Scheduler ids finews owns start with this; others on the queue are left alone. */
export const SCHEDULER_ID_PREFIX = 'source-';

/** Job Scheduler id of a source (source ids are [a-z0-9-]+, so no ':' reaches a Redis key). */
export function schedulerIdOf(sourceId: string): string {
  return `${SCHEDULER_ID_PREFIX}${sourceId}`;
}

/**
 * How often the scheduler asks a source's refresh job to run.
 *
 * The source's real cadence is its stored nextRunAt, set by refreshSource to
 * `every` ±10 % jitter, stretched by Cache-Control, Retry-After and failure backoff;
 * a run before it is skipped at once. Ticking exactly every `every` would miss
 * about every other due time (whenever the jitter lands after the next tick), so the
 * tick is a fraction of `every` (a fifth, at most a minute): a due source waits at
 * most one tick. It is never shorter than the source's timeout (nor longer than
 * `every`), so one refresh normally ends before the next tick's job starts.
 */
export function pollEveryMs(source: Pick<SourceConfig, 'everyMs' | 'timeoutMs'>): number {
  const floor = Math.min(source.timeoutMs, source.everyMs);
  return Math.max(1, Math.min(source.everyMs, Math.max(floor, Math.min(60_000, Math.ceil(source.everyMs / 5)))));
}

export interface SchedulerSyncResult {
  added: string[];
  changed: string[];
  removed: string[];
}

/**
 * Makes the refresh queue's Job Schedulers match the config: one per enabled source
 * (its first job runs at once), re-timed when its interval changed, removed when its
 * source was removed or disabled. Unchanged schedulers are not touched, so calling
 * this again with the same config (hot reload does, on every change) keeps their
 * timing. Safe to run from several processes at once: upserts and removals are
 * idempotent in Redis.
 */
export async function syncSchedulers(refreshQueue: Queue<RefreshJobData>, config: Config, log: Logger): Promise<SchedulerSyncResult> {
  const wanted = new Map(config.sources.filter((s) => s.enabled).map((s) => [schedulerIdOf(s.id), s]));
  const existing = new Map(
    (await refreshQueue.getJobSchedulers(0, -1)).filter((s) => s.key.startsWith(SCHEDULER_ID_PREFIX)).map((s) => [s.key, s]),
  );
  const result: SchedulerSyncResult = { added: [], changed: [], removed: [] };

  for (const [id, source] of wanted) {
    const every = pollEveryMs(source);
    const current = existing.get(id);
    if (current && current.every === every && current.template?.data?.sourceId === source.id) continue;
    await refreshQueue.upsertJobScheduler(
      id,
      { every },
      {
        name: 'refresh',
        data: { sourceId: source.id },
        opts: { attempts: REFRESH_JOB_OPTIONS.attempts, removeOnComplete: REFRESH_JOB_OPTIONS.removeOnComplete, removeOnFail: REFRESH_JOB_OPTIONS.removeOnFail },
      },
    );
    (current ? result.changed : result.added).push(source.id);
  }
  for (const id of [...existing.keys()].sort()) {
    if (wanted.has(id)) continue;
    await refreshQueue.removeJobScheduler(id);
    result.removed.push(id.slice(SCHEDULER_ID_PREFIX.length));
  }
  if (result.added.length + result.changed.length + result.removed.length > 0) {
    log.info({ ...result, sources: wanted.size }, 'source schedules updated');
  }
  return result;
}
