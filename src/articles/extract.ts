/**
 * Article extraction: from an article page's HTML to its title, date, author,
 * publisher and sanitized body (INTERFACE §3). A pure stage: no I/O, no logging.
 */
import { load, type Cheerio, type CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { ArticleRules, ExtractedArticle } from '../domain.js';
import { FinewsError } from '../errors.js';
import { assertHtmlWithinBudget } from '../util/complexity.js';
import { parseDate } from '../util/dates.js';
import { collapseWhitespace, joinParagraphs, truncate } from '../util/html.js';
import { parseAttribution, parseByline } from './lines.js';
import { absoluteUrl, normalizeBody, removeNoise, renderBody } from './sanitize.js';

/**
 * Bodies of the layouts finews knows, tried in order after the source's own
 * `article.content`: Eastmoney's article pages (`#ContentBody`, older `.Body`,
 * `.newsContent`) and common CMS templates.
 */
const KNOWN_BODY_SELECTORS: readonly string[] = [
  '#ContentBody',
  '.newsContent .Body',
  '.Body',
  '#ctrlfscont',
  '.txtinfos',
  '.article-content',
  '.article_content',
  '.articleContent',
  '#artibody',
  '.post-content',
  '.entry-content',
  '.newsContent',
];

/** Page chrome that sits inside known bodies: the title block, the info line, the abstract, share bars. */
const BODY_CHROME = 'h1, .infos, .b-review, .abstract, .share, .social-share, .bdsharebuttonbox, .em_share';

/** Page chrome dropped before the text-density search. */
const PAGE_CHROME =
  'header, footer, nav, aside, .header, .footer, .nav, .navbar, .menu, .sidebar, #sidebar, .side, .sider, ' +
  '.breadcrumb, .crumbs, .comment, .comments, .related, .recommend, .copyright, .links, .friend-links';

/** Containers the text-density fallback considers. */
const DENSITY_CANDIDATES = 'div, article, section, main, td, center, dd, li';

/** Body roots kept as themselves rather than for their children (a `td` alone would not parse). */
const SELF_ROOTS = new Set(['p', 'table', 'ul', 'ol', 'blockquote', 'figure', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** Longest summary, in characters, before `…`. */
const SUMMARY_LENGTH = 140;

/**
 * Extracts an article from its page.
 *
 * - **Body**: `rules.content`, else the first of {@link KNOWN_BODY_SELECTORS} with text,
 *   else the element with the most Chinese text in its direct `<p>` children (link text
 *   not counted). `rules.remove`, `p.res-edit`, scripts, ads and the like are dropped, and
 *   the body is sanitized by {@link normalizeBody} against the page's `<base href>` or `pageUrl`.
 * - **Title**: `.newsContent h1`, `h1`, `og:title`, `<title>` (site suffix such as
 *   `_东方财富网` removed).
 * - **Date**: meta `article:published_time` (seconds and zone when the page gives them),
 *   else `.time`, `.infos .item`, `time[datetime]`, else the first `2022年03月30日 09:34`-like
 *   text on the page; naive dates are read in `zone`.
 * - **Publisher**: X of the body's `（文章来源：X）` (tags stripped), else of such a line
 *   elsewhere on the page.
 * - **Author**: the byline paragraph ending the body — `(刘英)`, `（记者 刘英）`, `文/刘英` —
 *   which stays in the body.
 *
 * @throws FinewsError `config-invalid` when a selector of `rules` is not valid CSS;
 *   `too-complex` when the page is over the markup budget (nested too deep, too many nodes).
 */
export function extractArticle(
  html: string,
  pageUrl: string,
  rules: ArticleRules,
  zone: string,
): ExtractedArticle {
  assertHtmlWithinBudget(html, pageUrl);
  const $ = load(html);
  const baseUrl = absoluteUrl($('base[href]').first().attr('href'), pageUrl) ?? pageUrl;
  const title = findTitle($);
  const publishedAt = findDate($, zone);

  for (const selector of rules.remove) select($, selector, pageUrl, 'article.remove').remove();
  removeNoise($.root().get(0));

  const roots = findBody($, rules, pageUrl);
  const bodyHtml = roots
    .map((el) => {
      $(el).find(BODY_CHROME).remove();
      // A paragraph or block is kept itself; a container gives its children.
      return SELF_ROOTS.has(el.name) ? $.html(el) : ($(el).html() ?? '');
    })
    .join('\n');
  const { blocks, attribution } = normalizeBody(bodyHtml, baseUrl);
  const publisher = attribution ?? findAttribution($);

  const last = blocks.at(-1);
  const author = last?.kind === 'p' ? parseByline(last.text) : undefined;
  const summaryBlocks = author === undefined ? blocks : blocks.slice(0, -1);

  const article: ExtractedArticle = {
    contentHtml: renderBody(blocks, attribution),
    summary: summarize(joinParagraphs(summaryBlocks.map((b) => b.text))),
  };
  if (title !== undefined) article.title = title;
  if (publishedAt !== undefined) article.publishedAt = publishedAt;
  if (author !== undefined) article.author = author;
  if (publisher !== undefined && publisher !== '') article.publisher = publisher;
  return article;
}

function select($: CheerioAPI, selector: string, pageUrl: string, key: string): Cheerio<Element> {
  try {
    return $.root().find(selector);
  } catch (err) {
    throw new FinewsError('config-invalid', `${key} selector "${selector}" is not valid CSS`, {
      url: pageUrl,
      cause: err,
    });
  }
}

function findBody($: CheerioAPI, rules: ArticleRules, pageUrl: string): Element[] {
  if (rules.content !== undefined && rules.content.trim() !== '') {
    const found = select($, rules.content, pageUrl, 'article.content').toArray();
    // Nested matches (`div` inside `div`) would repeat text: keep the outermost.
    const matched = new Set<AnyNode>(found);
    const outer = found.filter((el) => !hasAncestorIn(el, matched));
    if (outer.some((el) => hasText($(el)))) return outer;
  }
  for (const selector of KNOWN_BODY_SELECTORS) {
    const el = $.root().find(selector).first();
    if (el.length > 0 && hasText(el)) return el.toArray();
  }
  return [densest($)];
}

/** True when an ancestor of `el` is in `set` (a walk up the parents: depth is bounded by the markup budget). */
function hasAncestorIn(el: Element, set: ReadonlySet<AnyNode>): boolean {
  for (let p = el.parent; p !== null; p = p.parent) if (set.has(p)) return true;
  return false;
}

function hasText(el: Cheerio<Element>): boolean {
  return el.text().replace(/[\s\u3000\u00a0]+/g, '') !== '' || el.find('img').length > 0;
}

const HAN = /\p{Script=Han}/gu;

function hanCount(text: string): number {
  return text.match(HAN)?.length ?? 0;
}

/**
 * The element with the most Chinese text in its direct `<p>` children (and loose text),
 * each paragraph weighted by the share of its text that is not link text, so link lists
 * and navigation lose to prose.
 */
function densest($: CheerioAPI): Element {
  $(PAGE_CHROME).remove();
  let best: Element | undefined;
  let bestScore = 0;
  $(DENSITY_CANDIDATES).each((_, el) => {
    let score = 0;
    for (const child of el.children) {
      if (child.type === 'text') {
        score += hanCount(child.data);
      } else if (child.type === 'tag' && (child as Element).name === 'p') {
        score += proseScore($(child));
      }
    }
    if (score > bestScore) {
      best = el;
      bestScore = score;
    }
  });
  return best ?? $('body').get(0) ?? ($.root().children().get(0) as Element);
}

function proseScore(p: Cheerio<AnyNode>): number {
  const text = p.text();
  const length = text.replace(/\s+/g, '').length;
  if (length === 0) return 0;
  const linkLength = p.find('a').text().replace(/\s+/g, '').length;
  return hanCount(text) * (1 - Math.min(1, linkLength / length));
}

function findTitle($: CheerioAPI): string | undefined {
  const candidates = [
    $('.newsContent h1').first().text(),
    $('h1').first().text(),
    stripSiteSuffix($('meta[property="og:title"]').attr('content') ?? ''),
    stripSiteSuffix($('title').first().text()),
  ];
  for (const c of candidates) {
    const title = collapseWhitespace(c);
    if (title !== '') return title;
  }
  return undefined;
}

/** Separators before a site name in `<title>`: `标题_东方财富网`, `标题 - 新浪财经`, `标题｜界面新闻`. */
const SITE_SUFFIX = /(?:_|\s+[-|–—]\s+|\s*｜\s*)([^_｜|]{1,16})$/u;

/** The title without trailing site names (at most three: `标题_财经频道_东方财富网`). */
export function stripSiteSuffix(title: string): string {
  let out = collapseWhitespace(title);
  for (let i = 0; i < 3; i++) {
    const m = SITE_SUFFIX.exec(out);
    if (m === null || m.index === 0) break;
    out = out.slice(0, m.index).trim();
  }
  return out;
}

/** Meta names and properties of the publication date, lower-cased. */
const DATE_META = new Set(['article:published_time', 'og:published_time', 'datepublished', 'publishdate', 'pubdate']);

const DATE_ELEMENTS = ['.newsContent .time', '.time', '.infos .item', '.infos', '.date', '.pubtime', '#pubtime'];

/** A date inside other text: `2022年03月30日 09:34`, `2022-03-30 09:34:12`, `2022/3/30`. */
const DATE_IN_TEXT =
  /\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}\s*[:时]\s*\d{1,2}(?:\s*[:分]\s*\d{1,2}(?![\d]))?)?/u;

/**
 * The page's publication date. Meta tags come first: they carry seconds and often the
 * zone, where the visible `2022年03月30日 09:34` has minutes only.
 */
function findDate($: CheerioAPI, zone: string): string | undefined {
  for (const el of $('meta[content]').toArray()) {
    const key = (el.attribs.property ?? el.attribs.name ?? el.attribs.itemprop ?? '').toLowerCase();
    if (!DATE_META.has(key)) continue;
    const found = dateIn(el.attribs.content, zone);
    if (found !== undefined) return found;
  }
  for (const selector of DATE_ELEMENTS) {
    for (const el of $(selector).toArray()) {
      const found = dateIn($(el).text(), zone);
      if (found !== undefined) return found;
    }
  }
  for (const el of $('time[datetime]').toArray()) {
    const found = dateIn($(el).attr('datetime'), zone);
    if (found !== undefined) return found;
  }
  return dateIn($('body').text(), zone);
}

function dateIn(text: string | undefined, zone: string): string | undefined {
  if (text === undefined) return undefined;
  const t = collapseWhitespace(text.normalize('NFKC'));
  if (t === '') return undefined;
  // Dates are short; longer text is searched for one rather than parsed whole.
  const whole = t.length <= 64 ? parseDate(t, zone) : undefined;
  if (whole !== undefined) return whole;
  const m = DATE_IN_TEXT.exec(t);
  if (m === null) return undefined;
  return parseDate(m[0].replace(/\s*([年月日:时分])\s*/gu, '$1').replace(/日(\d)/u, '日 $1'), zone);
}

/** X of a `（文章来源：X）` line anywhere on the page (for pages whose body does not hold it). */
function findAttribution($: CheerioAPI): string | undefined {
  for (const el of $('p, div, span, td, li, em, font').toArray()) {
    const text = $(el).text();
    if (text.length > 120 || !text.includes('文章来源')) continue;
    const publisher = parseAttribution(text);
    if (publisher !== undefined && publisher !== '') return publisher;
  }
  return undefined;
}

/** Plain text cut to {@link SUMMARY_LENGTH} characters, ending with `…` when cut. */
export function summarize(text: string): string {
  return truncate(collapseWhitespace(text), SUMMARY_LENGTH);
}
