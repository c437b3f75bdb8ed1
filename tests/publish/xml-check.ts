/**
 * Strict XML well-formedness for tests: sax in strict mode with namespaces (structure,
 * entities, unbound prefixes) plus the checks sax leaves out (characters XML 1.0
 * forbids, `<` inside attribute values, `]]>` in text).
 */
import { createRequire } from 'node:module';

interface SaxParser {
  onerror: (err: Error) => void;
  onopentag: (tag: { name: string }) => void;
  onclosetag: (name: string) => void;
  write(xml: string): SaxParser;
  close(): SaxParser;
  resume(): SaxParser;
}
interface SaxModule {
  parser(strict: boolean, opts: { xmlns: boolean }): SaxParser;
}

// sax ships no types and is here through rss-parser → xml2js; only its parser is used.
const sax = createRequire(import.meta.url)('sax') as SaxModule;

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Every well-formedness problem found in `xml` (empty when it is well-formed). */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  if (FORBIDDEN_CHARS.test(xml)) problems.push('character not allowed in XML 1.0');
  let roots = 0;
  let depth = 0;
  const parser = sax.parser(true, { xmlns: true });
  parser.onerror = (err) => {
    problems.push(err.message.split('\n')[0] ?? String(err));
    parser.resume();
  };
  parser.onopentag = () => {
    if (depth === 0) roots++;
    depth++;
  };
  parser.onclosetag = () => {
    depth--;
  };
  parser.write(xml).close();
  if (roots !== 1) problems.push(`expected one root element, found ${roots}`);
  problems.push(...markupProblems(xml));
  return problems;
}

/** Scans markup outside CDATA, comments and processing instructions. */
function markupProblems(xml: string): string[] {
  const problems: string[] = [];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text.includes(']]>')) problems.push(`"]]>" in text near ${i}`);
    if (lt === -1) break;
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      if (end === -1) return [...problems, 'unterminated CDATA'];
      i = end + 3;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end === -1) return [...problems, 'unterminated comment'];
      i = end + 3;
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end === -1) return [...problems, 'unterminated processing instruction'];
      i = end + 2;
    } else {
      // A tag: walk to its closing `>`, honouring quoted attribute values.
      let j = lt + 1;
      let quote: string | null = null;
      for (; j < xml.length; j++) {
        const c = xml[j];
        if (quote !== null) {
          if (c === quote) quote = null;
          else if (c === '<') problems.push(`"<" in an attribute value near ${j}`);
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
        else if (c === '<') problems.push(`"<" inside a tag near ${j}`);
      }
      i = j + 1;
    }
  }
  return problems;
}
