/**
 * Text hygiene shared by parsing, sanitizing and every renderer: what may not appear in
 * a document, and HTML escaping.
 */

// C0 controls except \t \n \r, plus U+FFFE/U+FFFF: not allowed anywhere in an XML 1.0
// document (not even as character references), and meaningless in HTML and JSON text.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
// A surrogate half without its partner cannot be encoded as UTF-8 (Buffer.from would
// silently write U+FFFD); pairs (emoji) are kept.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Drops characters that make a document ill-formed: C0 control characters other than
 * tab, line feed and carriage return, the noncharacters U+FFFE/U+FFFF and lone
 * surrogates. Everything else (CJK, emoji, punctuation) is kept as is.
 */
export function cleanText(text: string): string {
  return text.replace(FORBIDDEN, '').replace(LONE_SURROGATE, '');
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML and XML, in element content and in quoted attribute values
 * alike (`&`, `<`, `>`, `"`, `'`), after {@link cleanText}.
 */
export function escapeHtml(text: string): string {
  return cleanText(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Collapses every run of whitespace to one space and trims. JavaScript's `\s` covers
 * the full-width indent U+3000 and the no-break space U+00A0 of Chinese news pages.
 */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The first `max` characters (code points) of `text`, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let count = 0;
  let end = 0;
  for (const ch of text) {
    if (count === max) return `${text.slice(0, end).trimEnd()}…`;
    end += ch.length;
    count++;
  }
  return text;
}

/** Han characters, CJK punctuation and full-width forms: text that joins without spaces. */
const CJK = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef\u2018-\u201d]/u;

/**
 * Joins paragraphs' texts into one line the way the language writes it: Chinese runs on
 * without a space ("情况。数据显示…"), other text gets one space between paragraphs.
 */
export function joinParagraphs(texts: readonly string[]): string {
  let out = '';
  for (const raw of texts) {
    const text = collapseWhitespace(raw);
    if (text === '') continue;
    if (out === '') out = text;
    else out += (CJK.test(out.at(-1) ?? '') || CJK.test(text[0] ?? '') ? '' : ' ') + text;
  }
  return out;
}
