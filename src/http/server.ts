import type { AddressInfo } from 'node:net';
import { fastify, LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { errorMessage, FinewsError, isFinewsError, statusOf } from '../errors.js';
import type { HttpDeps } from './deps.js';
import { DocumentCache } from './document-cache.js';
import { clientErrorCode, errorBody, rawClientErrorResponse } from './errors.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerApiRoutes } from './routes/api.js';
import { registerFeedRoutes } from './routes/feeds.js';
import { registerOpsRoutes } from './routes/ops.js';
import { errorPage, registerPageRoutes } from './routes/pages.js';

export type { HttpDeps } from './deps.js';

/** Route label of requests no route matched, so scanners cannot blow up metric cardinality. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Status, stable code and public message for an error thrown while handling a
 * request. Client errors keep their message; server-side ones get a fixed message
 * (details such as file paths and hosts go to the log only).
 */
function classify(err: FastifyError | Error): { status: number; code: string; message: string } {
  if (isFinewsError(err, 'store-unavailable')) {
    return { status: statusOf('store-unavailable'), code: err.code, message: errorMessage('store-unavailable') };
  }
  const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
    return { status, code: clientErrorCode(status, code), message: err.message };
  }
  return { status: status >= 500 && status < 600 ? status : statusOf('internal'), code: 'internal', message: errorMessage('internal') };
}

/**
 * Builds the finews HTTP server (INTERFACE §5) without listening: feeds, OPML, the HTML
 * pages and `/api/categories` from rendered documents held in memory (a page not
 * published yet is built from the store), the rest of the JSON API from the store, health,
 * readiness, metrics and the token-guarded admin paths.
 */
export function buildServer(deps: HttpDeps): FastifyInstance {
  const app = fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Feed readers poll all day; one info line per request would drown the pipeline's logs.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
    // A URL the router cannot decode (`/category/%ff%fe.html`) answers like any other bad request.
    frameworkErrors: (err, req, reply) => {
      req.log.info({ err: { code: err.code, message: err.message }, url: req.url }, 'request rejected');
      return sendErrorFor(deps, req.url, reply, statusOf('bad-url'), 'bad-url', `not a valid URL: ${req.url.slice(0, 200)}`);
    },
    // Requests Node cannot parse never reach a route: same JSON body, then the socket closes.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) socket.write(rawClientErrorResponse(err));
      socket.destroy(err);
    },
  });
  const { httpRequests, httpDuration } = deps.metrics;
  // The labelled series of each route and status, looked up once: finding a series by its
  // labels costs more than answering a document from memory. Routes and statuses are few.
  const series = new Map<string, { requests: { inc(): void }; duration: { observe(v: number): void } }>();
  const seriesOf = (route: string, status: number): { requests: { inc(): void }; duration: { observe(v: number): void } } => {
    const key = `${status} ${route}`;
    let s = series.get(key);
    if (s === undefined) {
      s = { requests: httpRequests.labels({ route, status: String(status) }), duration: httpDuration.labels({ route }) };
      series.set(key, s);
    }
    return s;
  };

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? UNMATCHED_ROUTE;
    const { requests, duration } = seriesOf(route, reply.statusCode);
    requests.inc();
    duration.observe(reply.elapsedTime / 1000);
    if (deps.log.isLevelEnabled('debug')) {
      req.log.debug({ method: req.method, url: req.url, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request completed');
    }
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, code, message } = classify(err);
    if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
    else req.log.info({ err: { code, message: err.message }, url: req.url }, 'request rejected');
    if (status === 503) reply.header('retry-after', '5');
    return sendErrorFor(deps, req.url, reply, status, code, message);
  });

  app.setNotFoundHandler((req, reply) => {
    return sendErrorFor(deps, req.url, reply, statusOf('not-found'), 'not-found', `no route for ${req.method} ${(req.url.split('?', 1)[0] ?? '').slice(0, 200)}`);
  });

  registerAdminRoutes(app, deps);
  registerOpsRoutes(app, deps);
  const documents = deps.documents ?? new DocumentCache(deps.store, { log: deps.log });
  app.addHook('onReady', () => documents.start());
  app.addHook('onClose', async () => documents.stop());
  registerFeedRoutes(app, deps, documents);
  registerPageRoutes(app, deps, documents);
  registerApiRoutes(app, deps, documents);
  return app;
}

/** HTML pages (`/`, `/category/…`) answer errors with the site's error page; every other path in JSON. */
function sendErrorFor(deps: HttpDeps, url: string, reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  const path = url.split('?', 1)[0] ?? '';
  if (path === '/' || path.startsWith('/category/')) {
    return reply.code(status).type('text/html; charset=utf-8').send(errorPage(deps.config(), status, message));
  }
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message));
}

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

/** Builds the server and listens on `host:port` (port 0 picks a free one). */
export async function startServer(deps: HttpDeps, opts: { host: string; port: number }): Promise<RunningServer> {
  const app = buildServer(deps);
  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (err) {
    await app.close();
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    throw new FinewsError('port-in-use', `${opts.host}:${opts.port} is already in use: stop what listens there, or choose another port (PORT=${opts.port + 1}; finews demo --port ${opts.port + 1})`, { cause: err });
  }
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  deps.log.info({ url }, 'http server listening');
  return {
    url,
    close: async () => {
      await app.close();
    },
  };
}
