import { decodeHTML, decodeHTMLStrict } from 'entities';
import { collapseWhitespace } from '../util/html.js';

/** Elements whose end separates lines of text. */
const BLOCK_END = /<\/(?:p|div|li|h[1-6]|tr|blockquote|section|article|table|ul|ol|pre|figure)\s*>|<br\s*\/?>/gi;
const TAG = /<\/?[A-Za-z][^>]*>|<!--[\s\S]*?-->/g;

/**
 * Plain text of an HTML fragment: scripts, styles and tags dropped, entities decoded,
 * all whitespace (newlines, U+3000 indents, non-breaking spaces) collapsed to single
 * spaces.
 */
export function htmlToText(html: string): string {
  // Most record and feed text holds no markup at all: nothing to strip or decode.
  if (!html.includes('<') && !html.includes('&')) return collapseWhitespace(html);
  const text = html
    .replace(/<(script|style|noscript)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(BLOCK_END, ' ')
    .replace(TAG, '');
  return collapseWhitespace(decodeHTML(text));
}

/**
 * A one-line text field such as a title: tags dropped, entities left over from
 * double escaping (`&amp;quot;` → `"`) decoded, whitespace collapsed. Only complete
 * `&name;` references are decoded, so "R&D" and "Q&A" stay as written.
 */
export function inlineText(text: string): string {
  if (!text.includes('<') && !text.includes('&')) return collapseWhitespace(text);
  return collapseWhitespace(decodeHTMLStrict(text.replace(TAG, '')));
}
