/**
 * Checks of a source's kind against its record mapping (INTERFACE §2a), on the raw data so
 * they are reported beside the schema's own findings: `items`/`fields` only on json/html
 * sources; those need `items`, `fields.title` and a link or infoCode field; every path,
 * selector and template must be usable by the source's reader.
 */
import type { SourceKind } from '../domain.js';
import { fieldRuleProblem, itemsProblem } from '../sources/field-rule.js';
import type { DataPath } from './yaml-positions.js';

/** One problem at a data path; `key` points at the key rather than the value. */
export interface SourceProblem {
  path: DataPath;
  message: string;
  key?: boolean;
}

const MAPPING_KEYS = ['items', 'fields', 'dateFormat'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Every kind/mapping problem of `sources[i]`. */
export function sourceKindProblems(source: unknown, i: number): SourceProblem[] {
  if (!isRecord(source)) return [];
  const at = (...rest: PropertyKey[]): DataPath => ['sources', i, ...rest];
  const where = `sources[${i}]`;
  const rawKind = typeof source.kind === 'string' ? source.kind.trim() : source.kind === undefined ? 'rss' : undefined;
  if (rawKind !== 'rss' && rawKind !== 'json' && rawKind !== 'html') return []; // the schema names a bad kind
  const kind: SourceKind = rawKind;
  const out: SourceProblem[] = [];
  if (typeof source.pages === 'number' && source.pages > 1 && typeof source.url === 'string' && !source.url.includes('{page}')) {
    out.push({ path: at('pages'), message: `${where}.pages: ${source.pages} pages, but the url has no {page}: every page would be the same request` });
  }

  if (kind === 'rss') {
    for (const key of MAPPING_KEYS) {
      if (source[key] !== undefined) {
        out.push({ path: at(key), key: true, message: `${where}: "${key}" is only for json and html sources; add kind: json or kind: html, or remove it (an rss source maps its items itself)` });
      }
    }
    return out;
  }

  const sourceKey = at(source.kind === undefined ? 'id' : 'kind');
  if (source.items === undefined) {
    out.push({ path: sourceKey, key: true, message: `${where}: a ${kind} source needs "items": ${kind === 'json' ? 'the dot path to its list of records (e.g. data.list)' : 'the CSS selector of each record (e.g. "ul.news > li")'}` });
  } else if (typeof source.items === 'string') {
    const problem = itemsProblem(kind, source.items);
    if (problem !== undefined) out.push({ path: at('items'), message: `${where}.items: ${problem}` });
  }

  const fields = source.fields;
  if (fields === undefined) {
    out.push({ path: sourceKey, key: true, message: `${where}: a ${kind} source needs "fields" with at least title and link or infoCode` });
    return out;
  }
  if (!isRecord(fields)) return out; // the schema reports the type
  if (fields.title === undefined) {
    out.push({ path: at('fields'), key: true, message: `${where}.fields: missing "title" (which ${kind === 'json' ? 'path' : 'selector'} holds each record's title)` });
  }
  if (fields.link === undefined && fields.infoCode === undefined) {
    out.push({ path: at('fields'), key: true, message: `${where}.fields: give "link" or "infoCode" (or both), so each record has an identity` });
  }
  for (const [name, rule] of Object.entries(fields)) {
    if (typeof rule === 'string') {
      const problem = fieldRuleProblem(kind, rule);
      if (problem !== undefined) out.push({ path: at('fields', name), message: `${where}.fields.${name}: ${problem}` });
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) out.push({ path: at('fields', name), message: `${where}.fields.${name}: the list of fallbacks must not be empty` });
      rule.forEach((entry: unknown, j) => {
        if (typeof entry !== 'string') return; // the schema reports the type
        const problem = fieldRuleProblem(kind, entry);
        if (problem !== undefined) out.push({ path: at('fields', name, j), message: `${where}.fields.${name}[${j}]: ${problem}` });
      });
    }
  }
  return out;
}
