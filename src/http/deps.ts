import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../domain.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { DocumentCache } from './document-cache.js';
import type { Logger } from '../util/log.js';

/** Where the server mounts {@link HttpDeps.adminPlugin}, the queue dashboard; the dashboard links below it. */
export const ADMIN_QUEUES_PATH = '/admin/queues';

/** What the HTTP server needs from the composition root. */
export interface HttpDeps {
  /** Current config; hot reload swaps what this returns, so it is read per request. */
  config(): Config;
  store: Store;
  metrics: Metrics;
  /** Passed to fastify as its logger; request logs carry the request id. */
  log: Logger;
  /** Resolves when the store (and queue, in Redis mode) answer; rejects with the reason otherwise. */
  ready(): Promise<void>;
  /**
   * How long `/readyz` waits for `ready()` before answering 503.
   * @defaultValue 3000
   */
  readyTimeoutMs?: number;
  /** Enables `/admin/*`, every request then needing `Authorization: Bearer <token>`. */
  adminToken?: string;
  /**
   * The rendered documents served from memory. Pass the one a publisher in this process
   * writes to; without it the server keeps its own, filled and polled from the store.
   */
  documents?: DocumentCache;
  /** Queue dashboard mounted under {@link ADMIN_QUEUES_PATH} (Redis runtime). */
  adminPlugin?: FastifyPluginAsync;
}
