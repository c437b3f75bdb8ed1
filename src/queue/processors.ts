import { UnrecoverableError, type Processor } from 'bullmq';
import { describeError, isRetryable } from '../errors.js';
import type { ArticleJob, PipelineDeps } from '../pipeline/ports.js';
import { processArticle, type ArticleOutcome } from '../pipeline/process-article.js';
import { publishCategories, SOURCES_STATUS, wroteSourceState } from '../pipeline/publish.js';
import { refreshSource, type RefreshOutcome } from '../pipeline/refresh-source.js';
import type { PublishJobData, RefreshJobData } from './queues.js';

/**
 * BullMQ processor of the `refresh` queue: polls one source (refreshSource records its own
 * failures), then asks for the home page's sources table to be rendered again.
 */
export function refreshProcessor(deps: PipelineDeps): Processor<RefreshJobData, RefreshOutcome> {
  return async (job) => {
    const outcome = await refreshSource(deps, job.data.sourceId, { force: job.data.force === true, leaseOwner: job.id === undefined ? undefined : `refresh-job:${job.id}` });
    if (wroteSourceState(outcome)) await deps.jobs.requestPublish([SOURCES_STATUS]);
    return outcome;
  };
}

/**
 * BullMQ processor of the `article` queue. The job's last attempt is told so (it then
 * stores the item from its feed content rather than failing); an error that retrying
 * cannot fix ends the job at once.
 */
export function articleProcessor(deps: PipelineDeps): Processor<ArticleJob, ArticleOutcome> {
  return async (job) => {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      return await processArticle(deps, job.data, { finalAttempt });
    } catch (err) {
      if (!isRetryable(err)) throw new UnrecoverableError(describeError(err));
      throw err;
    }
  };
}

/** BullMQ processor of the `publish` queue: re-renders one category. */
export function publishProcessor(deps: PipelineDeps): Processor<PublishJobData, void> {
  return (job) => publishCategories(deps, [job.data.slug]);
}
