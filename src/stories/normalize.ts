/**
 * The text a story fingerprint is taken over: an article's title and body with what
 * publishers change when they reprint a piece removed — the attribution line
 * `（文章来源：X）`, editor, author and reporter lines, `原标题：` lines, `【…】` prefixes —
 * and then every character that is not a letter or a digit (whitespace, CJK and ASCII
 * punctuation, symbols). Full-width forms are folded to ASCII and letters lower-cased,
 * so `２０２２年` and `2022年` read alike.
 */
import { decodeHTML } from 'entities';

/** Paragraph breaks of stored bodies: block ends, `<br>` and newlines. */
const BREAKS = /<\/(?:p|div|li|h[1-6]|tr|blockquote|section)\s*>|<br\s*\/?>|\n/giu;
const TAGS = /<[^>]*>/gu;

/** Lines that are bookkeeping of one publisher, not part of the piece. */
const BOILERPLATE_LINES: readonly RegExp[] = [
  // （文章来源：中国工业报） 文章来源：新华社 来源：证券时报网
  /^[（(【[]?\s*(?:文章|稿件|信息|新闻)?来源\s*[:：]/u,
  // （责任编辑：DF537） 编辑：王明 校对：李红
  /^[（(【[]?\s*(?:责任编辑|责编|编辑|实习编辑|校对|审校|审核|终审|监制|值班编辑|栏目主编|主编)\s*[:：]/u,
  // 原标题：…
  /^[（(【[]?\s*原标题\s*[:：]/u,
  // 作者：刘英  记者 刘英  本报记者 刘英 王明  文/刘英  撰文：刘英
  /^[（(【[]?\s*(?:(?:本报|新华社|中新社|人民网|见习|特约|首席)?记者|作者|撰文|文\s*[/／]|通讯员|摄影|图\s*[/／])\s*[:：|｜ ]?\s*[\p{Script=Han}·•A-Za-z0-9 、,，/／]{0,20}[）)】\]]?$/u,
  // (刘英)  （完）  （全文完）
  /^[（(]\s*[\p{Script=Han}·• 、]{1,12}\s*[）)]$/u,
  // 免责声明 and risk notes that portals append to every piece
  /^[（(【[]?\s*(?:免责声明|风险提示|郑重声明|特别提示|声明)\s*[:：】\]]/u,
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
