/**
 * Turning fetched bytes into text: find the charset a body is in (declared or sniffed) and decode it.
 * Chinese sources are the norm, so GBK and GB2312 are read as their superset GB18030, and GB18030 is
 * the fallback for bytes that are not valid UTF-8.
 */
import iconv from 'iconv-lite';

export interface DecodedBody {
  text: string;
  /** Canonical name of the charset used, e.g. 'utf-8', 'gb18030', 'big5', 'utf-16le'. */
  charset: string;
  /** Set when the declared charset was overruled (a mislabelled body), each a short reason for the operator. */
  warnings?: string[];
}

/** How far into a document we look for a prolog or `<meta>` charset. */
const SNIFF_BYTES = 2048;

/** Labels that name the same decoder, after lower-casing. Anything else is asked of iconv-lite as is. */
const LABEL_ALIASES: Readonly<Record<string, string>> = {
  // GB18030 is a superset of GBK, which is a superset of GB2312: decoding them as GB18030 loses nothing
  // and rescues pages that declare gb2312 but use GBK-only characters (very common).
  gbk: 'gb18030',
  'x-gbk': 'gb18030',
  gb2312: 'gb18030',
  'gb_2312': 'gb18030',
  'gb_2312-80': 'gb18030',
  csgb2312: 'gb18030',
  'iso-ir-58': 'gb18030',
  csiso58gb231280: 'gb18030',
  chinese: 'gb18030',
  cp936: 'gb18030',
  'windows-936': 'gb18030',
  ms936: 'gb18030',
  'euc-cn': 'gb18030',
  gb18030: 'gb18030',
  big5: 'big5',
  'big5-hkscs': 'big5',
  'cn-big5': 'big5',
  csbig5: 'big5',
  'x-x-big5': 'big5',
  cp950: 'big5',
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  // As browsers do (WHATWG Encoding), the Latin-1 family is read as its superset windows-1252.
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'windows-1252': 'windows-1252',
};

/**
 * The decoder name for a charset label, or undefined when no decoder knows it (the caller then
 * tries its next rule).
 */
export function normalizeCharset(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  const l = label.trim().replace(/^["']|["']$/g, '').trim().toLowerCase();
  if (l === '') return undefined;
  const alias = LABEL_ALIASES[l];
  if (alias !== undefined) return alias;
  return iconv.encodingExists(l) ? l : undefined;
}

/** The charset parameter of a Content-Type value, e.g. `text/html; charset=GBK` → 'GBK'. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const m = /;\s*charset\s*=\s*("([^"]*)"|[^;\s]*)/i.exec(contentType);
  if (!m) return undefined;
  return m[2] ?? m[1];
}

function bomOf(body: Buffer): { charset: string; length: number } | undefined {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return undefined;
}

/** `encoding="…"` of an XML declaration at the very start of the document. */
function charsetFromXmlProlog(head: string): string | undefined {
  const m = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  return m?.[1];
}

/** `<meta charset>` or `<meta http-equiv="Content-Type" content="…charset=…">`, the first one found. */
function charsetFromMeta(head: string): string | undefined {
  const metaTags = head.match(/<meta\b[^>]*>/gi) ?? [];
  for (const tag of metaTags) {
    const attrs = new Map<string, string>();
    for (const m of tag.matchAll(/([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/]+))/gi)) {
      const name = m[1]!.toLowerCase();
      if (!attrs.has(name)) attrs.set(name, m[2] ?? m[3] ?? m[4] ?? '');
    }
    const charset = attrs.get('charset');
    if (charset !== undefined && charset.trim() !== '') return charset;
    if (attrs.get('http-equiv')?.trim().toLowerCase() === 'content-type') {
      const fromContent = /charset\s*=\s*["']?([^"'\s;]+)/i.exec(attrs.get('content') ?? '');
      if (fromContent?.[1]) return fromContent[1];
    }
  }
  return undefined;
}

/**
 * A charset declared inside an ASCII-compatible document cannot truthfully be UTF-16 (the
 * declaration itself was readable as ASCII), so, as browsers do, it is read as UTF-8.
 */
function inDocument(label: string | undefined): string | undefined {
  const cs = normalizeCharset(label);
  return cs === 'utf-16le' || cs === 'utf-16be' ? 'utf-8' : cs;
}

const REPLACEMENT = '\ufffd';

function hasNonAscii(body: Buffer): boolean {
  for (let i = 0; i < body.length; i++) if ((body[i] ?? 0) >= 0x80) return true;
  return false;
}

/** The body as UTF-8 when it is valid UTF-8 (one pass: the check is the decoding), else undefined. */
function strictUtf8(body: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    return undefined;
  }
}

function decodeAs(body: Buffer, charset: string): DecodedBody {
  const text = iconv.decode(body, charset, { stripBOM: true });
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, charset };
}

/**
 * Decodes a fetched body to text. The charset is taken from, in order: a byte-order mark (UTF-8,
 * UTF-16LE/BE), the `charset=` of the HTTP Content-Type, the XML declaration's `encoding="…"`, an
 * HTML `<meta charset>` / `<meta http-equiv="Content-Type">` in the first 2 KB; failing all of
 * those, UTF-8 when the bytes are valid UTF-8, else GB18030. GBK/GB2312 labels decode as GB18030;
 * labels no decoder knows are skipped. The BOM is never part of the text.
 *
 * A declared charset that does not fit is overruled, with a warning: when it decodes the body with
 * broken sequences (U+FFFD), or the document's own declaration says UTF-8, and the bytes are valid
 * UTF-8, the body is read as UTF-8.
 */
export function decodeBody(body: Buffer, contentType?: string): DecodedBody {
  // A BOM is unambiguous and is what browsers trust over the header (WHATWG Encoding "decode").
  const bom = bomOf(body);
  if (bom) return decodeAs(body.subarray(bom.length), bom.charset);

  // Declarations are ASCII; latin1 maps bytes 1:1 so multi-byte text around them cannot confuse the search.
  const head = body.subarray(0, SNIFF_BYTES).toString('latin1');
  const sniffed = inDocument(charsetFromXmlProlog(head)) ?? inDocument(charsetFromMeta(head));

  const label = charsetFromContentType(contentType);
  const declared = normalizeCharset(label);
  if (declared) {
    const decoded = decodeAs(body, declared);
    if (declared === 'utf-8' || !hasNonAscii(body)) return decoded;
    // A server-wide `charset=gb2312` over a page its CMS wrote in UTF-8: the header is wrong
    // when it gives broken sequences (or the document itself says UTF-8) and the bytes are UTF-8.
    const utf8 = decoded.text.includes(REPLACEMENT) || sniffed === 'utf-8' ? strictUtf8(body) : undefined;
    if (utf8 !== undefined) {
      return {
        text: utf8,
        charset: 'utf-8',
        warnings: [`declared charset ${label ?? declared} does not fit the body, which is valid UTF-8${sniffed === 'utf-8' ? ' and says so' : ''}: read as UTF-8`],
      };
    }
    return decoded;
  }

  if (sniffed) return decodeAs(body, sniffed);

  const utf8 = strictUtf8(body);
  if (utf8 !== undefined) return { text: utf8, charset: 'utf-8' };
  return decodeAs(body, 'gb18030');
}
