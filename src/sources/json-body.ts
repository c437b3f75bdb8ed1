import { FinewsError } from '../errors.js';
import { collapseWhitespace, truncate } from '../util/html.js';

/**
 * JSON bodies as list and article APIs send them, the wrapping detected by itself:
 * plain JSON, JSONP with any callback name (`jQuery112300_1648600000000({...});`) and a
 * script assignment (`var ajaxResult={...};`).
 */

/** How a body was wrapped around its JSON. */
export type JsonWrapping = 'json' | 'jsonp' | 'assignment';

export interface UnwrappedJson {
  value: unknown;
  wrapping: JsonWrapping;
}

/** Where a JSON body came from, for error messages. */
export interface JsonBodyOrigin {
  url: string;
  contentType?: string;
  sourceId?: string;
}

// Heads are matched on a bounded prefix so a huge body costs no regex backtracking.
const HEAD_BYTES = 512;
const CALLBACK_HEAD = /^(?:\/\*\*\/\s*)?(?:typeof\s+[\w$.]+\s*===?\s*['"]function['"]\s*&&\s*)?([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\(/;
const ASSIGNMENT_HEAD = /^(?:(?:var|let|const)\s+)?([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*=\s*(?=[[{])/;

/**
 * Parses a JSON body, unwrapping JSONP and `var x = …;`. Integers too long for a double
 * (18-digit news codes sent as numbers) are read as strings so they keep every digit.
 *
 * @throws FinewsError `not-json` (not retryable) naming the URL, the content type and the
 *   body's first characters (often an HTML error page).
 */
export function parseJsonBody(text: string, origin: JsonBodyOrigin): UnwrappedJson {
  const body = text.replace(/^\uFEFF/, '').trim();
  const located = locateJson(body);
  if (located !== undefined) {
    try {
      return { value: JSON.parse(exactIntegers(located.json)), wrapping: located.wrapping };
    } catch (err) {
      throw notJson(body, origin, err instanceof Error ? err.message : String(err));
    }
  }
  throw notJson(body, origin);
}

function locateJson(body: string): { json: string; wrapping: JsonWrapping } | undefined {
  const first = body[0];
  if (first === '{' || first === '[') return { json: body, wrapping: 'json' };
  const head = body.slice(0, HEAD_BYTES);
  const call = CALLBACK_HEAD.exec(head);
  if (call) {
    const end = body.replace(/[\s;]+$/, '');
    if (end.endsWith(')')) return { json: end.slice(call[0].length, -1).trim(), wrapping: 'jsonp' };
  }
  const assign = ASSIGNMENT_HEAD.exec(head);
  if (assign) return { json: body.slice(assign[0].length).replace(/[\s;]+$/, ''), wrapping: 'assignment' };
  return undefined;
}

/** Quotes bare integers of 16 or more digits outside strings: JSON.parse would round them. */
function exactIntegers(json: string): string {
  // Only a long run of digits right after `:`, `[` or `,` can be a bare integer.
  if (!/[:[,]\s*-?\d{16}/.test(json)) return json;
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      let j = i;
      while (j < json.length && json.charCodeAt(j) >= 0x30 && json.charCodeAt(j) <= 0x39) j++;
      const prev = json[i - 1];
      const next = json[j];
      const integer = prev !== '.' && prev !== 'e' && prev !== 'E' && next !== '.' && next !== 'e' && next !== 'E';
      if (integer && j - i >= 16 && prev !== '-') {
        out += `${json.slice(last, i)}"${json.slice(i, j)}"`;
        last = j;
      }
      i = j - 1;
    }
  }
  return out + json.slice(last);
}

function notJson(body: string, origin: JsonBodyOrigin, reason?: string): FinewsError {
  const type = origin.contentType?.trim() ? origin.contentType.trim() : 'no Content-Type';
  const start = body === '' ? 'an empty body' : `a body starting ${JSON.stringify(truncate(collapseWhitespace(body.slice(0, 200)), 60))}`;
  const why = reason === undefined ? '' : ` (${reason})`;
  return new FinewsError('not-json', `not JSON: ${origin.url} answered ${type} with ${start}${why}`, {
    url: origin.url,
    ...(origin.sourceId === undefined ? {} : { sourceId: origin.sourceId }),
    retryable: false,
  });
}
