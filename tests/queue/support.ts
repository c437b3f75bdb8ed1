import { Worker, type Processor, type Queue } from 'bullmq';
import type { ArticleJob } from '../../src/pipeline/ports.js';
import { queuePrefix, workerConnection, type FinewsQueues, type QueueName } from '../../src/queue/queues.js';
import { cleanupRedis, REDIS_URL } from '../support/harness.js';

/** A bare BullMQ worker on one of finews's queues under `prefix`, with a test's own processor. */
export function testWorker<D, R>(prefix: string, name: QueueName, processor: Processor<D, R>, concurrency = 1): Worker<D, R> {
  const worker = new Worker<D, R>(name, processor, { connection: workerConnection(REDIS_URL), prefix: queuePrefix(prefix), concurrency });
  worker.on('error', () => undefined);
  return worker;
}

/** Removes every job of the queues and every key under the prefix. */
export async function wipe(queues: FinewsQueues | undefined, prefix: string): Promise<void> {
  if (queues) {
    for (const q of [queues.refresh, queues.article, queues.publish]) await q.obliterate({ force: true }).catch(() => undefined);
  }
  await cleanupRedis(prefix);
}

/** An article job as refreshSource would queue it for an Eastmoney news item. */
export function articleJob(code: string, sourceId = 'cinn-industry'): ArticleJob {
  return {
    key: `NW${code}`,
    infoCode: `NW${code}`,
    sourceId,
    categories: ['industry'],
    feedTitle: '工业频道',
    item: {
      guid: `https://finance.eastmoney.com/a/${code}.html`,
      link: `https://finance.eastmoney.com/a/${code}.html`,
      title: '政策引导 重庆推进专精特新企业持续创新',
      summary: '为培育壮大一批专注细分市场、创新能力强的“专精特新”中小企业……',
      categories: [],
      publishedAt: '2022-03-30T09:34:12+08:00',
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Counts the `addBulk` calls `queue` makes from now on (requests a process sends to Redis); read `sent()`. */
export function countAddBulk<D>(queue: Queue<D>): () => number {
  let sent = 0;
  const addBulk = queue.addBulk.bind(queue);
  queue.addBulk = (jobs) => {
    sent++;
    return addBulk(jobs);
  };
  return () => sent;
}
