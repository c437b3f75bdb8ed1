import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ADMIN_QUEUES_PATH, type HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';

/** Prefix of every admin path. */
export const ADMIN_PREFIX = '/admin';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** True when the request carries `Authorization: Bearer <token>`; compared in constant time. */
export function hasBearerToken(req: FastifyRequest, token: string): boolean {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return false;
  const m = /^Bearer[ \t]+(\S+)\s*$/i.exec(auth);
  if (m?.[1] === undefined) return false;
  // Hash both sides so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(digest(m[1]), digest(token));
}

/**
 * `/admin/*`, only when an admin token is configured (else nothing is registered and
 * every admin path is a 404). The routes live in their own encapsulated plugin whose
 * `onRequest` hook demands the bearer token: it guards whatever fastify routes there,
 * however the path was spelled (`/%61dmin/…` included), and unknown admin paths too.
 * The queue dashboard plugin, when given, is mounted under {@link ADMIN_QUEUES_PATH}; otherwise
 * that path says there is nothing to show.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const token = deps.adminToken;
  if (token === undefined || token === '') return;

  void app.register(
    async (admin) => {
      admin.addHook('onRequest', async (req, reply) => {
        if (hasBearerToken(req, token)) return;
        req.log.warn({ ip: req.ip, url: req.url, hasAuthorization: req.headers.authorization !== undefined }, 'admin request without a valid token');
        reply.header('www-authenticate', 'Bearer realm="finews admin"');
        return sendError(reply, 'unauthorized');
      });
      admin.setNotFoundHandler((_req, reply) => sendError(reply, 'not-found', 'no such admin path'));
      const queuesPath = ADMIN_QUEUES_PATH.slice(ADMIN_PREFIX.length);
      if (deps.adminPlugin !== undefined) {
        await admin.register(deps.adminPlugin, { prefix: queuesPath });
      } else {
        admin.get(queuesPath, async () => ({
          queues: [],
          message: 'no queue dashboard: finews runs in embedded mode without Redis queues',
        }));
      }
    },
    { prefix: ADMIN_PREFIX },
  );
}
