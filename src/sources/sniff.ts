/**
 * Tells feeds from the other things a feed URL may serve (an HTML page, JSON, an
 * empty body) by looking at the document's first element, and finds where the feed
 * document starts and ends when a server wrapped it in junk (PHP notices before it,
 * stray text after it).
 */

export type FeedFormat = 'rss' | 'rdf' | 'atom';

export type Sniffed =
  | {
      kind: 'feed';
      format: FeedFormat;
      /** The root element's name as written (`rss`, `rdf:RDF`, `feed`). */
      root: string;
      /** The root element's start tag, attributes included. */
      rootStartTag: string;
      /** Offsets of the feed document (XML declaration or root start tag … root end tag). */
      start: number;
      end: number;
    }
  | { kind: 'html' | 'json' | 'empty' | 'text' }
  | { kind: 'xml'; root: string };

const FEED_ROOT = /<(rss|rdf:RDF|feed)(?=[\s>/])[^>]*>/;
const PROLOG_ITEM = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE(?:[^>[]|\[[\s\S]*?\])*>)/i;

/** Classifies a decoded body. */
export function sniffDocument(text: string): Sniffed {
  const body = text.replace(/^\uFEFF/, '');
  const trimmed = body.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (/^[{[]/.test(trimmed)) return { kind: 'json' };

  const first = firstElement(body);
  if (/^<!DOCTYPE\s+html\b/i.test(trimmed) || (first !== undefined && /^(html|head|body)$/i.test(first.name))) {
    return { kind: 'html' };
  }

  let rootMatch: RegExpExecArray | null = null;
  if (first !== undefined && /^(rss|rdf:RDF|feed)$/.test(first.name)) {
    rootMatch = FEED_ROOT.exec(body.slice(first.index));
    if (rootMatch) rootMatch.index += first.index;
  } else {
    // Junk before the feed, e.g. "<br />\n<b>Notice</b>: Undefined index …" from PHP.
    rootMatch = FEED_ROOT.exec(body);
    if (rootMatch && /<html[\s>]/i.test(body.slice(0, rootMatch.index))) rootMatch = null;
  }

  if (!rootMatch) {
    if (first === undefined) return { kind: 'text' };
    return { kind: 'xml', root: first.name };
  }

  const root = rootMatch[1] ?? 'rss';
  const format: FeedFormat = root === 'feed' ? 'atom' : root === 'rss' ? 'rss' : 'rdf';
  const decl = body.lastIndexOf('<?xml', rootMatch.index);
  const start = decl >= 0 && /^<\?xml\s/.test(body.slice(decl, decl + 6)) ? decl : rootMatch.index;
  const close = body.lastIndexOf(`</${root}>`);
  const end = close > rootMatch.index ? close + root.length + 3 : body.length;
  return { kind: 'feed', format, root, rootStartTag: rootMatch[0], start, end };
}

/** Name and offset of the first element after the prolog (declaration, comments, doctype). */
function firstElement(text: string): { name: string; index: number } | undefined {
  let i = 0;
  for (;;) {
    const m = PROLOG_ITEM.exec(text.slice(i, i + 4096));
    if (!m || m[0] === '') break;
    i += m[0].length;
  }
  const m = /^<([A-Za-z_][\w:.-]*)/.exec(text.slice(i));
  return m?.[1] === undefined ? undefined : { name: m[1], index: i };
}
