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
/** A figure as {@link numbersIn} reads it, in NFKC-folded text. */
const NUMBER = /\d+(?:\.\d+)?/gu;

/**
 * The paragraphs of `body` (stored HTML or plain text) as plain text, tags stripped,
 * entities decoded and whitespace collapsed; empty ones dropped.
 */
export function paragraphsOf(body: string): string[] {
  const out: string[] = [];
  for (const chunk of body.split(BREAKS)) {
    const stripped = chunk.includes('<') ? chunk.replace(TAGS, ' ') : chunk;
    const text = (stripped.includes('&') ? decodeHTML(stripped) : stripped).replace(/\s+/gu, ' ').trim();
    if (text !== '') out.push(text);
  }
  return out;
}

/** True when a paragraph is one publisher's bookkeeping (attribution, editor, byline, 原标题, disclaimer). */
export function isBoilerplateLine(text: string): boolean {
  const t = text.trim();
  return BOILERPLATE_LINES.some((re) => re.test(t));
}

/**
 * The texts an article's story is read from: its title, then the paragraphs of its body
 * that are not boilerplate lines, as {@link paragraphsOf} gives them.
 */
export function storyParts(title: string, body: string): string[] {
  const parts = [title];
  for (const p of paragraphsOf(body)) if (!isBoilerplateLine(p)) parts.push(p);
  return parts;
}

/** A unit of {@link FOLD} whose folding depends on its neighbours. */
const UNSAFE = 0xffff;

/**
 * What NFKC folding, lower-casing and {@link NOT_WORD} make of each UTF-16 unit that
 * comes out of them alone, whatever its neighbours: the unit it becomes (0 when dropped),
 * or {@link UNSAFE}. Safe are ASCII, CJK ideographs (U+3400–4DBF, U+4E00–9FFF), the CJK
 * and general punctuation of Chinese text, full-width ASCII forms and ￠￡￢￤￥￦: none of
 * these is reordered or composed with a neighbour by NFKC, and none lower-cases by
 * context. Everything else (combining marks, Hangul, half-width katakana, astral
 * characters) is UNSAFE and sends its text down the general path.
 */
const FOLD = buildFold();

function buildFold(): Uint16Array {
  const fold = new Uint16Array(0x10000).fill(UNSAFE);
  for (let c = 0; c < 0x80; c++) {
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a)) fold[c] = c;
    else if (c >= 0x41 && c <= 0x5a) fold[c] = c + 0x20;
    else fold[c] = 0;
  }
  // Full-width ASCII: NFKC gives the ASCII character.
  for (let c = 0xff01; c <= 0xff5e; c++) fold[c] = fold[c - 0xfee0] as number;
  for (let c = 0x3400; c <= 0x4dbf; c++) fold[c] = c;
  for (let c = 0x4e00; c <= 0x9fff; c++) fold[c] = c;
  // Dropped: no-break and ideographic space, · × ÷, dashes, quotes, daggers, bullets,
  // leaders and ellipsis, ‰ ′ ″, CJK punctuation and brackets, ⦅⦆ and half-width 。「」、,
  // ￠￡￢￤￥￦.
  const dropped = [
    [0xa0, 0xa0], [0xb7, 0xb7], [0xd7, 0xd7], [0xf7, 0xf7],
    [0x2010, 0x2027], [0x2030, 0x2030], [0x2032, 0x2033],
    [0x3000, 0x3004], [0x3008, 0x3020], [0x3030, 0x3030],
    [0xff5f, 0xff64], [0xffe0, 0xffe2], [0xffe4, 0xffe6],
  ];
  for (const [from, to] of dropped) for (let c = from as number; c <= (to as number); c++) fold[c] = 0;
  // Letters and numbers among the CJK symbols, unchanged by NFKC: 々 〆 〇, 〡–〩, 〱–〵.
  for (const c of [0x3005, 0x3006, 0x3007]) fold[c] = c;
  for (let c = 0x3021; c <= 0x3029; c++) fold[c] = c;
  for (let c = 0x3031; c <= 0x3035; c++) fold[c] = c;
  return fold;
}

/** True for a unit that NFKC folds to one `.` alone: `.`, `．`, `․`. */
function isDot(c: number): boolean {
  return c === 0x2e || c === 0xff0e || c === 0x2024;
}

/** The unit of an ASCII digit that `c` folds to, or -1. */
function digitOf(c: number): number {
  const f = FOLD[c] as number;
  return f >= 0x30 && f <= 0x39 ? f : -1;
}

/** What one text contributes to an article's story: its letters and digits after `from`, and its figures. */
interface Folded {
  words: string;
  numbers: string[];
}

/**
 * {@link wordCharacters} of `text` from `from` on, and the figures of the whole of
 * `text` (NFKC-folded, as {@link NUMBER} reads them), in one pass over its units; null
 * when a unit is not safe to fold alone.
 */
function foldSafe(text: string, from: number): Folded | null {
  let words = '';
  // Start of the units kept as they are, not yet appended to `words`; a unit folding to
  // another or dropped (folded to 0, which U+0000 is too) ends the run.
  let run = from;
  const numbers: string[] = [];
  const len = text.length;
  for (let i = 0; i < len; ) {
    const c = text.charCodeAt(i);
    const f = FOLD[c] as number;
    if (f === UNSAFE) return null;
    if (f >= 0x30 && f <= 0x39) {
      // A figure: digits, then a dot and digits; written as NFKC folds it.
      const start = i;
      let figure = '';
      let j = i;
      while (j < len && digitOf(text.charCodeAt(j)) >= 0) figure += String.fromCharCode(digitOf(text.charCodeAt(j++)));
      if (j + 1 < len && isDot(text.charCodeAt(j)) && digitOf(text.charCodeAt(j + 1)) >= 0) {
        figure += '.';
        j++;
        while (j < len && digitOf(text.charCodeAt(j)) >= 0) figure += String.fromCharCode(digitOf(text.charCodeAt(j++)));
      }
      numbers.push(figure);
      // The units of the figure go through the word rules one by one below.
      for (let k = start; k < j; k++) {
        const ck = text.charCodeAt(k);
        const fk = FOLD[ck] as number;
        if (fk === UNSAFE) return null;
        if (k >= from && (fk !== ck || ck === 0)) {
          if (run < k) words += text.slice(run, k);
          if (fk !== 0) words += String.fromCharCode(fk);
          run = k + 1;
        }
      }
      i = j;
      continue;
    }
    if (i >= from && (f !== c || c === 0)) {
      if (run < i) words += text.slice(run, i);
      if (f !== 0) words += String.fromCharCode(f);
      run = i + 1;
    }
    i++;
  }
  if (run < len) words += text.slice(run, len);
  return { words, numbers };
}

/** The length of the leading `【…】` prefix of `text`, 0 when it has none. */
function bracketPrefixLength(text: string): number {
  if (!text.includes('【')) return 0;
  return BRACKET_PREFIX.exec(text)?.[0].length ?? 0;
}

/**
 * What one title or paragraph contributes to its article's story: its letters and digits
 * (NFKC-folded, lower-cased) with a leading `【…】` prefix cut, and the figures it states
 * (`\d+(?:\.\d+)?` of its NFKC folding, prefix included). Most text is folded one unit at
 * a time; a text holding a unit whose folding depends on its neighbours is normalized whole.
 */
export function foldStoryPart(text: string): Folded {
  const from = bracketPrefixLength(text);
  const safe = foldSafe(text, from);
  if (safe !== null) return safe;
  const numbers: string[] = [];
  for (const m of text.normalize('NFKC').matchAll(NUMBER)) numbers.push(m[0]);
  return { words: wordsOfNormalized(text.slice(from)), numbers };
}

function wordsOfNormalized(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(NOT_WORD, '');
}

/** Letters and digits only, NFKC-folded and lower-cased. */
export function wordCharacters(text: string): string {
  return foldSafe(text, 0)?.words ?? wordsOfNormalized(text);
}

/**
 * The normalized text of an article for fingerprinting: its title and the paragraphs
 * of its body, boilerplate lines dropped, `【…】` prefixes cut, reduced to letters and
 * digits and joined without separators.
 */
export function storyText(title: string, body: string): string {
  let out = '';
  for (const part of storyParts(title, body)) out += foldStoryPart(part).words;
  return out;
}
