import type { FastifyInstance } from 'fastify';
import { apiCategoriesDocName } from '../../publish/doc-names.js';
import { itemJson } from '../../publish/item-json.js';
import { isInvalidCursorError } from '../../store/cursor.js';
import type { ItemQuery } from '../../store/store.js';
import { ALL_SLUG } from '../../domain.js';
import { isKnownSlug } from '../categories.js';
import type { HttpDeps } from '../deps.js';
import type { DocumentCache } from '../document-cache.js';
import { sendError } from '../errors.js';
import { sendJson, sendRepresentation } from '../send.js';
import { categoriesJsonText } from '../../pipeline/publish-pages.js';
import { sourcesDocument } from '../../pipeline/source-status.js';
import { listStoryItems, type StoryItemPage } from '../../pipeline/story-listing.js';

/** Items per `/api/items` page when `limit` is not given. */
export const DEFAULT_ITEMS_LIMIT = 50;
/** Largest `limit` `/api/items` accepts. */
export const MAX_ITEMS_LIMIT = 200;


interface ItemsQuery {
  category?: string | string[];
  limit?: string | string[];
  before?: string | string[];
  stories?: string | string[];
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Parses `limit`: an integer 1…200, default 50; null when invalid. */
export function parseLimit(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return DEFAULT_ITEMS_LIMIT;
  if (!/^\d{1,4}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= MAX_ITEMS_LIMIT ? n : null;
}

/**
 * One page of items, each story once unless `stories` is false (INTERFACE §3a), or null
 * when the store rejects `before` as a cursor it did not make.
 */
async function listItemsOrBadCursor(deps: HttpDeps, query: ItemQuery & { stories: boolean }): Promise<StoryItemPage | null> {
  try {
    return await listStoryItems(deps.store, deps.config(), query);
  } catch (err) {
    if (isInvalidCursorError(err)) return null;
    throw err;
  }
}

/** `/api/items`, `/api/categories` (published, held in memory) and `/api/sources`. */
export function registerApiRoutes(app: FastifyInstance, deps: HttpDeps, documents: DocumentCache): void {
  const { store } = deps;

  app.get<{ Querystring: ItemsQuery }>('/api/items', async (req, reply) => {
    const categoryRaw = single(req.query.category);
    const limit = parseLimit(single(req.query.limit));
    const beforeRaw = single(req.query.before);
    if (limit === null) {
      return sendError(reply, 'bad-limit', MAX_ITEMS_LIMIT);
    }
    const category = categoryRaw === undefined || categoryRaw === '' || categoryRaw === ALL_SLUG ? undefined : categoryRaw;
    if (category !== undefined && !(await isKnownSlug(store, category))) {
      return sendError(reply, 'unknown-category', category);
    }
    const before = beforeRaw === undefined || beforeRaw === '' ? null : beforeRaw;
    // Only `stories=false` turns grouping off; anything else keeps the default.
    const stories = single(req.query.stories) !== 'false';
    const page = await listItemsOrBadCursor(deps, { category, limit, before, stories });
    if (page === null) {
      return sendError(reply, 'bad-cursor');
    }
    const body = { items: page.items.map((item) => itemJson(item)), next: page.next };
    return sendJson(req, reply, body);
  });

  app.get('/api/categories', async (req, reply) => {
    const held = documents.get(apiCategoriesDocName());
    if (held !== undefined) return sendRepresentation(req, reply, held);
    return sendRepresentation(req, reply, {
      contentType: 'application/json; charset=utf-8',
      body: Buffer.from(categoriesJsonText(deps.config(), await store.listCategories()), 'utf8'),
    });
  });

  app.get('/api/sources', async (req, reply) => {
    return sendJson(req, reply, await sourcesDocument(deps.config(), store));
  });
}
