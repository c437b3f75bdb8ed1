import type { Item } from '../domain.js';

/**
 * The publisher that titles category `slug` when `item` is its newest item: the item's
 * publisher when the item's own (first) category is `slug`, else none. Stores keep this
 * per category when items are written, so listing categories never re-derives it.
 */
export function categoryPublisher(item: Pick<Item, 'categories' | 'publisher'>, slug: string): string | undefined {
  return item.categories[0] === slug && item.publisher !== '' ? item.publisher : undefined;
}
