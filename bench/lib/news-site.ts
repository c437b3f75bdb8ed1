/**
 * A generated news site on 127.0.0.1 for the whole-process benchmarks: `feeds` RSS 2.0
 * feeds of `perFeed` distinct items each (every item carries its body in
 * `content:encoded`, so ingest can run without page fetches) and an article page per
 * item, optionally `pageLatencyMs` away. Feeds answer in one of two ways, switched
 * between passes: with an ETag and 304 on `If-None-Match`, or with the same 200 bytes
 * and no validators (the re-poll a conditional GET cannot save).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { intBetween, seededRandom } from './rng.js';
import { PUBLISHERS, headline, newsCodeAt, paragraph, rfc822Shanghai } from './zh-text.js';

export interface NewsSiteSpec {
  feeds: number;
  perFeed: number;
  /** Delay before each article page is answered, ms. @defaultValue 0 */
  pageLatencyMs?: number;
  /** @defaultValue 20221202 */
  seed?: number;
}

/** `etag`: 200 with an ETag, 304 when it matches; `plain`: the same 200 bytes, no validators. */
export type FeedMode = 'etag' | 'plain';

interface SiteArticle {
  code: string;
  title: string;
  publisher: string;
  pubDate: string;
  paragraphs: string[];
}

const NEWEST_MS = Date.parse('2022-03-30T18:00:00+08:00');

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The running site; `stop()` closes it. */
export class NewsSite {
  origin = '';
  mode: FeedMode = 'etag';
  /** Feed requests by status answered, and article pages served, since the last reset. */
  readonly counts = { feed200: 0, feed304: 0, pages: 0, maxPagesInFlight: 0 };
  private pagesInFlight = 0;
  /** performance.now() of the first and last article page answered since the last reset. */
  firstPageAt: number | undefined;
  lastPageAt: number | undefined;
  private server: Server | undefined;
  private readonly feedBodies = new Map<string, { body: Buffer; etag: string }>();
  private readonly articles = new Map<string, SiteArticle>();
  private readonly pageLatencyMs: number;

  constructor(private readonly spec: NewsSiteSpec) {
    this.pageLatencyMs = spec.pageLatencyMs ?? 0;
  }

  /** Total distinct items over all feeds. */
  get items(): number {
    return this.spec.feeds * this.spec.perFeed;
  }

  /** `/rss/feed-NN.xml` URLs, one per feed. */
  feedUrls(): string[] {
    return Array.from({ length: this.spec.feeds }, (_, f) => `${this.origin}${feedPath(f)}`);
  }

  resetCounts(): void {
    this.counts.feed200 = 0;
    this.counts.feed304 = 0;
    this.counts.pages = 0;
    this.counts.maxPagesInFlight = 0;
    this.firstPageAt = undefined;
    this.lastPageAt = undefined;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const feed = this.feedBodies.get(path);
      if (feed !== undefined) {
        if (this.mode === 'etag' && req.headers['if-none-match'] === feed.etag) {
          this.counts.feed304++;
          res.writeHead(304, { etag: feed.etag }).end();
          return;
        }
        this.counts.feed200++;
        res.writeHead(200, {
          'content-type': 'application/rss+xml; charset=utf-8',
          'content-length': feed.body.length,
          ...(this.mode === 'etag' ? { etag: feed.etag } : {}),
        });
        res.end(feed.body);
        return;
      }
      const code = /^\/a\/(\d{18})\.html$/.exec(path)?.[1];
      const article = code === undefined ? undefined : this.articles.get(code);
      if (article === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      this.pagesInFlight++;
      this.counts.maxPagesInFlight = Math.max(this.counts.maxPagesInFlight, this.pagesInFlight);
      const answer = (): void => {
        this.pagesInFlight--;
        const now = performance.now();
        this.firstPageAt ??= now;
        this.lastPageAt = now;
        this.counts.pages++;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(articlePage(article));
      };
      if (this.pageLatencyMs > 0) setTimeout(answer, this.pageLatencyMs);
      else answer();
    });
    // Longer than any client's event loop may be held, so an idle socket is never closed under a request.
    this.server.keepAliveTimeout = 300_000;
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.generate();
    return this;
  }

  async stop(): Promise<void> {
    if (this.server === undefined) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private generate(): void {
    const rand = seededRandom(this.spec.seed ?? 20221202);
    let ms = NEWEST_MS;
    let n = 0;
    for (let f = 0; f < this.spec.feeds; f++) {
      const entries: string[] = [];
      for (let i = 0; i < this.spec.perFeed; i++) {
        ms -= intBetween(rand, 1, 20) * 1000;
        const a: SiteArticle = {
          code: newsCodeAt(ms, n),
          title: `${headline(rand)}（${n + 1}）`,
          publisher: PUBLISHERS[n % PUBLISHERS.length] ?? '新华社',
          pubDate: rfc822Shanghai(ms),
          paragraphs: Array.from({ length: intBetween(rand, 4, 10) }, () => paragraph(rand, 2, 4)),
        };
        n++;
        this.articles.set(a.code, a);
        const link = `${this.origin}/a/${a.code}.html`;
        const content = [...a.paragraphs.map((p) => `<p>\u3000\u3000${p}</p>`), `<p class="em_media">（文章来源：${a.publisher}）</p>`].join('');
        entries.push(
          `<item><title>${esc(a.title)}</title><link>${link}</link><guid isPermaLink="false">${link}</guid>` +
            `<dc:creator>${a.publisher}</dc:creator><pubDate>${a.pubDate}</pubDate>` +
            `<description><![CDATA[${a.paragraphs[0] ?? ''}]]></description><content:encoded><![CDATA[${content}]]></content:encoded></item>`,
        );
      }
      const xml =
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">' +
        `<channel><title>财经频道 ${f + 1}</title><link>${this.origin}/</link><description>财经频道</description>\n${entries.join('\n')}\n</channel></rss>\n`;
      this.feedBodies.set(feedPath(f), { body: Buffer.from(xml, 'utf8'), etag: `"feed-${f}-v1"` });
    }
  }
}

function feedPath(f: number): string {
  return `/rss/feed-${String(f + 1).padStart(3, '0')}.xml`;
}

function articlePage(a: SiteArticle): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(a.title)}_东方财富网</title></head><body>
<div class="newsContent"><h1>${esc(a.title)}</h1><div class="infos"><div class="item">来源：${a.publisher}</div></div>
<div id="ContentBody" class="txtinfos">${a.paragraphs.map((p) => `<p>&#12288;&#12288;${p}</p>`).join('\n')}
<p class="em_media">（文章来源：${a.publisher}）</p></div></div></body></html>`;
}
