import type { ParsedFeed } from '../domain.js';

/**
 * At most `maxItems` items of one poll (SourceConfig.maxItems): the newest by date, kept in
 * the order the source gave them; items without a date count as oldest, and among equals
 * the source's order decides. What is dropped becomes one warning, not one per item.
 */
export function capItems(feed: ParsedFeed, maxItems: number): ParsedFeed {
  const max = Math.max(0, Math.floor(maxItems));
  if (feed.items.length <= max) return feed;
  const ranked = feed.items
    .map((item, index) => ({ index, ms: item.publishedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(item.publishedAt) }))
    .map((r) => (Number.isNaN(r.ms) ? { ...r, ms: Number.NEGATIVE_INFINITY } : r))
    .sort((a, b) => b.ms - a.ms || a.index - b.index);
  const kept = new Set(ranked.slice(0, max).map((r) => r.index));
  const dropped = feed.items.length - max;
  return {
    ...feed,
    items: feed.items.filter((_item, i) => kept.has(i)),
    warnings: [...feed.warnings, `${feed.items.length} items, more than maxItems ${max}: kept the newest ${max}, skipped ${dropped}`],
  };
}
