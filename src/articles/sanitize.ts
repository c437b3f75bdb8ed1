/**
 * Article body sanitizing: from whatever HTML a page or feed item holds to the
 * paragraph format of finews content (INTERFACE §3, the seed post):
 *
 * ```
 * <p>第一段。 </p>
 *  <p>第二段。 </p>
 *  <p>(刘英) </p><p class="em_media">（文章来源：中国工业报）</p>
 * ```
 *
 * Paragraph text is followed by one space before `</p>`, paragraphs are separated by a
 * newline and a space, and the attribution paragraph comes last, directly after the
 * previous `</p>`.
 */
import { load, type CheerioAPI } from 'cheerio';
import type { AnyNode, Document, Element } from 'domhandler';
import sanitizeHtml from 'sanitize-html';
import { htmlToText } from '../sources/html-text.js';
import { DEFAULT_MARKUP_BUDGET, measureMarkup } from '../util/complexity.js';
import { collapseWhitespace, escapeHtml, truncate } from '../util/html.js';
import { attributionParagraph, isEditorLine, parseAttribution } from './lines.js';
import { SANITIZE_OPTIONS } from './sanitize-options.js';

/** One top-level block of a body. */
export interface BodyBlock {
  /** `p`: a paragraph, `html` is its inner HTML; `block`: a list, table, heading…, `html` is the whole element. */
  kind: 'p' | 'block';
  /** Sanitized HTML. */
  html: string;
  /** Plain text, whitespace collapsed. */
  text: string;
}

/** A body cut into sanitized blocks, with its attribution line taken out. */
export interface NormalizedBody {
  blocks: BodyBlock[];
  /** X of the first `（文章来源：X）` line, tags stripped, as the page wrote it. */
  attribution?: string;
}

/** Elements that never carry article text, dropped with their content before anything else. */
const NOISE_TAGS = new Set([
  'script', 'style', 'noscript', 'template', 'iframe', 'frame', 'frameset', 'object', 'embed',
  'applet', 'form', 'input', 'button', 'select', 'textarea', 'svg', 'math', 'canvas', 'video',
  'audio', 'link', 'meta', 'base', 'title',
]);

/** Classes of editor lines and ads. */
const NOISE_CLASSES = new Set(['res-edit', 'ad', 'ads', 'adv', 'advert', 'adsbygoogle']);

/**
 * True for noise elements: see NOISE_TAGS and NOISE_CLASSES; ads are also matched loosely
 * by `advert` anywhere in class or id and `ad-`/`ad_` prefixes (a lost ad is no loss).
 */
function isNoise(el: Element): boolean {
  return isNoiseElement(el.name, el.attribs);
}

/** {@link isNoise} for an element named `name` with attributes `attribs`. */
function isNoiseElement(name: string, attribs: Record<string, string | undefined>): boolean {
  if (NOISE_TAGS.has(name.toLowerCase())) return true;
  const id = (attribs.id ?? '').toLowerCase();
  if (id.includes('advert') || id.startsWith('ad-') || id.startsWith('ad_')) return true;
  const cls = attribs.class;
  if (cls === undefined) return false;
  for (const c of cls.toLowerCase().split(/\s+/)) {
    if (NOISE_CLASSES.has(c) || c.includes('advert') || c.startsWith('ad-') || c.startsWith('ad_')) return true;
  }
  return false;
}

/** Lazy-loading attributes that hold an image's real address. */
const LAZY_SRC = ['data-src', 'data-original', 'data-lazy-src', 'data-actualsrc', 'data-url'];

/** Blocks kept whole (after sanitizing). */
const KEEP_BLOCKS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'table', 'blockquote', 'figure']);

/** Containers whose children are walked as blocks of their own. */
const CONTAINERS = new Set([
  'div', 'section', 'article', 'main', 'center', 'header', 'footer', 'aside', 'nav', 'dl', 'dd',
  'dt', 'li', 'address', 'details', 'summary', 'fieldset', 'body', 'html', 'tbody', 'thead',
  'tr', 'td', 'th', 'caption', 'figcaption', 'pre', 'hgroup',
]);

/** Elements that separate blocks without content of their own. */
const SEPARATORS = new Set(['hr']);


/**
 * Sanitizes an article body or a feed item's content into finews paragraphs: noise and
 * editor lines dropped, URLs made absolute against `baseUrl` (lazy images' `data-src`
 * promoted to `src`), only the allowlisted tags and attributes kept, paragraph indents
 * trimmed, and a `（文章来源：X）` line moved to the end as the `em_media` paragraph.
 * Idempotent: sanitizing its own output changes nothing. Content over the markup budget
 * (see util/complexity) becomes one paragraph of its text.
 */
export function sanitizeBody(html: string, baseUrl: string): string {
  const plain = plainParagraphs(html);
  // Plain paragraphs are one level deep and counted as they are cut: far within the budget,
  // they need no pre-scan. Feed content over the markup budget is kept as its plain text,
  // read without building a tree.
  const withinBudget = plain !== undefined && plain.nodes * 2 <= DEFAULT_MARKUP_BUDGET.maxNodes;
  if (!withinBudget && measureMarkup(html).over !== undefined) {
    const text = truncate(htmlToText(html), MAX_FALLBACK_TEXT);
    return text === '' ? '' : renderBody([{ kind: 'p', html: escapeHtml(text), text }]);
  }
  const body = bodyOf(plain?.raw ?? parsedBlocks(html, baseUrl));
  return renderBody(body.blocks, body.attribution);
}

/** Longest plain text kept from content over the markup budget, in characters. */
const MAX_FALLBACK_TEXT = 20_000;

/**
 * Joins blocks in the seed's format (see the module comment), with the attribution
 * paragraph last when `attribution` is given and not blank.
 */
export function renderBody(blocks: readonly BodyBlock[], attribution?: string): string {
  const out = blocks.map((b) => (b.kind === 'p' ? `<p>${b.html} </p>` : b.html)).join('\n ');
  return attribution !== undefined && attribution !== '' ? out + attributionParagraph(attribution) : out;
}

/**
 * Cuts body HTML (a fragment) into sanitized blocks; see {@link sanitizeBody}.
 * Attribution lines are taken out of the blocks and reported in `attribution`.
 */
export function normalizeBody(html: string, baseUrl: string): NormalizedBody {
  return bodyOf(plainParagraphs(html)?.raw ?? parsedBlocks(html, baseUrl));
}

/** Sanitized blocks and attribution from raw blocks. */
function bodyOf(raw: readonly RawBlock[]): NormalizedBody {
  const blocks: BodyBlock[] = [];
  let attribution: string | undefined;
  for (const r of raw) {
    for (const block of finishBlock(r)) {
      if (block.kind === 'p') {
        const publisher = parseAttribution(block.text);
        if (publisher !== undefined) {
          if (attribution === undefined && publisher !== '') attribution = publisher;
          continue;
        }
        if (isEditorLine(block.text)) continue;
      }
      blocks.push(block);
    }
  }
  return attribution === undefined ? { blocks } : { blocks, attribution };
}

/** The raw blocks of `html` from its tree: noise dropped, URLs fixed, blocks cut. */
function parsedBlocks(html: string, baseUrl: string): RawBlock[] {
  const $ = load(html, null, false);
  const root = $.root().get(0);
  removeNoise(root);
  fixUrls(root, baseUrl);
  const raw: RawBlock[] = [];
  collectBlocks($, root === undefined ? [] : [...root.children], raw);
  return raw;
}

/**
 * A body that is only paragraphs of plain text — `<p>` or `<p class="…">`, no markup,
 * references, no-break spaces or carriage returns inside, ASCII whitespace between — as
 * most feed content and every body finews writes is. Its tree is known without parsing
 * it: each paragraph's inner HTML is its text as written, and the space between them is
 * a text node.
 */
const PLAIN_PARAGRAPHS = /^(?:[ \t\n\f]*<p(?: class="[^"<>&\0]*")?>[^<>&\0\r\u00a0]*<\/p>)*[ \t\n\f]*$/;
const PLAIN_PARAGRAPH = /([ \t\n\f]*)<p(?: class="([^"<>&\0]*)")?>([^<>&\0\r\u00a0]*)<\/p>|[ \t\n\f]+$/g;

/**
 * The raw blocks of a body of plain paragraphs (see PLAIN_PARAGRAPHS), exactly as
 * {@link parsedBlocks} cuts them from its tree, and its nodes (elements and text runs) as
 * the markup budget counts them; undefined for any other body.
 */
function plainParagraphs(html: string): { raw: RawBlock[]; nodes: number } | undefined {
  if (!PLAIN_PARAGRAPHS.test(html)) return undefined;
  const raw: RawBlock[] = [];
  let nodes = 0;
  for (const m of html.matchAll(PLAIN_PARAGRAPH)) {
    const [whole, space, cls, text] = m;
    if (text === undefined) {
      raw.push({ kind: 'run', html: whole });
      nodes++;
      continue;
    }
    if (space !== undefined && space !== '') {
      raw.push({ kind: 'run', html: space });
      nodes++;
    }
    nodes += text === '' ? 1 : 2;
    if (!isNoiseElement('p', cls === undefined ? {} : { class: cls })) raw.push({ kind: 'p', html: text });
  }
  return { raw, nodes };
}

/** A block before sanitizing: a paragraph's inner HTML or a kept element's outer HTML. */
interface RawBlock {
  kind: 'p' | 'block' | 'run';
  html: string;
}

/**
 * Drops noise elements (scripts, frames, forms, editor lines, ads…), comments and
 * processing instructions under `node`. One walk of the tree, no selector matching.
 */
export function removeNoise(node: AnyNode | undefined): void {
  // An explicit stack, not recursion: depth is bounded by the markup budget, not by the call stack.
  const stack: AnyNode[] = node === undefined ? [] : [node];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    if (!('children' in current)) continue;
    for (const child of [...current.children]) {
      if (child.type === 'comment' || child.type === 'directive' || child.type === 'cdata') {
        $remove(child);
      } else if (isTag(child)) {
        if (isNoise(child)) $remove(child);
        else stack.push(child);
      }
    }
  }
}

function isTag(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function $remove(node: AnyNode): void {
  const parent = node.parent;
  if (parent === null) return;
  const i = parent.children.indexOf(node);
  if (i >= 0) parent.children.splice(i, 1);
  if (node.prev !== null) node.prev.next = node.next;
  if (node.next !== null) node.next.prev = node.prev;
  node.parent = null;
  node.prev = null;
  node.next = null;
}

/**
 * Makes link and image addresses absolute; drops those that are not http(s)/mailto. The
 * images and links are found in one walk of the tree (document order), the images handled
 * first, as `$('img')` then `$('a')` would.
 */
function fixUrls(root: Document | undefined, baseUrl: string): void {
  const images: Element[] = [];
  const links: Element[] = [];
  const stack: AnyNode[] = root === undefined ? [] : [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (isTag(node)) {
      if (node.name === 'img') images.push(node);
      else if (node.name === 'a') links.push(node);
    }
    if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode);
  }
  for (const el of images) {
    const lazy = LAZY_SRC.map((a) => el.attribs[a]).find((v) => v !== undefined && v.trim() !== '');
    const src = absoluteUrl(lazy ?? el.attribs.src, baseUrl, IMAGE_SCHEMES);
    if (src === undefined) {
      $remove(el);
    } else {
      el.attribs.src = src;
    }
  }
  for (const el of links) {
    const href = absoluteUrl(el.attribs.href, baseUrl, LINK_SCHEMES);
    if (href === undefined) {
      // A link that goes nowhere safe is just its text.
      unwrap(el);
    } else {
      el.attribs.href = href;
    }
  }
}

/** Puts the children of `el` in its place. */
function unwrap(el: Element): void {
  const parent = el.parent;
  if (parent === null) return;
  const kids = el.children;
  const first = kids[0];
  const last = kids[kids.length - 1];
  for (const kid of kids) kid.parent = parent;
  if (first !== undefined && last !== undefined) {
    first.prev = el.prev;
    last.next = el.next;
  }
  if (el.prev !== null) el.prev.next = first ?? el.next;
  if (el.next !== null) el.next.prev = last ?? el.prev;
  const i = parent.children.indexOf(el);
  if (i >= 0) parent.children.splice(i, 1, ...kids);
  el.children = [];
  el.parent = null;
  el.prev = null;
  el.next = null;
}

const IMAGE_SCHEMES = new Set(['http:', 'https:']);
const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/**
 * `value` resolved against `baseUrl`, or undefined when it is missing, unparsable or of
 * another scheme (`javascript:`, `data:`, `vbscript:`, `file:` …).
 */
export function absoluteUrl(
  value: string | undefined,
  baseUrl: string,
  schemes: ReadonlySet<string> = LINK_SCHEMES,
): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  let url: URL;
  try {
    url = new URL(trimmed, baseUrl);
  } catch {
    return undefined;
  }
  return schemes.has(url.protocol) ? url.href : undefined;
}

function tagOf(node: AnyNode): string | undefined {
  return node.type === 'tag' ? (node as Element).name.toLowerCase() : undefined;
}

/**
 * Walks `nodes` in order: paragraphs and kept blocks become blocks, containers are
 * walked into, and runs of loose text and inline elements between them become paragraphs.
 * Iterative (a stack of node lists), so a deep page cannot overflow the call stack.
 */
function collectBlocks($: CheerioAPI, nodes: AnyNode[], out: RawBlock[]): void {
  let run: AnyNode[] = [];
  const flush = (): void => {
    // One render of the whole run: the same as joining the render of each node.
    if (run.length > 0) out.push({ kind: 'run', html: $.html(run) });
    run = [];
  };
  // Entering and leaving a container both end the current run, so one run serves all levels.
  const stack: { nodes: AnyNode[]; next: number }[] = [{ nodes, next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as { nodes: AnyNode[]; next: number };
    const node = frame.nodes[frame.next++];
    if (node === undefined) {
      stack.pop();
      flush();
      continue;
    }
    const tag = tagOf(node);
    if (tag === undefined) {
      if (node.type === 'text') run.push(node);
      continue;
    }
    if (tag === 'p') {
      flush();
      const el = node as Element;
      // Nested blocks (a <div> in a <p> from a lenient parser) are walked, not flattened.
      if (el.children.some((c) => isBlockTag(tagOf(c)))) {
        stack.push({ nodes: [...el.children], next: 0 });
      } else {
        out.push({ kind: 'p', html: $.html(el.children) });
      }
    } else if (KEEP_BLOCKS.has(tag)) {
      flush();
      const el = node as Element;
      if (tag === 'h1') el.name = 'h2';
      out.push({ kind: 'block', html: $.html(el) });
    } else if (CONTAINERS.has(tag)) {
      flush();
      stack.push({ nodes: [...(node as Element).children], next: 0 });
    } else if (SEPARATORS.has(tag)) {
      flush();
    } else {
      run.push(node);
    }
  }
}

function isBlockTag(tag: string | undefined): boolean {
  return tag !== undefined && (tag === 'p' || KEEP_BLOCKS.has(tag) || CONTAINERS.has(tag));
}

/** Two or more line breaks in a run separate paragraphs (old `<br><br>&#12288;&#12288;` layouts). */
const BREAKS = /(?:<br\s*\/?>\s*){2,}/i;

function finishBlock(raw: RawBlock): BodyBlock[] {
  if (raw.kind === 'block') {
    const html = sanitizeHtml(collapseSpaces(raw.html), SANITIZE_OPTIONS)
      .replace(STRUCTURE_SPACE, '$1')
      .trim();
    const text = plainText(html);
    return text === '' && !/<img\b/i.test(html) ? [] : [{ kind: 'block', html, text }];
  }
  const pieces = raw.kind === 'run' ? raw.html.split(BREAKS) : [raw.html];
  const blocks: BodyBlock[] = [];
  for (const piece of pieces) {
    const html = trimParagraph(sanitizeText(collapseSpaces(piece)));
    const text = plainText(html);
    if (text === '' && !/<img\b/i.test(html)) continue;
    blocks.push({ kind: 'p', html, text });
  }
  return blocks;
}

/** Markup, a character reference, or a character a parser may rewrite: what sanitize-html has work to do on. */
const NOT_PLAIN = /[<>&\0]/;

/**
 * `sanitizeHtml(html, SANITIZE_OPTIONS)`. Text without markup or references (most
 * paragraphs of a body: their inner HTML is their text) comes out of sanitize-html as it
 * went in, so it is not handed to it.
 */
function sanitizeText(html: string): string {
  return NOT_PLAIN.test(html) ? sanitizeHtml(html, SANITIZE_OPTIONS) : html;
}

/**
 * Collapses runs of ASCII whitespace in text to one space (HTML renders them so anyway).
 * U+3000 and no-break spaces are content and stay, except at paragraph edges.
 */
function collapseSpaces(html: string): string {
  return html.replace(/[ \t\n\r\f]+/g, ' ');
}

/** Indentation around the tags of tables, lists and quotes, which renders as nothing. */
const STRUCTURE_SPACE =
  /\s*(<\/?(?:table|thead|tbody|tr|td|th|ul|ol|li|blockquote|figure|figcaption|h[2-6]|p)\b[^>]*>)\s*/gi;

/** Edge whitespace, full-width indents, no-break spaces and line breaks. */
const LEADING = /^(?:[\s\u3000\u00a0]|&nbsp;|&#12288;|&#x3000;|&#160;|<br\s*\/?>)+/i;
const TRAILING = /(?:[\s\u3000\u00a0]|&nbsp;|&#12288;|&#x3000;|&#160;|<br\s*\/?>)+$/i;
/** Opening inline tags a paragraph may start with (`<strong>&#12288;&#12288;小标题</strong>`). */
const OPENING_TAGS = /^(?:<(?:strong|b|em|i|u|span|a)\b[^>]*>)+/i;
const CLOSING_TAGS = /(?:<\/(?:strong|b|em|i|u|span|a)>)+$/i;

/** Trims indents and trailing space at both edges of a paragraph, also inside leading/trailing inline tags. */
function trimParagraph(html: string): string {
  let out = trimTrailing(html.replace(LEADING, ''));
  const open = OPENING_TAGS.exec(out)?.[0] ?? '';
  out = open + out.slice(open.length).replace(LEADING, '');
  const close = closingTags(out);
  out = trimTrailing(out.slice(0, out.length - close.length)) + close;
  return out;
}

/** Every piece of TRAILING ends in whitespace, `;` or `>`. */
const TRAILING_LAST = /[\s;>]/;

/**
 * `html` without TRAILING. A pattern anchored at the end is tried from every position, so
 * it is run only when the last character could end a match.
 */
function trimTrailing(html: string): string {
  return TRAILING_LAST.test(html.slice(-1)) ? html.replace(TRAILING, '') : html;
}

/** The closing inline tags `html` ends with (CLOSING_TAGS), tried only when it ends in `>`. */
function closingTags(html: string): string {
  return html.endsWith('>') ? (CLOSING_TAGS.exec(html)?.[0] ?? '') : '';
}

/** Plain text of sanitized HTML, whitespace (including U+3000 and nbsp) collapsed and trimmed. */
function plainText(html: string): string {
  // sanitize-html output is well-formed and escapes only these four.
  return collapseWhitespace(html.replace(/<[^>]*>/g, '').replace(/&(lt|gt|quot|amp);/g, (_, e: string) => ENTITIES[e] ?? ''));
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', amp: '&' };
