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
 * The depth and node count of `markup` (HTML, or XML with `xml`), by a streaming tokenizer
 * (htmlparser2, with the HTML rules for implied end tags and void elements), stopping at the
 * first crossing of `budget`. Linear in the length read; builds no tree.
 *
 * @returns the size, and why it is over the budget when it is.
 */
export function measureMarkup(
  markup: string,
  opts: { xml?: boolean; budget?: MarkupBudget } = {},
): MarkupSize & { over?: string } {
  const budget = opts.budget ?? DEFAULT_MARKUP_BUDGET;
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
    { xmlMode: opts.xml === true, decodeEntities: false },
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
