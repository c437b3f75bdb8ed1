import { UnrecoverableError, type Processor } from 'bullmq';
import { describeError, isFinewsError } from '../src/errors.js';
import type { ArticleJob, PipelineDeps } from '../src/pipeline/ports.js';
import { processArticle, type ArticleOutcome } from '../src/pipeline/process-article.js';

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
      if (isFinewsError(err) && !err.retryable) throw new UnrecoverableError(describeError(err));
      throw err;
    }
  };
}
