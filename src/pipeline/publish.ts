import { setImmediate as nextTurn } from 'node:timers/promises';
import { ALL_SLUG } from '../domain.js';
import { buildCategoryTitles, type CategoryView, type RenderContext } from '../publish/context.js';
import { feedDocName, opmlDocName } from '../publish/doc-names.js';
import { CONTENT_TYPES, OUTPUT_FORMATS } from '../publish/formats.js';
import { renderOpml } from '../publish/render-opml.js';
import { encodeRendered, renderedBody } from '../publish/rendered.js';
import type { Store } from '../store/store.js';
import type { PipelineDeps } from './ports.js';
import { listStoryItems, type StoryListingStore } from './story-listing.js';

/** The part of the store publishing uses: listings to render, rendered documents to keep. */
export type PublishStore = Pick<Store, 'listCategories' | 'listItems' | 'getRendered' | 'putRendered' | 'deleteRendered'> & StoryListingStore;

/** What publishing touches: config, those store methods, metrics, the clock and readiness. */
export type PublishDeps = Pick<PipelineDeps, 'config' | 'metrics' | 'now' | 'health'> & { store: PublishStore };

/**
 * Re-renders the feeds of the given categories (`all` is one of them when asked for;
 * the store reports it among the changed categories of every save) and keeps them in
 * the store as ready bytes (identity, gzip, br with validators). The OPML list goes
 * with `all`, which changes whenever any category does. Serving never renders.
 * A failure is reported to `deps.health` (not ready) until a later publish succeeds.
 */
export async function publishCategories(deps: PublishDeps, slugs: string[]): Promise<void> {
  try {
    await renderCategories(deps, slugs);
  } catch (err) {
    deps.health?.failed('publish', err);
    throw err;
  }
  deps.health?.succeeded('publish');
}

async function renderCategories(deps: PublishDeps, slugs: string[]): Promise<void> {
  const config = deps.config();
  const categories = await deps.store.listCategories();
  const titles = buildCategoryTitles(config, categories);
  const ctx: RenderContext = { site: config.site, generatedAt: deps.now(), categoryTitles: titles };
  const wanted = new Set(slugs);

  for (const slug of wanted) {
    const timer = deps.metrics.publishDuration.startTimer({ slug });
    const { items } = await listStoryItems(deps.store, config, { category: slug, limit: config.site.itemsPerFeed });
    if (items.length === 0 && slug !== ALL_SLUG) {
      // A category whose items were all pruned is unknown again: 404, never an empty feed.
      for (const format of OUTPUT_FORMATS) await deleteIfPresent(deps, feedDocName(slug, format.id));
      timer();
      continue;
    }
    const cat: CategoryView = { slug, title: titles(slug) };
    for (const format of OUTPUT_FORMATS) {
      // Rendering is synchronous: one document at a time, with requests served in between.
      await nextTurn();
      await putIfChanged(deps, feedDocName(slug, format.id), format.render(ctx, cat, items), format.contentType);
    }
    timer();
  }
  if (!wanted.has(ALL_SLUG)) return;
  const views = categories.map((c) => ({ slug: c.slug, title: titles(c.slug) }));
  await putIfChanged(deps, opmlDocName(), renderOpml(ctx, views), CONTENT_TYPES.opml);
}

/** Publishes every category that holds items, and `all`. */
export async function publishAll(deps: PublishDeps): Promise<void> {
  const categories = await deps.store.listCategories();
  await publishCategories(deps, [ALL_SLUG, ...categories.map((c) => c.slug)]);
}

/**
 * Stores a rendered document unless its bytes are unchanged, so Last-Modified and ETag
 * stay put. The ETag (a hash of the uncompressed body) is compared before anything is
 * compressed: an unchanged document costs one render, one hash and one read.
 */
async function putIfChanged(deps: PublishDeps, name: string, text: string, contentType: string): Promise<void> {
  const rendered = renderedBody(text);
  const previous = await deps.store.getRendered(name);
  if (previous?.etag === rendered.etag) return;
  await deps.store.putRendered(name, await encodeRendered(rendered, contentType, deps.now()));
}

/** Forgets a rendered document, writing nothing when there is none. */
async function deleteIfPresent(deps: PublishDeps, name: string): Promise<void> {
  if ((await deps.store.getRendered(name)) !== null) await deps.store.deleteRendered(name);
}
