import type { ParsedFeed, SourceItem } from '../../domain.js';
import { decodeBody } from '../../fetch/decode.js';
import { parseFeed } from '../parse-feed.js';
import type { ReadContext, SourceReader } from '../reader-types.js';

/** RSS 0.9x/1.0/2.0 and Atom feeds (INTERFACE §2): the default kind. */
export const rssReader: SourceReader = {
  kind: 'rss',
  accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5',
  async read(body: Buffer, ctx: ReadContext): Promise<ParsedFeed> {
    const { text } = decodeBody(body, ctx.contentType);
    const feed = await parseFeed(text, { feedUrl: ctx.url, timezone: ctx.timezone });
    return keepNewest(feed, ctx.source.maxItems);
  },
};

/**
 * At most `max` items, from the newest end of the feed (feeds are newest first; the dates
 * of the first and last item tell an oldest-first one); the rest are a warning.
 */
export function keepNewest(feed: ParsedFeed, max: number): ParsedFeed {
  const { items } = feed;
  if (items.length <= max) return feed;
  const time = (item: SourceItem | undefined): number => (item?.publishedAt ? Date.parse(item.publishedAt) : Number.NaN);
  const oldestFirst = time(items[items.length - 1]) > time(items[0]);
  const kept = oldestFirst ? items.slice(items.length - max) : items.slice(0, max);
  return {
    ...feed,
    items: kept,
    warnings: [...feed.warnings, `${items.length} items, more than maxItems (${max}): kept the ${max} newest, ${items.length - max} left out`],
  };
}
