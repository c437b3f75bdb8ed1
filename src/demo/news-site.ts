/**
 * The demo news site's HTTP server on 127.0.0.1: the feeds and article pages of
 * demo/site.yaml, plus the files of demo/static (which win over generated ones). Article
 * pages answer in every link form the feeds use (`/a/<code>.html`, any path with an
 * `infoCode` query parameter). The articles of a json list API also have their bodies at
 * Eastmoney's body API path, `/NewsData/GetNewsText.do?id=NW<code>`. Conditional GET by
 * ETag; nothing is fetched from elsewhere.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import iconv from 'iconv-lite';
import { articlesOf, renderArticlePage, renderBodyApi, renderFeed, renderSiteIndex } from './render-site.js';
import type { DemoSite } from './site-model.js';

/** Written in static files where the site's own origin (http://127.0.0.1:PORT) goes. */
export const ORIGIN_PLACEHOLDER = '$NEWS';

/** Where the body API answers, as on Eastmoney. */
export const BODY_API_PATH = '/NewsData/GetNewsText.do';

interface Doc {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface NewsSite {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Feed URLs by feed id. */
  feedUrls: Record<string, string>;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.atom': 'application/atom+xml',
  '.rdf': 'application/rdf+xml',
  '.txt': 'text/plain',
};

// Pages copied from real sites (the seed article) still name third-party CSS and scripts:
// tell the browser not to load any of it.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'";

/**
 * Starts the site on 127.0.0.1:`port` (0 for any free port; a busy preferred port falls
 * back to a free one).
 */
export async function startNewsSite(site: DemoSite, port: number): Promise<NewsSite> {
  const docs = new Map<string, Doc>();
  const articlePages = new Map<string, Doc>();
  const bodies = new Map<string, Doc>();
  const lookup = (url: URL): Doc | undefined => {
    if (url.pathname === BODY_API_PATH) return bodies.get((url.searchParams.get('id') ?? '').replace(/^NW/i, ''));
    const code = articleCode(url);
    return docs.get(url.pathname) ?? (code === undefined ? undefined : articlePages.get(code));
  };
  const server = createServer((req, res) => serve(req, res, lookup));
  server.listen(port, '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (err) {
    if (port === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  }
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  for (const feed of site.feeds) {
    const { text, contentType } = renderFeed(site, feed, origin);
    docs.set(feed.path, doc(text, contentType, feed.charset));
  }
  for (const a of site.articles) articlePages.set(a.code, doc(renderArticlePage(a), 'text/html', a.charset));
  for (const feed of site.feeds.filter((f) => f.format === 'json')) {
    for (const a of articlesOf(site, feed)) bodies.set(a.code, doc(renderBodyApi(a), 'application/json', 'utf-8'));
  }
  docs.set('/', doc(renderSiteIndex(site, origin), 'text/html', 'utf-8'));
  for (const [urlPath, text] of await staticFiles(site.staticDir)) {
    const type = CONTENT_TYPES[path.extname(urlPath)] ?? 'application/octet-stream';
    const d = doc(text.replaceAll(ORIGIN_PLACEHOLDER, origin), type, 'utf-8');
    const code = articleCode(new URL(urlPath, origin));
    if (code) articlePages.set(code, d);
    else docs.set(urlPath, d);
  }

  return {
    origin,
    feedUrls: Object.fromEntries(site.feeds.filter((f) => articlesOf(site, f).length > 0).map((f) => [f.id, origin + f.path])),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function doc(text: string, contentType: string, charset: 'utf-8' | 'gbk'): Doc {
  const body = charset === 'gbk' ? iconv.encode(text, 'gbk') : Buffer.from(text, 'utf8');
  // A GBK document declares its charset itself (XML prolog, <meta>), as such sites do.
  const type = charset === 'gbk' ? contentType : `${contentType}; charset=utf-8`;
  return { body, contentType: type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** The article code of an article URL in any of the demo's link forms. */
function articleCode(url: URL): string | undefined {
  const byPath = /^\/a\/(\d{17,18})\.html$/.exec(url.pathname)?.[1];
  if (byPath) return byPath;
  for (const [name, value] of url.searchParams) {
    if (name.toLowerCase() === 'infocode') return value.replace(/^NW/i, '');
  }
  return undefined;
}

function serve(req: IncomingMessage, res: ServerResponse, lookup: (url: URL) => Doc | undefined): void {
  const d = lookup(new URL(req.url ?? '/', 'http://127.0.0.1'));
  if (!d || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found');
    return;
  }
  const headers = { etag: d.etag, 'cache-control': 'no-cache', 'content-security-policy': CSP };
  if (req.headers['if-none-match'] === d.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': d.contentType, 'content-length': d.body.length });
  res.end(req.method === 'HEAD' ? undefined : d.body);
}

/** Every file under `dir` as [URL path, UTF-8 text]. */
async function staticFiles(dir: string): Promise<Array<[string, string]>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const out: Array<[string, string]> = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    out.push(['/' + path.relative(dir, file).split(path.sep).join('/'), await readFile(file, 'utf8')]);
  }
  return out;
}
