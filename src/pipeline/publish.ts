import { setImmediate as nextTurn } from 'node:timers/promises';
import { ALL_SLUG, type Item } from '../domain.js';
import { buildCategoryTitles, type CategoryView, type RenderContext } from '../publish/context.js';
import { apiCategoriesDocName, categoryPageDocName, feedDocName, homePageDocName, opmlDocName } from '../publish/doc-names.js';
import { CONTENT_TYPES, OUTPUT_FORMATS } from '../publish/formats.js';
import { renderOpml } from '../publish/render-opml.js';
import { encodeRenderedWith, renderedBody } from '../publish/rendered.js';
import { validDate } from '../publish/item-date.js';
import type { Store } from '../store/store.js';
import type { PipelineDeps } from './ports.js';
import { categoriesJsonText, categoryPageText, homePageText, knownCategory, type PageText } from './publish-pages.js';
import { listStoryItems, type StoryListingStore } from './story-listing.js';

/** The part of the store publishing uses: listings to render, rendered documents to keep. */
export type PublishStore = Pick<
  Store,
  'listCategories' | 'listItems' | 'listSourceStates' | 'renderedEtags' | 'putRendered' | 'deleteRendered'
> &
  StoryListingStore;

/**
 * A publish target that is not a category: the home page alone, for its sources table,
 * which changes with every poll (fetch times, errors) whether or not any item did. Asked
 * for after each refresh, and coalesced like any publish request.
 */
export const SOURCES_STATUS = ':sources';

/** True for the outcome of a refresh that wrote its source's state (anything but a skip). */
export function wroteSourceState(outcome: { status: string }): boolean {
  return outcome.status !== 'skipped';
}

/** What publishing touches: config, those store methods, metrics, the clock, readiness and served documents. */
export type PublishDeps = Pick<PipelineDeps, 'config' | 'metrics' | 'now' | 'health' | 'documents'> & { store: PublishStore };

/**
 * Re-renders the feeds and the HTML page of the given categories (`all` is one of them
 * when asked for; the store reports it among the changed categories of every save) and
 * keeps them in the store as ready bytes (identity, gzip, br with validators). The home
 * page, the OPML list and `/api/categories` go with `all`, which changes whenever any
 * category does. Each document stored is handed to `deps.documents` too, so a server in
 * this process answers with it at once. Serving never renders what was published.
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
  const [categories, etags] = await Promise.all([deps.store.listCategories(), deps.store.renderedEtags()]);
  const titles = buildCategoryTitles(config, categories);
  const now = deps.now();
  const ctx: RenderContext = { site: config.site, generatedAt: now, categoryTitles: titles };
  const keep = new Keeper(deps, etags);
  const published = validDate(now).toUTCString();
  const wanted = new Set(slugs);
  const statusOnly = wanted.delete(SOURCES_STATUS) && !wanted.has(ALL_SLUG);
  let stream: Item[] = [];

  for (const slug of wanted) {
    const timer = deps.metrics.publishDuration.startTimer({ slug });
    const { items } = await listStoryItems(deps.store, config, { category: slug, limit: config.site.itemsPerFeed });
    const known = knownCategory(categories, slug);
    if (slug === ALL_SLUG) stream = items;
    if (known === undefined || (known !== null && items.length === 0)) {
      // A category whose items were all pruned is unknown again: 404, never an empty feed.
      for (const format of OUTPUT_FORMATS) await keep.forget(feedDocName(slug, format.id));
      await keep.forget(categoryPageDocName(slug));
      timer();
      continue;
    }
    const cat: CategoryView = { slug, title: titles(slug) };
    for (const format of OUTPUT_FORMATS) {
      // Rendering is synchronous: one document at a time, with requests served in between.
      await nextTurn();
      await keep.put(feedDocName(slug, format.id), format.render(ctx, cat, items), format.contentType, published);
    }
    await nextTurn();
    await keep.putPage(categoryPageDocName(slug), categoryPageText(config, now, slug, known, items));
    timer();
  }
  if (statusOnly) {
    const [{ items }, states] = await Promise.all([listStoryItems(deps.store, config, { category: ALL_SLUG, limit: config.site.itemsPerFeed }), deps.store.listSourceStates()]);
    await keep.putPage(homePageDocName(), homePageText(config, now, categories, items, states));
  }
  if (!wanted.has(ALL_SLUG)) return;
  const views = categories.map((c) => ({ slug: c.slug, title: titles(c.slug) }));
  await keep.put(opmlDocName(), renderOpml(ctx, views), CONTENT_TYPES.opml, published);
  // As a computed response always was: no Last-Modified.
  await keep.put(apiCategoriesDocName(), categoriesJsonText(config, categories), API_JSON, '');
  const states = await deps.store.listSourceStates();
  await nextTurn();
  await keep.putPage(homePageDocName(), homePageText(config, now, categories, stream, states));
}

const API_JSON = 'application/json; charset=utf-8';

/** Every category that holds items, and `all`: what {@link publishAll} renders. */
export async function everyCategory(deps: Pick<PublishDeps, 'store'>): Promise<string[]> {
  return [ALL_SLUG, ...(await deps.store.listCategories()).map((c) => c.slug)];
}

/** Publishes every category that holds items, and `all`. */
export async function publishAll(deps: PublishDeps): Promise<void> {
  await publishCategories(deps, await everyCategory(deps));
}

/**
 * Stores rendered documents whose bytes changed, so Last-Modified and ETag stay put
 * otherwise. The ETag (a hash of the uncompressed body) is compared with the stored
 * ETags, read once per run, before anything is compressed: an unchanged document costs
 * one render and one hash.
 */
class Keeper {
  constructor(
    private readonly deps: PublishDeps,
    private readonly etags: Map<string, string>,
  ) {}

  /** Stores `text` under `name` unless its bytes are unchanged. */
  async put(name: string, text: string, contentType: string, lastModified: string): Promise<void> {
    const rendered = renderedBody(text);
    if (this.etags.get(name) === rendered.etag) return;
    const doc = await encodeRenderedWith(rendered, contentType, lastModified);
    await this.deps.store.putRendered(name, doc);
    this.etags.set(name, rendered.etag);
    this.deps.documents?.set(name, doc);
  }

  /** Stores an HTML page, dated by what it shows (undated when nothing on it is). */
  async putPage(name: string, page: PageText): Promise<void> {
    await this.put(name, page.text, CONTENT_TYPES.html, page.lastModified ?? '');
  }

  /** Forgets a rendered document, writing nothing when there is none. */
  async forget(name: string): Promise<void> {
    if (!this.etags.has(name)) return;
    await this.deps.store.deleteRendered(name);
    this.etags.delete(name);
    this.deps.documents?.delete(name);
  }
}
