/**
 * The Jekyll export: one Markdown post per item, in the format of the seed post
 * (INTERFACE §6, shared/seed/000_45b47f1536f67d00.txt), byte for byte.
 */
import { createHash } from 'node:crypto';
import { ensureAttribution } from '../articles/lines.js';
import type { Item, SiteConfig } from '../domain.js';
import { cleanText } from '../util/html.js';
import { joinUrl } from './context.js';
import { itemDate } from './item-date.js';
import { isHttpUrl } from './text.js';

/** A post to write below the export directory. */
export interface JekyllPost {
  /** `_posts/<YYYY-MM-DD>-<infoCode or key>.md`, `/`-separated. */
  path: string;
  /** The whole file; like the seed, it does not end with a newline. */
  content: string;
}

/** The publisher as resolved from the config: display name and category slug. */
export interface JekyllPublisher {
  name: string;
  slug: string;
}

/**
 * Renders `item` as a Jekyll post:
 *
 * ```
 * ---
 * layout: post
 * title: "<title, YAML double-quoted>"
 * date: YYYY-MM-DD HH:MM:SS +0800        (site.timezone, offset at that instant)
 * categories: <publisher slug>
 * tags: <publisher>新闻
 * ---
 * <contentHtml, ending with <p class="em_media">（文章来源：<publisher>）</p>>
 *
 * <<site.shareUrl with {infoCode}, else the item link>>
 *
 * [返回<publisher>新闻](<site.url>/category/<slug>.html)｜[返回首页](<site.url>/)
 * ```
 *
 * `site.url` is used as written (the seed's is protocol-relative). The date is the
 * item's publishedAt, else storedAt, else `opts.fallbackDate` (default: the epoch).
 */
export function renderJekyllPost(
  item: Item,
  site: Pick<SiteConfig, 'url' | 'timezone' | 'shareUrl'>,
  pub: JekyllPublisher,
  opts: { fallbackDate?: Date } = {},
): JekyllPost {
  const date = itemDate(item, opts.fallbackDate ?? new Date(0)).setZone(site.timezone);
  const name = cleanText(pub.name).trim();
  const slug = cleanText(pub.slug).trim();
  const id = postFileId(item.infoCode ?? item.key);

  const frontMatter = [
    '---',
    'layout: post',
    `title: ${yamlDoubleQuoted(item.title)}`,
    `date: ${date.toFormat('yyyy-MM-dd HH:mm:ss ZZZ')}`,
    `categories: ${yamlWord(slug)}`,
    `tags: ${yamlWord(`${name}新闻`)}`,
    '---',
  ].join('\n');

  const links = `[返回${markdownText(name)}新闻](${joinUrl(site.url, `category/${encodeURIComponent(slug)}.html`)})｜[返回首页](${joinUrl(site.url, '')})`;

  return {
    path: `_posts/${date.toFormat('yyyy-MM-dd')}-${id}.md`,
    content: `${frontMatter}\n${bodyWithAttribution(item.contentHtml, name)}\n\n${linkLine(item, site)}${links}`,
  };
}

/** The body, with the attribution paragraph appended when it has none. */
function bodyWithAttribution(contentHtml: string, publisher: string): string {
  return ensureAttribution(cleanText(contentHtml).trim(), publisher);
}

/**
 * The link paragraph: `<site.shareUrl with the infoCode>`, else `<the item's own link>`,
 * followed by the blank line before the back-links; nothing when neither is an http(s)
 * URL (an item whose feed gave no usable link), so no `javascript:` or `file:` link is
 * ever written.
 */
function linkLine(item: Item, site: Pick<SiteConfig, 'shareUrl'>): string {
  const template = site.shareUrl?.trim();
  const shared =
    template !== undefined && template !== '' && item.infoCode !== null && template.includes('{infoCode}')
      ? template.replaceAll('{infoCode}', encodeURIComponent(item.infoCode))
      : undefined;
  const url = [shared, item.url.trim()].map((u) => (u === undefined ? '' : cleanText(u))).find((u) => isHttpUrl(u));
  if (url === undefined) return '';
  // Inside a Markdown autolink `<…>` there may be no spaces, `<` or `>`.
  return `<${url.replace(/[\s<>]/g, (c) => encodeURIComponent(c))}>\n\n`;
}

/** Longest id part of a post's file name, so `YYYY-MM-DD-<id>.md` stays far below 255 bytes. */
export const MAX_POST_ID_CHARS = 100;
const HASH_CHARS = 12;
const HASHED = new RegExp(`-[0-9a-f]{${HASH_CHARS}}$`);

/**
 * The id part of a post's file name. An id made only of letters, digits, `.`, `_` and `-`,
 * at most {@link MAX_POST_ID_CHARS} long, is used as is (the seed's `NW2022…`). Any other
 * (`COLL/A`, `COLL?A`, a 300-character code) becomes its file-safe form, cut short, plus
 * `-` and a hash of the whole id, so two ids never share a file and the same id always
 * gets the same name. A plain id that itself ends like a hash suffix is hashed too, so a
 * plain name can never equal a hashed one.
 */
export function postFileId(rawId: string): string {
  const raw = cleanText(rawId).trim();
  const safe = raw.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '');
  if (safe !== '' && safe === raw && safe.length <= MAX_POST_ID_CHARS && !HASHED.test(safe)) return safe;
  const hash = createHash('sha256').update(rawId, 'utf8').digest('hex').slice(0, HASH_CHARS);
  const prefix = safe.slice(0, MAX_POST_ID_CHARS - HASH_CHARS - 1).replace(/-+$/, '');
  return `${prefix === '' ? 'item' : prefix}-${hash}`;
}

/**
 * A YAML double-quoted scalar: `\` and `"` escaped, and every character YAML does not
 * allow printed as is (C0, DEL, C1 controls, the line/paragraph separators, BOM)
 * escaped, so a title is always one line and reads back unchanged.
 */
export function yamlDoubleQuoted(text: string): string {
  const escaped = text
    // Lone surrogates cannot be written as UTF-8 at all.
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
// eslint-disable-next-line no-control-regex -- finding control characters is the point
    .replace(/[\\"\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF\uFFFE\uFFFF]/g, (c) => YAML_ESCAPES[c] ?? hexEscape(c));
  return `"${escaped}"`;
}

const YAML_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\0': '\\0',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\u0085': '\\N',
  '\u2028': '\\L',
  '\u2029': '\\P',
};

function hexEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * A front-matter value Jekyll reads as one word: plain when it is (the seed's
 * `zhongguogongyebao`, `中国工业报新闻`), else a one-element flow list, since Jekyll
 * splits a string of categories or tags at spaces.
 */
function yamlWord(text: string): string {
// eslint-disable-next-line no-control-regex -- finding control characters is the point
  const plain = /^[^\s\-?:,[\]{}#&*!|>'"%@`\\][^\s:#,[\]{}]*$/u.test(text) && !/[\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF\uFFFE\uFFFF]/.test(text);
  return plain ? text : `[${yamlDoubleQuoted(text)}]`;
}

/** Text inside a Markdown link label: brackets and backslashes escaped. */
function markdownText(text: string): string {
  return text.replace(/[\\[\]]/g, (c) => `\\${c}`);
}
