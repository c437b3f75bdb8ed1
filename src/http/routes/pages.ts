import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ALL_SLUG, type Config } from '../../domain.js';
import { categoryPageDocName, homePageDocName } from '../../publish/doc-names.js';
import { CONTENT_TYPES, feedUrls } from '../../publish/formats.js';
import { html } from '../../publish/render-html.js';
import { strongEtag } from '../../publish/rendered.js';
import { categoryPageText, homePageText, knownCategory, type PageText } from '../../pipeline/publish-pages.js';
import type { HttpDeps } from '../deps.js';
import type { DocumentCache } from '../document-cache.js';
import { PUBLIC_CACHE_CONTROL, sendRepresentation } from '../send.js';
import { listStoryItems } from '../../pipeline/story-listing.js';

function sendPage(req: FastifyRequest, reply: FastifyReply, page: PageText): FastifyReply {
  const body = Buffer.from(page.text, 'utf8');
  return sendRepresentation(req, reply, {
    contentType: CONTENT_TYPES.html,
    body,
    etag: strongEtag(body),
    ...(page.lastModified === undefined ? {} : { lastModified: page.lastModified }),
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

/**
 * HTML pages (`/`, `/category/<slug>.html`), served from the pages the publisher rendered,
 * held in memory. A page not published yet (a store written by an older finews, a
 * category whose first publish is pending) is built from the store for that request.
 */
export function registerPageRoutes(app: FastifyInstance, deps: HttpDeps, documents: DocumentCache): void {
  const { store } = deps;

  app.get('/', async (req, reply) => {
    const held = documents.get(homePageDocName());
    if (held !== undefined) return sendRepresentation(req, reply, held);
    const config = deps.config();
    const [categories, stream, states] = await Promise.all([
      store.listCategories(),
      listStoryItems(store, config, { limit: config.site.itemsPerFeed }),
      store.listSourceStates(),
    ]);
    return sendPage(req, reply, homePageText(config, new Date(), categories, stream.items, states));
  });

  app.get<{ Params: { file: string } }>('/category/:file', async (req, reply) => {
    const config = deps.config();
    const file = req.params.file;
    const slug = file.endsWith('.html') ? file.slice(0, -'.html'.length) : '';
    if (slug !== '') {
      const held = documents.get(categoryPageDocName(slug));
      if (held !== undefined) return sendRepresentation(req, reply, held);
    }
    const known = slug === '' ? undefined : knownCategory(await store.listCategories(), slug);
    if (slug === '' || known === undefined) {
      const text = notFoundPage(config, slug === '' ? `没有页面 /category/${file}` : `没有分类“${slug}”。`);
      return reply.code(404).type(CONTENT_TYPES.html).send(Buffer.from(text, 'utf8'));
    }
    const page = await listStoryItems(store, config, { category: slug === ALL_SLUG ? undefined : slug, limit: config.site.itemsPerFeed });
    return sendPage(req, reply, categoryPageText(config, new Date(), slug, known, page.items));
  });
}
