import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One article the fixture site publishes. */
export interface FixtureArticle {
  /** Bare 18-digit news code, e.g. 202203302327572513. */
  code: string;
  title: string;
  publisher: string;
  /** Page date as the page writes it, e.g. 2022年03月30日 09:34. */
  pageDate: string;
  /** RFC 822 date for feeds. */
  pubDate: string;
  paragraphs: string[];
  author?: string;
  /** The page's editor line, `（责任编辑：X）`. @defaultValue 'DF537' */
  editor?: string;
  /** Full page HTML instead of the generated layout. */
  html?: string;
}

export interface RequestRecord {
  path: string;
  headers: IncomingMessage['headers'];
  at: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/**
 * A small Eastmoney-like news site on 127.0.0.1 for integration tests: RSS/Atom feeds
 * whose items link to article pages in several link forms, conditional GET on feeds,
 * and misbehaving endpoints. It records every request and the highest number of
 * requests it was serving at once.
 */
export class FixtureSite {
  readonly requests: RequestRecord[] = [];
  maxInFlight = 0;
  /** Artificial latency added to every response, ms. */
  latencyMs = 0;
  private inFlight = 0;
  private server: Server | undefined;
  private readonly routes = new Map<string, Handler>();
  readonly articles = new Map<string, FixtureArticle>();
  origin = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  url(path: string): string {
    return this.origin + path;
  }

  addArticle(article: FixtureArticle): void {
    this.articles.set(article.code, article);
  }

  /** Serves `body` at `path` with an ETag; answers If-None-Match with 304. */
  feed(path: string, body: () => string, contentType = 'application/rss+xml; charset=utf-8'): void {
    this.routes.set(path, (req, res) => {
      const text = body();
      const etag = `"${hash(text)}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': contentType, etag, 'last-modified': new Date(0).toUTCString() });
      res.end(text);
    });
  }

  route(path: string, handler: Handler): void {
    this.routes.set(path, handler);
  }

  /** Requests whose path (with query) starts with `prefix`. */
  hits(prefix: string): RequestRecord[] {
    return this.requests.filter((r) => r.path.startsWith(prefix));
  }

  /** Article page requests for one code, in any link form. */
  articleHits(code: string): RequestRecord[] {
    return this.requests.filter((r) => this.articleCodeOf(new URL(r.path, this.origin)) === code);
  }

  private articleCodeOf(url: URL): string | undefined {
    const path = /^\/a\/(\d{17,18})\.html$/.exec(url.pathname);
    if (path?.[1]) return path[1];
    for (const [name, value] of url.searchParams) {
      if (name.toLowerCase() === 'infocode') return value.replace(/^NW/i, '');
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    this.requests.push({ path: url.pathname + url.search, headers: req.headers, at: Date.now() });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const route = this.routes.get(url.pathname);
    if (route) return route(req, res, url);
    const code = this.articleCodeOf(url);
    const article = code ? this.articles.get(code) : undefined;
    if (article) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(article.html ?? articlePage(article));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
}

/** An Eastmoney-style article page around the article's paragraphs. */
export function articlePage(a: FixtureArticle): string {
  const body = a.paragraphs.map((p) => `<p>&#12288;&#12288;${p}</p>`).join('\n');
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${a.title}_东方财富网</title></head>
<body><div class="header"><a href="/">首页</a> <a href="/finance">财经</a></div>
<div class="newsContent"><h1>${a.title}</h1>
<div class="infos"><div class="item">${a.pageDate}</div><div class="item">来源：${a.publisher}</div></div>
<div id="ContentBody" class="txtinfos">
${body}
${a.author ? `<p>(${a.author})</p>` : ''}
<p class="em_media">（文章来源：${a.publisher}）</p>
<p class="res-edit">（责任编辑：${a.editor ?? 'DF537'}）</p>
</div></div>
<script>window.ad = 1;</script>
<div class="footer">东方财富网版权所有</div></body></html>`;
}

/** An RSS 2.0 feed of the given items; `link` maps an article to the link form this feed uses. */
export function rssFeed(site: FixtureSite, title: string, items: FixtureArticle[], link: (a: FixtureArticle) => string): string {
  const entries = items
    .map(
      (a) => `<item><title>${a.title}</title><link>${escapeXml(link(a))}</link><guid isPermaLink="false">${escapeXml(link(a))}</guid>
<pubDate>${a.pubDate}</pubDate><description>${escapeXml(a.paragraphs[0] ?? '')}</description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>${title}</title><link>${site.origin}/</link><description>${title}</description>
${entries}
</channel></rss>`;
}

/** An Atom 1.0 feed of the given items. */
export function atomFeed(site: FixtureSite, title: string, items: FixtureArticle[], link: (a: FixtureArticle) => string): string {
  const entries = items
    .map(
      (a) => `<entry><title>${a.title}</title><link rel="alternate" href="${escapeXml(link(a))}"/><id>${escapeXml(link(a))}</id>
<updated>${new Date(a.pubDate).toISOString()}</updated><summary>${escapeXml(a.paragraphs[0] ?? '')}</summary></entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>${title}</title><id>${site.origin}/atom</id><updated>2022-03-30T02:00:00Z</updated>
${entries}
</feed>`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function hash(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return (h >>> 0).toString(16);
}
