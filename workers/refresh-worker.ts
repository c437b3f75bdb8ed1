import type { Processor } from 'bullmq';
import type { PipelineDeps } from '../src/pipeline/ports.js';
import { refreshSource, type RefreshOutcome } from '../src/pipeline/refresh-source.js';
import type { RefreshJobData } from '../src/queue/queues.js';

/** BullMQ processor of the `refresh` queue: polls one source (refreshSource records its own failures). */
export function refreshProcessor(deps: PipelineDeps): Processor<RefreshJobData, RefreshOutcome> {
  return (job) => refreshSource(deps, job.data.sourceId, { force: job.data.force === true, leaseOwner: job.id === undefined ? undefined : `refresh-job:${job.id}` });
}
