import type { PipelineDeps } from '../pipeline/ports.js';
import { isFinewsError } from '../errors.js';
import { requeuePending } from '../pipeline/requeue-pending.js';
import { outageLog } from '../util/outage-log.js';

export interface PendingSweepOptions {
  /**
   * How often to sweep, and how long work must have been out (claimed or re-queued
   * without an item saved) before it is queued again: the job lock, the longest a
   * healthy job goes unseen.
   */
  everyMs: number;
  /**
   * The first sweep's cutoff. Embedded mode passes its start time: nothing handed out
   * before this process started can be in its memory, so it need not wait `everyMs`.
   * @defaultValue `everyMs` before the first sweep
   */
  firstOlderThan?: Date;
}

export interface PendingSweep {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Runs {@link requeuePending} now and every `everyMs` in this process (embedded mode's
 * daemon; each Redis-mode worker process, so the sweep goes on while any worker lives).
 * A sweep still running when the next is due is not doubled; failures are logged and
 * the next sweep tries again.
 */
export function startPendingSweep(deps: PipelineDeps, opts: PendingSweepOptions): PendingSweep {
  const everyMs = Math.max(1, opts.everyMs);
  let running: Promise<void> | undefined;
  let first = opts.firstOlderThan;
  const sweep = (): void => {
    if (running) return;
    const olderThan = first ?? new Date(deps.now().getTime() - everyMs);
    first = undefined;
    running = requeuePending(deps, { olderThan })
      .then(() => undefined)
      .catch((err: unknown) => {
        const msg = 'cannot re-queue pending article work; the next sweep tries again';
        // An unreachable store is the outage every connection already reports: one line per backoff period.
        if (isFinewsError(err, 'store-unavailable')) outageLog(deps.log).error(err, {}, msg);
        else deps.log.error({ err }, msg);
      })
      .finally(() => (running = undefined));
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
