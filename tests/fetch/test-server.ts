/**
 * A real HTTP server on 127.0.0.1 (port 0) for the fetcher tests: routes by longest path prefix and
 * records every connection and request it sees.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface SeenRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface TestServer {
  port: number;
  /** http://127.0.0.1:PORT + path */
  url(path: string): string;
  route(prefix: string, handler: Handler): void;
  requests: SeenRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const requests: SeenRequest[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    const prefix = [...routes.keys()].filter((p) => path.startsWith(p)).sort((a, b) => b.length - a.length)[0];
    const handler = prefix === undefined ? undefined : routes.get(prefix);
    if (handler) {
      handler(req, res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    route: (prefix, handler) => void routes.set(prefix, handler),
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a streaming handler managed to send before the connection ended. */
export interface StreamStats {
  sent: number;
  /** True when the whole body was handed to the socket. */
  finished: boolean;
}

/**
 * Streams `total` bytes (Infinity: forever) in 64 KB chunks, honouring back-pressure; resolves
 * `done` when the response closes, with how much was sent.
 */
export function streamingHandler(
  total: number,
  headers: http.OutgoingHttpHeaders = {},
): { handler: Handler; done: Promise<StreamStats> } {
  let resolveDone!: (s: StreamStats) => void;
  const done = new Promise<StreamStats>((r) => (resolveDone = r));
  const handler: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    res.on('close', () => resolveDone({ sent, finished: res.writableFinished }));
    const pump = (): void => {
      while (!res.destroyed) {
        if (sent >= total) {
          res.end();
          return;
        }
        const piece = total - sent < chunk.length ? chunk.subarray(0, total - sent) : chunk;
        sent += piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  };
  return { handler, done };
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
