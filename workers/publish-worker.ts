import type { Processor } from 'bullmq';
import type { PipelineDeps } from '../src/pipeline/ports.js';
import { publishCategories } from '../src/pipeline/publish.js';
import type { PublishJobData } from '../src/queue/queues.js';

/** BullMQ processor of the `publish` queue: re-renders one category. */
export function publishProcessor(deps: PipelineDeps): Processor<PublishJobData, void> {
  return (job) => publishCategories(deps, [job.data.slug]);
}
