/**
 * The special one-line paragraphs of Chinese news bodies: the attribution
 * `（文章来源：中国工业报）`, the byline `(刘英)` and editor lines `（责任编辑：DF537）`.
 * All take the paragraph's plain text (tags already stripped). The words they are
 * recognised by are util/news-lines', which the story fingerprint shares.
 */
import { collapseWhitespace, escapeHtml } from '../util/html.js';
import { AUTHOR_ROLES, anyOf, EDITOR_ROLES, NAME_CHARS, OPEN_BRACKET, REPORTER_PREFIXES, SOURCE_LABELS } from '../util/news-lines.js';

/** The class Eastmoney gives the attribution paragraph; kept by the sanitizer. */
const ATTRIBUTION_CLASS = 'em_media';

const ATTRIBUTION = new RegExp(String.raw`^([（(])?\s*${anyOf(SOURCE_LABELS)}\s*[:：]\s*(.*?)\s*$`, 'su');

/**
 * The publisher X of an attribution line `（文章来源：X）` / `(文章来源:X)` / `文章来源：X`,
 * whitespace trimmed; `''` when the line names nobody (`（文章来源：）`); `undefined` when
 * the text is not an attribution line at all.
 */
export function parseAttribution(text: string): string | undefined {
  const m = ATTRIBUTION.exec(collapseWhitespace(text));
  if (m === null) return undefined;
  let publisher = m[2] ?? '';
  // Only an opened parenthesis is closed at the end: `文章来源：新华社（北京）` keeps its `）`.
  if (m[1] !== undefined && /[）)]$/u.test(publisher)) publisher = publisher.slice(0, -1).trimEnd();
  return publisher;
}

/** `<p class="em_media">（文章来源：X）</p>`, X HTML-escaped. */
export function attributionParagraph(publisher: string): string {
  return `<p class="${ATTRIBUTION_CLASS}">（文章来源：${escapeHtml(publisher)}）</p>`;
}

/** An opening `<p>` whose class list names em_media, however quoted or cased. */
const ATTRIBUTION_P = /<p\b[^>]*\bclass\s*=\s*(["'])(?:(?!\1).)*\bem_media\b/i;

/** True when content already holds an attribution paragraph. */
function hasAttribution(contentHtml: string): boolean {
  return ATTRIBUTION_P.test(contentHtml);
}

/**
 * Content ending with an attribution paragraph: `contentHtml` unchanged when it has one
 * or `publisher` is blank, else with `（文章来源：<publisher>）` appended (directly after
 * the last paragraph, as the seed post writes it).
 */
export function ensureAttribution(contentHtml: string, publisher: string): string {
  if (hasAttribution(contentHtml) || publisher.trim() === '') return contentHtml;
  return contentHtml + attributionParagraph(publisher.trim());
}

/**
 * The editor roles whose lines are dropped when written without brackets (`责任编辑：王明`).
 * A dropped line is lost from the stored body, so a bare `编辑：` or `审核：` paragraph,
 * which may be the piece's own text, is kept; the story fingerprint ignores them all.
 */
const BARE_EDITOR_ROLES: readonly string[] = ['责任编辑', '责编'];
const EDITOR_IN_PARENS = new RegExp(String.raw`^${OPEN_BRACKET}\s*${anyOf(EDITOR_ROLES)}\s*[:：]`, 'u');
const EDITOR_BARE = new RegExp(String.raw`^${anyOf(BARE_EDITOR_ROLES)}\s*[:：]`, 'u');

/** True for editor lines such as `（责任编辑：DF537）` or `责任编辑：王明`, dropped from bodies. */
export function isEditorLine(text: string): boolean {
  const t = collapseWhitespace(text);
  return EDITOR_IN_PARENS.test(t) || EDITOR_BARE.test(t);
}

const NAME = String.raw`[${NAME_CHARS}]{2,6}`;
const NAMES = String.raw`${NAME}(?:[ 、,，/／]+${NAME}){0,4}`;
const ROLE = String.raw`(?:${anyOf(REPORTER_PREFIXES)}?记者|${anyOf(AUTHOR_ROLES)}|文)`;
const BYLINES = [
  // (刘英) （记者 刘英） (本报记者 刘英 王明) （文/刘英）
  new RegExp(String.raw`^[（(]\s*(?:${ROLE}\s*[:：/／|｜]?\s*)?(${NAMES})\s*[）)]$`, 'u'),
  // 文/刘英  作者：刘英  本报记者 刘英
  new RegExp(String.raw`^${ROLE}\s*[:：/／|｜ ]\s*(${NAMES})$`, 'u'),
];
/** Parenthesised endings that are not names. */
const NOT_NAMES = new Set(['完', '全文完', '本文完', '待续', '未完待续', '未完', '续完', '图', '资料图', '图片', '原标题']);

/**
 * The author of a byline paragraph — `(刘英)`, `（记者 刘英）`, `文/刘英`, `（本报记者 刘英 王明）`
 * — as written, whitespace collapsed; `undefined` when the text is not a byline.
 */
export function parseByline(text: string): string | undefined {
  const t = collapseWhitespace(text);
  for (const re of BYLINES) {
    const name = re.exec(t)?.[1];
    if (name !== undefined && !NOT_NAMES.has(name)) return name;
  }
  return undefined;
}
