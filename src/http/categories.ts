import { ALL_SLUG } from '../domain.js';
import type { CategoryInfo, Store } from '../store/store.js';

/** Categories that hold items, by slug. */
async function categoriesBySlug(store: Store): Promise<Map<string, CategoryInfo>> {
  const list = await store.listCategories();
  return new Map(list.map((c) => [c.slug, c]));
}

/** True when `slug` is `all` or a category that holds at least one item. */
export async function isKnownSlug(store: Store, slug: string): Promise<boolean> {
  if (slug === ALL_SLUG) return true;
  return (await categoriesBySlug(store)).has(slug);
}
