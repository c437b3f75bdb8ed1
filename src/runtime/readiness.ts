import { describeError, FinewsError } from '../errors.js';
import type { HealthReport } from '../pipeline/ports.js';
import type { Logger } from '../util/log.js';

/**
 * The process's own readiness beside its store's: work reported failing (a publish)
 * keeps `/readyz` red until the same work succeeds again. Logs an error with the cause
 * when work starts failing and a line when it recovers, not on every repeat.
 */
export class Readiness implements HealthReport {
  private readonly failing = new Map<string, { since: string; reason: string }>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  failed(work: 'publish', err: unknown): void {
    const reason = describeError(err);
    const known = this.failing.get(work);
    if (!known) this.log.error({ err, work }, `${work} failed: not ready until a ${work} succeeds`);
    this.failing.set(work, { since: known?.since ?? this.now().toISOString(), reason });
  }

  succeeded(work: 'publish'): void {
    if (this.failing.delete(work)) this.log.info({ work }, `${work} succeeded again: ready`);
  }

  /** Throws a FinewsError('publish-failed') naming the cause while any reported work is failing. */
  check(): void {
    const first = this.failing.entries().next();
    if (first.done) return;
    const [work, { since, reason }] = first.value;
    throw new FinewsError('publish-failed', `${work} failing since ${since}: ${reason}`);
  }
}
