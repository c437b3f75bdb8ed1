import { decodeHTMLStrict } from 'entities';

/**
 * Repairs the usual faults of real-world feeds that make a strict XML parser reject
 * the whole document, without changing what a lenient reader would see:
 * a byte-order mark, C0 control characters, bare `&` (`AT&T`, `a=1&b=2`), and HTML
 * named entities XML does not define (`&nbsp;`, `&mdash;`, `&ldquo;`), which become
 * numeric references. CDATA sections, comments and processing instructions are
 * left as they are (entities mean nothing there), except for control characters,
 * which XML forbids everywhere.
 */
export interface RepairedXml {
  text: string;
  /** What was changed, for the feed's warnings (empty when nothing was). */
  fixes: string[];
}

/** The five entities XML itself defines. */
const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

// Tab, LF and CR are the only C0 characters XML 1.0 allows; U+FFFE/U+FFFF are never allowed.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Parts where entities are not interpreted. */
const OPAQUE = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;

const AMPERSAND = /&(?:(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});)?/g;

/** Applies every repair and says which ones changed something. */
export function repairXml(input: string): RepairedXml {
  const fixes: string[] = [];
  let text = input;

  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const withoutControls = text.replace(FORBIDDEN_CHARS, '');
  if (withoutControls.length !== text.length) {
    fixes.push(`removed ${text.length - withoutControls.length} control character(s)`);
    text = withoutControls;
  }

  const counts = { bare: 0, named: 0, badNumeric: 0 };
  let out = '';
  let last = 0;
  for (const m of text.matchAll(OPAQUE)) {
    out += repairEntities(text.slice(last, m.index), counts) + m[0];
    last = m.index + m[0].length;
  }
  out += repairEntities(text.slice(last), counts);
  // Every change is counted. A clean feed is handed on as it came: one flat string, not a join of its pieces.
  if (counts.bare + counts.named + counts.badNumeric > 0) text = out;
  if (counts.bare > 0) fixes.push(`escaped ${counts.bare} bare '&'`);
  if (counts.named > 0) fixes.push(`replaced ${counts.named} HTML entit${counts.named === 1 ? 'y' : 'ies'} unknown to XML`);
  if (counts.badNumeric > 0) fixes.push(`removed ${counts.badNumeric} reference(s) to characters XML forbids`);

  return { text, fixes };
}

function repairEntities(segment: string, counts: { bare: number; named: number; badNumeric: number }): string {
  if (!segment.includes('&')) return segment;
  return segment.replace(AMPERSAND, (whole, ref: string | undefined) => {
    if (ref === undefined) {
      counts.bare++;
      return '&amp;';
    }
    if (ref.startsWith('#')) {
      const hex = ref[1] === 'x' || ref[1] === 'X';
      const cp = Number.parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10);
      if (isXmlChar(cp)) return whole;
      counts.badNumeric++;
      return '';
    }
    if (XML_ENTITIES.has(ref)) return whole;
    // Strict: only complete `&name;` references, so `&notit;` is not read as `&not` + "it;".
    const decoded = decodeHTMLStrict(whole);
    if (decoded === whole) {
      // Not an entity anywhere: the author meant a literal "&name;".
      counts.bare++;
      return `&amp;${ref};`;
    }
    counts.named++;
    return Array.from(decoded, (ch) => `&#${ch.codePointAt(0)};`).join('');
  });
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}
