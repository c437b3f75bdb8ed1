import type { FastifyInstance } from 'fastify';
import { isKnownSlug } from '../categories.js';
import type { HttpDeps } from '../deps.js';
import type { DocumentCache } from '../document-cache.js';
import { feedDocName, opmlDocName } from '../../publish/doc-names.js';
import { OUTPUT_FORMATS, formatByExtension } from '../../publish/formats.js';
import { sendError } from '../errors.js';
import { fromRendered, sendRepresentation } from '../send.js';

/** Seconds a client should wait before asking again for a document not rendered yet. */
const RETRY_AFTER_SECONDS = '5';

/** `.xml, .atom or .json`: the extensions of the output formats, for error messages. */
const EXTENSIONS = OUTPUT_FORMATS.map((f) => `.${f.extension}`)
  .join(', ')
  .replace(/, ([^,]+)$/, ' or $1');

/**
 * `/feeds/<slug>.<extension>` of every output format and `/feeds.opml`, served from the
 * documents the publisher rendered, held in memory; serving never renders a feed. The
 * store is read only for a document the cache does not hold (not rendered yet, or not
 * loaded yet), to tell "not rendered" from "unknown".
 */
export function registerFeedRoutes(app: FastifyInstance, deps: HttpDeps, documents: DocumentCache): void {
  const { store } = deps;

  app.get<{ Params: { file: string } }>('/feeds/:file', async (req, reply) => {
    const file = req.params.file;
    const dot = file.lastIndexOf('.');
    const slug = dot > 0 ? file.slice(0, dot) : '';
    const ext = dot > 0 ? file.slice(dot + 1) : '';
    const format = formatByExtension(ext);
    if (format === undefined) {
      return sendError(reply, 'not-found', `no feed at /feeds/${file}: feeds are /feeds/<slug>${EXTENSIONS}`);
    }
    const name = feedDocName(slug, format.id);
    const held = documents.get(name);
    if (held !== undefined) return sendRepresentation(req, reply, held);
    const doc = await store.getRendered(name);
    if (doc !== null) return sendRepresentation(req, reply, fromRendered(doc));
    if (await isKnownSlug(store, slug)) {
      reply.header('retry-after', RETRY_AFTER_SECONDS);
      return sendError(reply, 'not-rendered', `${format.extension} feed of category "${slug}"`);
    }
    return sendError(reply, 'unknown-category', slug);
  });

  app.get('/feeds.opml', async (req, reply) => {
    const held = documents.get(opmlDocName());
    if (held !== undefined) return sendRepresentation(req, reply, held);
    const doc = await store.getRendered(opmlDocName());
    if (doc !== null) return sendRepresentation(req, reply, fromRendered(doc));
    reply.header('retry-after', RETRY_AFTER_SECONDS);
    return sendError(reply, 'not-rendered', 'OPML list');
  });
}
