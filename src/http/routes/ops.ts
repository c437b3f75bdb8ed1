import type { FastifyInstance } from 'fastify';
import { describeError } from '../../errors.js';
import type { HttpDeps } from '../deps.js';

/** How long `/readyz` waits for the store and queue before calling them unreachable, by default. */
export const READY_TIMEOUT_MS = 3000;

/** Resolves when `check` does, rejects when it rejects or takes longer than `ms`. */
async function withTimeout(check: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`readiness check timed out after ${ms}ms`)), ms);
  });
  try {
    await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz` (liveness), `/readyz` (store and queue reachable) and `/metrics`. */
export function registerOpsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/healthz', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    try {
      await withTimeout(deps.ready(), deps.readyTimeoutMs ?? READY_TIMEOUT_MS);
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
