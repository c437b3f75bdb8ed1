import type { Config } from '../domain.js';
import { buildCategoryTitles, type CategoryTitles } from '../publish/context.js';
import type { CategoryInfo, Store } from '../store/store.js';

/**
 * Titles for every stored category: a publisher's category is titled with the
 * publisher's name (the store reports it per category), others by config or slug.
 */
export async function loadCategoryTitles(config: Config, store: Store, categories?: CategoryInfo[]): Promise<CategoryTitles> {
  return buildCategoryTitles(config, categories ?? (await store.listCategories()));
}
