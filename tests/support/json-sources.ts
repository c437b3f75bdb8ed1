import { load } from 'cheerio';
import type { FixtureArticle, FixtureSite } from './fixture-site.js';
import { articlePage } from './fixture-site.js';

/** The `#ContentBody` HTML of an article's page, as Eastmoney's body API sends it. */
export function contentBodyOf(a: FixtureArticle): string {
  return load(a.html ?? articlePage(a))('#ContentBody').html() ?? '';
}

/** `2022-03-30 09:34:12` in Asia/Shanghai, from an article's RFC 822 feed date. */
export function showTime(a: FixtureArticle): string {
  const d = new Date(new Date(a.pubDate).getTime() + 8 * 3600_000);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** A getNewsByColumns-shaped record of an article. */
export function columnsRecord(site: FixtureSite, a: FixtureArticle): Record<string, string> {
  return { code: a.code, showTime: showTime(a), title: a.title, mediaName: a.publisher, summary: a.paragraphs[0] ?? '', uniqueUrl: site.url(`/a/${a.code}.html`) };
}

/**
 * Serves Eastmoney's body API at /NewsData/GetNewsText.do?id=NW…: `{content}` for the
 * articles in `bodies`, `{content: ""}` for those in `empty`, 404 for the rest.
 */
export function bodyApi(site: FixtureSite, bodies: FixtureArticle[], empty: FixtureArticle[] = []): void {
  site.route('/NewsData/GetNewsText.do', (_req, res, url) => {
    const id = (url.searchParams.get('id') ?? '').replace(/^NW/, '');
    const found = bodies.find((a) => a.code === id);
    if (found === undefined && !empty.some((a) => a.code === id)) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>not found</html>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ content: found === undefined ? '' : contentBodyOf(found) }));
  });
}

/**
 * Two list APIs that answer but cannot be read: `/api/wrong` has no list where the
 * mapping looks (`items-not-found`), `/api/html` is a maintenance page (`not-json`).
 */
export function unreadableApis(site: FixtureSite): void {
  site.route('/api/wrong', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { items: [], page_index: 1 } }));
  });
  site.route('/api/html', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html><body>系统维护中</body></html>');
  });
}
