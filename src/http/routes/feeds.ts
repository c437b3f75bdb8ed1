import type { FastifyInstance } from 'fastify';
import { isKnownSlug } from '../categories.js';
import type { HttpDeps } from '../deps.js';
import { feedDocName, isFeedFormat, opmlDocName } from '../../publish/doc-names.js';
import { sendError } from '../errors.js';
import { fromRendered, sendRepresentation } from '../send.js';

/** Seconds a client should wait before asking again for a document not rendered yet. */
const RETRY_AFTER_SECONDS = '5';

/**
 * `/feeds/<slug>.xml|.atom|.json` and `/feeds.opml`, served from the documents the
 * publisher pre-rendered into the store; serving never renders a feed.
 */
export function registerFeedRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { store } = deps;

  app.get<{ Params: { file: string } }>('/feeds/:file', async (req, reply) => {
    const file = req.params.file;
    const dot = file.lastIndexOf('.');
    const slug = dot > 0 ? file.slice(0, dot) : '';
    const ext = dot > 0 ? file.slice(dot + 1) : '';
    if (!isFeedFormat(ext)) {
      return sendError(reply, 'not-found', `no feed at /feeds/${file}: feeds are /feeds/<slug>.xml, .atom or .json`);
    }
    const doc = await store.getRendered(feedDocName(slug, ext));
    if (doc !== null) return sendRepresentation(req, reply, fromRendered(doc));
    if (await isKnownSlug(store, slug)) {
      reply.header('retry-after', RETRY_AFTER_SECONDS);
      return sendError(reply, 'not-rendered', `${ext} feed of category "${slug}"`);
    }
    return sendError(reply, 'unknown-category', slug);
  });

  app.get('/feeds.opml', async (req, reply) => {
    const doc = await store.getRendered(opmlDocName());
    if (doc !== null) return sendRepresentation(req, reply, fromRendered(doc));
    reply.header('retry-after', RETRY_AFTER_SECONDS);
    return sendError(reply, 'not-rendered', 'OPML list');
  });
}
