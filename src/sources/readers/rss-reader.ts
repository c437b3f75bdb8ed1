import type { ParsedFeed } from '../../domain.js';
import { decodeBody } from '../../fetch/decode.js';
import { capItems } from '../max-items.js';
import { parseFeed } from '../parse-feed.js';
import type { ReadContext, SourceReader } from '../reader-types.js';

/** RSS 0.9x/1.0/2.0 and Atom feeds (INTERFACE §2): the default kind. */
export const rssReader: SourceReader = {
  kind: 'rss',
  accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5',
  async read(body: Buffer, ctx: ReadContext): Promise<ParsedFeed> {
    const { text, warnings: charsetWarnings = [] } = decodeBody(body, ctx.contentType);
    const feed = await parseFeed(text, { feedUrl: ctx.url, timezone: ctx.timezone });
    feed.warnings.unshift(...charsetWarnings);
    return capItems(feed, ctx.source.maxItems);
  },
};
