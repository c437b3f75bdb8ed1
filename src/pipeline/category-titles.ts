import type { Config } from '../domain.js';
import { buildCategoryTitles, type CategoryTitleHint, type CategoryTitles } from '../publish/context.js';
import type { CategoryInfo, Store } from '../store/store.js';

/**
 * Titles for every stored category: a publisher's category is titled with the
 * publisher's name, read from the newest item of each category (the store keeps
 * categories as slugs only).
 */
export async function loadCategoryTitles(config: Config, store: Store, categories?: CategoryInfo[]): Promise<CategoryTitles> {
  const list = categories ?? (await store.listCategories());
  const hints: CategoryTitleHint[] = [];
  for (const c of list) {
    const newest = (await store.listItems({ category: c.slug, limit: 1 })).items[0];
    if (newest && newest.categories[0] === c.slug) hints.push({ slug: c.slug, publisher: newest.publisher });
  }
  return buildCategoryTitles(config, hints);
}
