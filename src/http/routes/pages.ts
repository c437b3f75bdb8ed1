import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ALL_SLUG, type Config, type Item } from '../../domain.js';
import { buildCategoryTitles, categoryView, type RenderContext } from '../../publish/context.js';
import { CONTENT_TYPES, feedUrls } from '../../publish/formats.js';
import { html, renderCategoryPage, renderHomePage, type HomeCategory } from '../../publish/render-html.js';
import { strongEtag } from '../../publish/rendered.js';
import type { CategoryInfo } from '../../store/store.js';
import type { HttpDeps } from '../deps.js';
import { PUBLIC_CACHE_CONTROL, sendRepresentation } from '../send.js';
import { sourceRows } from '../../pipeline/source-status.js';
import { listStoryItems } from '../../pipeline/story-listing.js';

/** Most items first, then by slug: the home page's navigation. */
function byCount(a: CategoryInfo, b: CategoryInfo): number {
  return b.count - a.count || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
}

/**
 * Last-Modified of a page built from `items` (and, for the home page, source fetch
 * times): the newest time any of it entered or changed, never in the future.
 */
function lastModifiedOf(times: Iterable<string | null | undefined>, now: number): string | undefined {
  let newest = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    if (t === null || t === undefined) continue;
    const ms = Date.parse(t);
    if (Number.isFinite(ms) && ms > newest) newest = ms;
  }
  if (!Number.isFinite(newest)) return undefined;
  return new Date(Math.min(newest, now)).toUTCString();
}

function itemTimes(items: readonly Item[]): string[] {
  return items.flatMap((i) => [i.storedAt, i.publishedAt]);
}

function sendPage(req: FastifyRequest, reply: FastifyReply, text: string, lastModified: string | undefined): FastifyReply {
  const body = Buffer.from(text, 'utf8');
  return sendRepresentation(req, reply, {
    contentType: CONTENT_TYPES.html,
    body,
    etag: strongEtag(body),
    ...(lastModified === undefined ? {} : { lastModified }),
    cacheControl: PUBLIC_CACHE_CONTROL,
  });
}

function notFoundPage(config: Config, message: string): string {
  return errorPage(config, 404, message);
}

const HEADINGS: Record<number, string> = { 400: '400 请求无效', 404: '404 未找到', 405: '405 方法不允许', 500: '500 服务器错误', 503: '503 暂不可用' };

/** The site's HTML error page (page paths answer errors in HTML, everything else in JSON). */
export function errorPage(config: Config, status: number, message: string): string {
  const home = feedUrls(config.site, ALL_SLUG).html;
  const heading = HEADINGS[status] ?? `${status} 错误`;
  return html`<!doctype html>
<html lang="${config.site.language}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${status === 404 ? '未找到' : '错误'} - ${config.site.title}</title></head>
<body>
<h1>${heading}</h1>
<p>${message}</p>
<p><a href="${home}">返回首页</a></p>
</body>
</html>
`.value;
}

/** HTML pages rendered on request from the store (`/`, `/category/<slug>.html`). */
export function registerPageRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { store } = deps;

  app.get('/', async (req, reply) => {
    const config = deps.config();
    const now = Date.now();
    const ctx: RenderContext = { site: config.site, generatedAt: new Date(now) };
    const [categories, stream, states] = await Promise.all([
      store.listCategories(),
      listStoryItems(store, config, { limit: config.site.itemsPerFeed }),
      store.listSourceStates(),
    ]);
    const titles = buildCategoryTitles(config, categories);
    ctx.categoryTitles = titles;
    const nav: HomeCategory[] = categories.sort(byCount).map((c) => ({
      cat: categoryView(c.slug, titles),
      count: c.count,
      publisher: c.publisher !== undefined,
    }));
    const rows = sourceRows(config, states);
    const text = renderHomePage(ctx, { items: stream.items, categories: nav }, rows);
    const times = [...itemTimes(stream.items), ...rows.map((r) => r.lastFetchAt)];
    return sendPage(req, reply, text, lastModifiedOf(times, now));
  });

  app.get<{ Params: { file: string } }>('/category/:file', async (req, reply) => {
    const config = deps.config();
    const file = req.params.file;
    const slug = file.endsWith('.html') ? file.slice(0, -'.html'.length) : '';
    const known = slug === ALL_SLUG ? null : (await store.listCategories()).find((c) => c.slug === slug);
    if (slug === '' || known === undefined) {
      const text = notFoundPage(config, slug === '' ? `没有页面 /category/${file}` : `没有分类“${slug}”。`);
      return reply.code(404).type(CONTENT_TYPES.html).send(Buffer.from(text, 'utf8'));
    }
    const now = Date.now();
    const page = await listStoryItems(store, config, { category: slug === ALL_SLUG ? undefined : slug, limit: config.site.itemsPerFeed });
    const titles = buildCategoryTitles(config, known ? [known] : []);
    const ctx: RenderContext = { site: config.site, generatedAt: new Date(now), categoryTitles: titles };
    const opts = known === null ? {} : { count: known.count };
    const text = renderCategoryPage(ctx, categoryView(slug, titles), page.items, opts);
    return sendPage(req, reply, text, lastModifiedOf([...itemTimes(page.items), known?.updated], now));
  });

}
