import type { InfoCodeRule, SourceItem } from '../domain.js';
import { FinewsError } from '../errors.js';
import { isBoundedPattern, MAX_PATTERN_INPUT } from '../util/bounded-pattern.js';

/**
 * infoCode: the article id Eastmoney-style sites put in their links
 * (`?infoCode=NW202203302327572513`, `/a/202203302327572513.html`). Items are
 * deduplicated by it across sources (INTERFACE §3).
 */

/** The query parameter every source is checked for, whatever its own rule says. */
const DEFAULT_PARAM = 'infocode';

/**
 * Eastmoney article paths. At least 12 digits: shorter numeric ids in `/a/5.html`
 * on unrelated sites are page numbers or CMS row ids, not article codes.
 */
const EASTMONEY_PATHS = [/\/a\/(\d{12,20})\.s?html?$/i, /\/news\/\d+,(\d{12,20})\.s?html?$/i];

/** Bare news codes (a timestamp plus a serial) that Eastmoney writes with an `NW` prefix. */
const BARE_NEWS_CODE = /^\d{17,18}$/;

const compiled = new Map<string, RegExp>();

/**
 * Finds an item's infoCode, not yet canonical: the record's own `infoCode` field
 * (json/html sources' `fields.infoCode`, trimmed) first; else as written in its link or
 * guid (trimmed, URL-decoded): the rule's `pattern` (first capture group), else the rule's
 * query parameter (`rule.param`, then `infoCode`; names matched case-insensitively),
 * else an Eastmoney-style path (`/a/<digits>.html`, `/news/<n>,<digits>.html`).
 * Each step looks at the link first, then the guid. Null when none matches.
 *
 * The pattern is only run on links and guids of at most {@link MAX_PATTERN_INPUT} characters.
 *
 * @throws FinewsError `config-invalid` when `rule.pattern` is not a valid regex, or one with
 *   nested quantifiers that could run for minutes on a hostile link (config checks refuse both).
 */
export function extractInfoCode(item: SourceItem, rule: InfoCodeRule): string | null {
  const own = item.infoCode?.trim();
  if (own) return own;
  const places = [item.link, item.guid].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  if (places.length === 0) return null;

  if (rule.pattern !== undefined && rule.pattern !== '') {
    const re = patternOf(rule.pattern);
    for (const place of places) {
      // Bounded work per item: an over-long link or guid is not matched against the pattern.
      if (place.length > MAX_PATTERN_INPUT) continue;
      const found = clean(re.exec(place)?.[1]);
      if (found !== null) return found;
    }
  }

  const params = [...new Set([rule.param.toLowerCase(), DEFAULT_PARAM])].filter((p) => p !== '');
  for (const param of params) {
    for (const place of places) {
      const found = queryParam(place, param);
      if (found !== null) return found;
    }
  }

  for (const place of places) {
    const path = pathOf(place);
    if (path === null) continue;
    for (const re of EASTMONEY_PATHS) {
      const found = clean(re.exec(path)?.[1]);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * The canonical form of an infoCode, as it appears in every output: trimmed and
 * upper-cased; a bare 17–18-digit news code gets its `NW` prefix
 * (`202203302327572513` → `NW202203302327572513`). Other codes such as
 * `AN202203301557` are only upper-cased.
 */
export function canonicalInfoCode(raw: string): string {
  const code = raw.trim().toUpperCase();
  return BARE_NEWS_CODE.test(code) ? `NW${code}` : code;
}

/**
 * The form two infoCodes are compared in: trimmed, upper-cased, a leading `NW`
 * dropped, so `NW202203302327572513` and `202203302327572513` are one article.
 * `NW` is only dropped before a digit: it is the prefix of numeric news codes, and a
 * code that merely starts with those letters is a different code.
 */
export function comparisonForm(code: string): string {
  const c = code.trim().toUpperCase();
  return /^NW\d/.test(c) ? c.slice(2) : c;
}

/** True when two infoCodes name the same article. */
export function sameInfoCode(a: string, b: string): boolean {
  return comparisonForm(a) === comparisonForm(b);
}

function patternOf(source: string): RegExp {
  let re = compiled.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source);
    } catch (cause) {
      throw new FinewsError('config-invalid', `infoCode.pattern ${JSON.stringify(source)} is not a valid regular expression`, {
        cause,
      });
    }
    if (!isBoundedPattern(source)) {
      throw new FinewsError('config-invalid', `infoCode.pattern ${JSON.stringify(source)} has nested quantifiers and may take exponential time`);
    }
    compiled.set(source, re);
  }
  return re;
}

/** The value of query parameter `name` (lower-case) in a URL's query or in a `#…?a=b` hash route. */
function queryParam(place: string, name: string): string | null {
  const url = parseUrl(place);
  const queries: string[] = [];
  if (url !== null) {
    queries.push(url.search);
    const q = url.hash.indexOf('?');
    if (q >= 0) queries.push(url.hash.slice(q));
  } else {
    // A guid such as "infoCode=NW2022…" or "news?infoCode=…" that is not a URL.
    const q = place.indexOf('?');
    queries.push(q >= 0 ? place.slice(q) : place);
  }
  for (const query of queries) {
    for (const [key, value] of new URLSearchParams(query)) {
      if (key.trim().toLowerCase() === name) {
        const found = clean(value);
        if (found !== null) return found;
      }
    }
  }
  return null;
}

function pathOf(place: string): string | null {
  const url = parseUrl(place);
  return url === null ? null : url.pathname;
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text.trim());
  } catch {
    return null;
  }
}

function clean(value: string | undefined): string | null {
  if (value === undefined) return null;
  let v = value;
  try {
    v = decodeURIComponent(v);
  } catch {
    // keep it as written: a stray % is not worth losing the code over
  }
  v = v.trim();
  return v === '' ? null : v;
}
