/**
 * The work budget of one markup document from outside (an article page, a feed item's
 * content, a source feed or list page): a linear pre-scan counts its nesting depth and
 * nodes before anything builds a tree of it. A document nested 50,000 deep takes cheerio
 * seconds to parse and overflows every recursive walk; past the budget it is refused,
 * permanently, and the caller takes its fallback.
 */
import { Parser } from 'htmlparser2';
import { FinewsError } from '../errors.js';

/** How much of a document finews is willing to build and walk. */
export interface MarkupBudget {
  /** Deepest element nesting allowed. @defaultValue 256 */
  maxDepth: number;
  /** Most elements plus text runs allowed. @defaultValue 25,000 */
  maxNodes: number;
}

/**
 * Real article pages nest 10–40 deep and hold a few thousand nodes; these leave a wide
 * margin. Depth is what makes parsing and walking blow up (cheerio takes seconds on a page
 * nested 50,000 deep); the node count bounds the rest, which grows with it linearly.
 */
export const DEFAULT_MARKUP_BUDGET: Readonly<MarkupBudget> = { maxDepth: 256, maxNodes: 25_000 };

/** What the pre-scan saw, as far as it read. */
export interface MarkupSize {
  depth: number;
  nodes: number;
}

/** Thrown from a scan callback to stop reading at the first budget crossing. */
class OverBudget extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * The depth and node count of `markup` (HTML, or XML with `xml`), stopping at the first
 * crossing of `budget`: HTML by a streaming tokenizer (htmlparser2, with the HTML rules for
 * implied end tags and void elements), XML by a scan of its tags. Linear in the length read;
 * builds no tree.
 *
 * @returns the size, and why it is over the budget when it is.
 */
export function measureMarkup(
  markup: string,
  opts: { xml?: boolean; budget?: MarkupBudget } = {},
): MarkupSize & { over?: string } {
  const budget = opts.budget ?? DEFAULT_MARKUP_BUDGET;
  if (opts.xml === true) return measureXml(markup, budget);
  const size: MarkupSize = { depth: 0, nodes: 0 };
  let depth = 0;
  const count = (): void => {
    if (++size.nodes > budget.maxNodes) throw new OverBudget(`more than ${budget.maxNodes} nodes`);
  };
  const parser = new Parser(
    {
      onopentagname() {
        depth++;
        if (depth > size.depth) size.depth = depth;
        if (depth > budget.maxDepth) throw new OverBudget(`nested more than ${budget.maxDepth} deep`);
        count();
      },
      onclosetag() {
        if (depth > 0) depth--;
      },
      ontext: count,
    },
    { xmlMode: false, decodeEntities: false },
  );
  try {
    parser.end(markup);
  } catch (err) {
    if (err instanceof OverBudget) return { ...size, over: err.reason };
    throw err;
  }
  return size;
}

/**
 * XML has no implied end tags, so its nesting is read from the tags alone: a start tag
 * opens an element (`<a/>` opens and closes one), an end tag closes the innermost open
 * element of its name and those inside it (one naming no open element is ignored, as the
 * HTML tokenizer does), and comments, CDATA, declarations and processing instructions
 * are skipped whole. Nodes are elements plus text runs, a CDATA section counting as one.
 * Feeds are a megabyte of mostly text: jumping from `<` to `<` is several times faster
 * than tokenizing every character.
 */
function measureXml(xml: string, budget: MarkupBudget): MarkupSize & { over?: string } {
  const size: MarkupSize = { depth: 0, nodes: 0 };
  const open: string[] = [];
  const over = (reason: string): MarkupSize & { over: string } => ({ ...size, over: reason });
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? xml.length : lt;
    if (textEnd > i && ++size.nodes > budget.maxNodes) return over(`more than ${budget.maxNodes} nodes`);
    if (lt === -1) break;
    i = lt;
    const next = xml.charCodeAt(i + 1);
    if (next === BANG && xml.startsWith('<!--', i)) {
      i = skipPast(xml, '-->', i + 4);
    } else if (next === BANG && xml.startsWith('<![CDATA[', i)) {
      if (++size.nodes > budget.maxNodes) return over(`more than ${budget.maxNodes} nodes`);
      i = skipPast(xml, ']]>', i + 9);
    } else if (next === BANG || next === QUESTION) {
      i = skipPast(xml, '>', i + 2);
    } else if (next === SLASH) {
      const name = tagName(xml, i + 2);
      i = skipPast(xml, '>', i + 2);
      const at = name === '' ? -1 : open.lastIndexOf(name);
      if (at !== -1) open.length = at;
    } else {
      const name = tagName(xml, i + 1);
      if (name === '') {
        // A `<` that starts no tag is text.
        i++;
        continue;
      }
      const end = startTagEnd(xml, i + 1 + name.length);
      open.push(name);
      if (open.length > size.depth) size.depth = open.length;
      if (open.length > budget.maxDepth) return over(`nested more than ${budget.maxDepth} deep`);
      if (++size.nodes > budget.maxNodes) return over(`more than ${budget.maxNodes} nodes`);
      if (xml.charCodeAt(end - 2) === SLASH) open.pop();
      i = end;
    }
  }
  return size;
}

const BANG = 0x21;
const QUESTION = 0x3f;
const SLASH = 0x2f;
const GT = 0x3e;
const EQUALS = 0x3d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

/** The index after the first `token` at or after `from`, or the end of `text`. */
function skipPast(text: string, token: string, from: number): number {
  const at = text.indexOf(token, from);
  return at === -1 ? text.length : at + token.length;
}

/** The tag name starting at `from`: up to whitespace, `/` or `>`; '' when no name starts there. */
function tagName(xml: string, from: number): string {
  const c = xml.charCodeAt(from);
  // Letters, `_`, `:` and everything past ASCII may start an XML name.
  if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c > 127)) return '';
  let end = from + 1;
  while (end < xml.length && !endsName(xml.charCodeAt(end))) end++;
  return xml.slice(from, end);
}

/** Whitespace (as `\s` has it), `/` or `>`. */
function endsName(c: number): boolean {
  if (c === SLASH || c === GT || c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The index after the `>` ending a start tag whose attributes begin at `from`; a quoted value (`="…"`) may hold `>`. */
function startTagEnd(xml: string, from: number): number {
  let afterEquals = false;
  for (let i = from; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (c === GT) return i + 1;
    if (afterEquals && (c === DOUBLE_QUOTE || c === SINGLE_QUOTE)) {
      const close = xml.indexOf(c === DOUBLE_QUOTE ? '"' : "'", i + 1);
      if (close === -1) return xml.length;
      i = close;
      afterEquals = false;
    } else if (c === EQUALS) {
      afterEquals = true;
    } else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      afterEquals = false;
    }
  }
  return xml.length;
}

/**
 * Refuses a document over the markup budget before it is parsed into a tree. Call it on
 * every HTML or XML body from outside before `cheerio.load`, rss-parser or any recursive walk.
 *
 * @throws FinewsError `too-complex` (not retryable) naming `url`, the depth or node count, and the budget.
 */
export function assertMarkupWithinBudget(
  markup: string,
  url: string,
  opts: { xml?: boolean; budget?: MarkupBudget; what?: string } = {},
): void {
  const size = measureMarkup(markup, opts);
  if (size.over === undefined) return;
  const what = opts.what ?? (opts.xml === true ? 'document' : 'page');
  throw new FinewsError('too-complex', `${what} too complex: ${url} is ${size.over}`, { url, retryable: false });
}

/**
 * The budget of a source feed: the same depth, any number of nodes (a feed of many items is
 * long, not deep; how many items a poll keeps is the source's `maxItems`).
 */
export const FEED_MARKUP_BUDGET: Readonly<MarkupBudget> = { maxDepth: DEFAULT_MARKUP_BUDGET.maxDepth, maxNodes: Number.POSITIVE_INFINITY };

/**
 * The budget of an HTML list page: the same depth, more nodes (1,000 records of a few
 * elements each are an ordinary list).
 */
export const LIST_MARKUP_BUDGET: Readonly<MarkupBudget> = { maxDepth: DEFAULT_MARKUP_BUDGET.maxDepth, maxNodes: 200_000 };

/** {@link assertMarkupWithinBudget} for HTML: article pages, HTML list pages, bodies from JSON APIs. */
export function assertHtmlWithinBudget(html: string, url: string, budget?: MarkupBudget): void {
  assertMarkupWithinBudget(html, url, budget === undefined ? {} : { budget });
}
