import type { FeedFormat } from './sniff.js';

/**
 * A feed cut into its item blocks, for parsing them one by one when the document as
 * a whole is not well-formed. Each block runs from one `<item>`/`<entry>` start tag
 * to the next, so an item missing its end tag spoils only itself.
 */
export interface SplitFeed {
  /** Everything before the first item (the channel's own elements). */
  head: string;
  /** The raw text of each item, in feed order. */
  items: string[];
  /** Everything after the last item's end tag. */
  tail: string;
}

const OPAQUE = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g;

/** Splits `text` (a repaired feed document) into head, item blocks and tail. */
export function splitItems(text: string, format: FeedFormat): SplitFeed {
  const tag = format === 'atom' ? 'entry' : 'item';
  const opaque = [...text.matchAll(OPAQUE)].map((m) => [m.index, m.index + m[0].length] as const);

  // Start tags inside CDATA or comments are text. Both lists are in document order,
  // so one sweep tells them apart.
  const starts: number[] = [];
  let o = 0;
  for (const m of text.matchAll(new RegExp(`<${tag}(?=[\\s>/])`, 'g'))) {
    while (o < opaque.length && (opaque[o]?.[1] ?? 0) <= m.index) o++;
    const range = opaque[o];
    if (range === undefined || m.index < range[0]) starts.push(m.index);
  }
  const first = starts[0];
  if (first === undefined) return { head: text, items: [], tail: '' };

  const lastStart = starts[starts.length - 1] ?? first;
  const closeTag = `</${tag}>`;
  const lastClose = text.lastIndexOf(closeTag);
  let end: number;
  if (lastClose >= lastStart) {
    end = lastClose + closeTag.length;
  } else {
    // The last item never ends: it runs to the end of the channel or document.
    const containerEnd = /<\/(?:channel|rss|rdf:RDF|feed)>/.exec(text.slice(lastStart));
    end = containerEnd ? lastStart + containerEnd.index : text.length;
  }

  const items = starts.map((start, i) => text.slice(start, starts[i + 1] ?? end));
  return { head: text.slice(0, first), items, tail: text.slice(end) };
}
