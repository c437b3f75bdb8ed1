import { ALL_SLUG } from '../domain.js';
import { FEED_FORMATS, feedDocName, opmlDocName } from '../publish/doc-names.js';
import { buildCategoryTitles, type CategoryView, type RenderContext } from '../publish/context.js';
import { renderAtom, renderJsonFeed, renderRss } from '../publish/render-feeds.js';
import { renderOpml } from '../publish/render-opml.js';
import { CONTENT_TYPES, toRenderedDoc } from '../publish/rendered.js';
import type { PipelineDeps } from './ports.js';

/**
 * Re-renders the feeds of the given categories (`all` is one of them when asked for;
 * the store reports it among the changed categories of every save) and keeps them in
 * the store as ready bytes (identity, gzip, br with validators). The OPML list goes
 * with `all`, which changes whenever any category does. Serving never renders.
 * A failure is reported to `deps.health` (not ready) until a later publish succeeds.
 */
export async function publishCategories(deps: PipelineDeps, slugs: string[]): Promise<void> {
  try {
    await renderCategories(deps, slugs);
  } catch (err) {
    deps.health?.failed('publish', err);
    throw err;
  }
  deps.health?.succeeded('publish');
}

async function renderCategories(deps: PipelineDeps, slugs: string[]): Promise<void> {
  const config = deps.config();
  const categories = await deps.store.listCategories();
  const titles = buildCategoryTitles(config, categories);
  const ctx: RenderContext = { site: config.site, generatedAt: deps.now(), categoryTitles: titles };
  const wanted = new Set(slugs);

  for (const slug of wanted) {
    const timer = deps.metrics.publishDuration.startTimer({ slug });
    const { items } = await deps.store.listItems({ category: slug, limit: config.site.itemsPerFeed });
    if (items.length === 0 && slug !== ALL_SLUG) {
      // A category whose items were all pruned is unknown again: 404, never an empty feed.
      for (const format of FEED_FORMATS) await deps.store.deleteRendered(feedDocName(slug, format));
      timer();
      continue;
    }
    const cat: CategoryView = { slug, title: titles(slug) };
    await putIfChanged(deps, feedDocName(slug, 'xml'), renderRss(ctx, cat, items), CONTENT_TYPES.rss);
    await putIfChanged(deps, feedDocName(slug, 'atom'), renderAtom(ctx, cat, items), CONTENT_TYPES.atom);
    await putIfChanged(deps, feedDocName(slug, 'json'), renderJsonFeed(ctx, cat, items), CONTENT_TYPES.json);
    timer();
  }
  if (!wanted.has(ALL_SLUG)) return;
  const views = categories.map((c) => ({ slug: c.slug, title: titles(c.slug) }));
  await putIfChanged(deps, opmlDocName(), renderOpml(ctx, views), CONTENT_TYPES.opml);
}

/** Publishes every category that holds items, and `all`. */
export async function publishAll(deps: PipelineDeps): Promise<void> {
  const categories = await deps.store.listCategories();
  await publishCategories(deps, [ALL_SLUG, ...categories.map((c) => c.slug)]);
}

/** Stores a rendered document unless its bytes are unchanged, so Last-Modified and ETag stay put. */
async function putIfChanged(deps: PipelineDeps, name: string, text: string, contentType: string): Promise<void> {
  const doc = toRenderedDoc(text, contentType, deps.now());
  const previous = await deps.store.getRendered(name);
  if (previous?.etag === doc.etag) return;
  await deps.store.putRendered(name, doc);
}
