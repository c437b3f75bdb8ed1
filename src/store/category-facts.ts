import type { Item } from '../domain.js';

/**
 * The category an item titles with its publisher: its own (first) category, when it
 * has a publisher; else null. Computed when an item is written, so stores keep it with
 * the item (or per category) and listing categories only reads it.
 */
export function titledCategory(item: Pick<Item, 'categories' | 'publisher'>): string | null {
  const own = item.categories[0];
  return own !== undefined && item.publisher !== '' ? own : null;
}

/**
 * The publisher that titles category `slug` when `item` is its newest item: the item's
 * publisher when the item's own (first) category is `slug`, else none.
 */
export function categoryPublisher(item: Pick<Item, 'categories' | 'publisher'>, slug: string): string | undefined {
  return titledCategory(item) === slug ? item.publisher : undefined;
}
