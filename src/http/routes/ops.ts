import type { FastifyInstance } from 'fastify';
import { describeError } from '../../errors.js';
import type { HttpDeps } from '../deps.js';

/** `/healthz` (liveness), `/readyz` (store and queue reachable) and `/metrics`. */
export function registerOpsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/healthz', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    try {
      await deps.ready();
      return { status: 'ready' };
    } catch (err) {
      const reason = describeError(err);
      req.log.warn({ err }, 'not ready');
      return reply.code(503).send({ status: 'unavailable', reason });
    }
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply
      .header('cache-control', 'no-store')
      .type(deps.metrics.registry.contentType)
      .send(Buffer.from(text, 'utf8'));
  });
}
