import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsync } from 'fastify';
import { ADMIN_QUEUES_PATH } from '../http/deps.js';

/**
 * The Redis-mode queue dashboard (bull-board) over finews' queues, as a fastify plugin
 * the HTTP server mounts under ADMIN_QUEUES_PATH behind the admin token.
 */
export function queueDashboard(queues: Queue[]): FastifyPluginAsync {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })), serverAdapter });
  const plugin = serverAdapter.registerPlugin();
  return async (app) => {
    await app.register(plugin);
  };
}
