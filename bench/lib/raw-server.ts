/**
 * The ceiling of serving one document with node:http: the bytes finews sent, in a
 * Buffer, written with the headers finews sent. Run as a process of its own:
 *
 *   tsx bench/lib/raw-server.ts <spec.json>
 *
 * spec: `{ path, body (file of the gzip bytes), headers200, headers304, etag }`. GET of
 * `path` answers 304 with `headers304` when If-None-Match is the ETag, else 200 with
 * `headers200` and the bytes; anything else 404. Prints its port on stdout.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

interface RawSpec {
  path: string;
  body: string;
  etag: string;
  headers200: Record<string, string>;
  headers304: Record<string, string>;
}

const specFile = process.argv[2];
if (specFile === undefined) throw new Error('usage: raw-server.ts <spec.json>');
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as RawSpec;
const body = readFileSync(spec.body);

const server = createServer((req, res) => {
  if (req.url !== spec.path) {
    res.writeHead(404).end();
    return;
  }
  if (req.headers['if-none-match'] === spec.etag) {
    res.writeHead(304, spec.headers304).end();
    return;
  }
  res.writeHead(200, spec.headers200);
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr !== null ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
