/**
 * The text a story fingerprint is taken over: an article's title and body with what
 * publishers change when they reprint a piece removed — the attribution line
 * `（文章来源：X）`, editor, author and reporter lines, `原标题：` lines, `【…】` prefixes —
 * and then every character that is not a letter or a digit (whitespace, CJK and ASCII
 * punctuation, symbols). Full-width forms are folded to ASCII and letters lower-cased,
 * so `２０２２年` and `2022年` read alike.
 */
import { decodeHTML } from 'entities';
import { AUTHOR_ROLES, anyOf, EDITOR_ROLES, NAME_CHARS, OPEN_BRACKET, REPORTER_PREFIXES, SOURCE_LABELS } from '../util/news-lines.js';

/** Paragraph breaks of stored bodies: block ends, `<br>` and newlines. */
const BREAKS = /<\/(?:p|div|li|h[1-6]|tr|blockquote|section)\s*>|<br\s*\/?>|\n/giu;
const TAGS = /<[^>]*>/gu;

// The fingerprint ignores more lines than extraction (articles/lines) takes out of a
// stored body. The words both know come from util/news-lines; the FINGERPRINT_* lists and
// the 原标题, photo-credit, parenthesised-ending and disclaimer patterns are this module's
// own. Extraction drops only lines it is sure of, since a line dropped there is lost from
// the stored article; a line ignored here only leaves the comparison, and these are the
// lines reprints add, drop or rewrite.

/** Source labels besides `文章来源`: `来源：证券时报网`, `稿件来源：新华社`. */
const FINGERPRINT_SOURCE_LABELS: readonly string[] = ['稿件来源', '信息来源', '新闻来源', '来源'];
/** Editor roles besides the shared ones: masthead lines portals print under a reprint. */
const FINGERPRINT_EDITOR_ROLES: readonly string[] = ['终审', '值班编辑', '栏目主编', '主编'];
/** What may stand before 记者 besides the shared prefixes: `人民网记者`, `首席记者`. */
const FINGERPRINT_REPORTER_PREFIXES: readonly string[] = ['人民网', '首席'];

const REPORTER = String.raw`${anyOf([...REPORTER_PREFIXES, ...FINGERPRINT_REPORTER_PREFIXES])}?记者`;

/** Lines that are bookkeeping of one publisher, not part of the piece. */
const BOILERPLATE_LINES: readonly RegExp[] = [
  // （文章来源：中国工业报） 文章来源：新华社 来源：证券时报网
  new RegExp(String.raw`^${OPEN_BRACKET}?\s*${anyOf([...SOURCE_LABELS, ...FINGERPRINT_SOURCE_LABELS])}\s*[:：]`, 'u'),
  // （责任编辑：DF537） 编辑：王明 校对：李红 (bare or bracketed, whatever the role)
  new RegExp(String.raw`^${OPEN_BRACKET}?\s*${anyOf([...EDITOR_ROLES, ...FINGERPRINT_EDITOR_ROLES])}\s*[:：]`, 'u'),
  // 原标题：… (a reprint names the original headline; stored bodies keep the line)
  new RegExp(String.raw`^${OPEN_BRACKET}?\s*原标题\s*[:：]`, 'u'),
  // 作者：刘英  记者 刘英  本报记者 刘英 王明  文/刘英  撰文：刘英, and photo credits 摄影：刘英  图/刘英
  new RegExp(
    String.raw`^${OPEN_BRACKET}?\s*(?:${REPORTER}|${anyOf(AUTHOR_ROLES)}|文\s*[/／]|摄影|图\s*[/／])\s*[:：|｜ ]?\s*[${NAME_CHARS}A-Za-z0-9 、,，/／]{0,20}[）)】\]]?$`,
    'u',
  ),
  // (刘英)  （完）  （全文完）: any short parenthesised Han line, a byline or an ending alike
  new RegExp(String.raw`^[（(]\s*[${NAME_CHARS} 、]{1,12}\s*[）)]$`, 'u'),
  // 免责声明 and risk notes that portals append to every piece (stored bodies keep them)
  new RegExp(String.raw`^${OPEN_BRACKET}?\s*(?:免责声明|风险提示|郑重声明|特别提示|声明)\s*[:：】\]]`, 'u'),
];

/** A leading `【…】` (a headline or column tag) on a title or paragraph. */
const BRACKET_PREFIX = /^\s*(?:【[^】]{0,60}】\s*)+/u;
/** Everything but letters and digits, after NFKC folding. */
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

/**
 * The paragraphs of `body` (stored HTML or plain text) as plain text, tags stripped,
 * entities decoded and whitespace collapsed; empty ones dropped.
 */
export function paragraphsOf(body: string): string[] {
  const out: string[] = [];
  for (const chunk of body.split(BREAKS)) {
    const text = decodeHTML(chunk.replace(TAGS, ' '))
      .replace(/\s+/gu, ' ')
      .trim();
    if (text !== '') out.push(text);
  }
  return out;
}

/** True when a paragraph is one publisher's bookkeeping (attribution, editor, byline, 原标题, disclaimer). */
export function isBoilerplateLine(text: string): boolean {
  const t = text.trim();
  return BOILERPLATE_LINES.some((re) => re.test(t));
}

/** Letters and digits only, NFKC-folded and lower-cased. */
export function wordCharacters(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(NOT_WORD, '');
}

/**
 * The normalized text of an article for fingerprinting: its title and the paragraphs
 * of its body, boilerplate lines dropped, `【…】` prefixes cut, reduced to letters and
 * digits and joined without separators.
 */
export function storyText(title: string, body: string): string {
  const parts = [wordCharacters(title.replace(BRACKET_PREFIX, ''))];
  for (const p of paragraphsOf(body)) {
    if (isBoilerplateLine(p)) continue;
    parts.push(wordCharacters(p.replace(BRACKET_PREFIX, '')));
  }
  return parts.join('');
}
