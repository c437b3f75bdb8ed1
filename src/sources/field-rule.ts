import type { FieldRule, RecordField, SourceKind } from '../domain.js';
import { pathProblem } from './record-path.js';
import { selectorProblem, selectorRuleProblem } from './selector.js';
import { isTemplate, parseTemplate, renderTemplate, templateProblem } from './template.js';

/**
 * Field rules of json/html sources (INTERFACE §2a): a path (json) or selector (html), a
 * list of them tried in order, or a template holding `{path}`s.
 */

/** Fields whose values are URLs: their templates URL-encode the values they insert. */
const URL_FIELDS: ReadonlySet<RecordField> = new Set(['link']);

/** The entries of a rule, in the order they are tried. */
export function ruleEntries(rule: FieldRule): string[] {
  return typeof rule === 'string' ? [rule] : rule;
}

/** True when a value counts as present: not null/undefined, not an empty or blank string, not an empty list. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * A field's value in one record: the first entry of `rule` that gives a present value.
 * `lookup` reads one path or selector in the record; a template's `{name}`s are looked up
 * the same way and the template gives nothing when any of them is missing.
 */
export function evaluateRule(field: RecordField, rule: FieldRule, lookup: (entry: string) => unknown): unknown {
  for (const entry of ruleEntries(rule)) {
    const value = isTemplate(entry) ? renderTemplate(entry, { lookup }, { url: URL_FIELDS.has(field) }) : lookup(entry.trim());
    if (isPresent(value)) return value;
  }
  return undefined;
}

/**
 * Why a field rule of a `kind` source is unusable (an empty entry or list, a malformed
 * path, selector or template, a template naming nothing), or undefined when it is fine.
 * Config validation calls this at load, so readers meet only good rules.
 */
export function fieldRuleProblem(kind: SourceKind, rule: FieldRule): string | undefined {
  const entries = ruleEntries(rule);
  if (entries.length === 0) return 'the list of fallbacks must not be empty';
  for (const entry of entries) {
    const problem = entryProblem(kind, entry);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Why one path/selector/template is unusable for a `kind` source, or undefined. */
export function entryProblem(kind: SourceKind, entry: string): string | undefined {
  if (entry.trim() === '') return kind === 'html' ? 'selector must not be empty' : 'path must not be empty';
  if (entry.includes('{') || entry.includes('}')) {
    const problem = templateProblem(entry);
    if (problem !== undefined) return problem;
    const names = parseTemplate(entry).flatMap((p) => ('name' in p ? [p.name] : []));
    if (names.length > 0) {
      for (const name of names) {
        const inner = kind === 'html' ? selectorRuleProblem(name) : pathProblem(name);
        if (inner !== undefined) return `in template "${entry}": ${inner}`;
      }
      return undefined;
    }
    // Only {{ }} escapes: a literal, which is neither a path nor a selector.
  }
  return kind === 'html' ? selectorRuleProblem(entry) : pathProblem(entry);
}

/** Why `items` is unusable for a `kind` source (a dot path for json, a CSS selector for html), or undefined. */
export function itemsProblem(kind: SourceKind, items: string): string | undefined {
  if (kind !== 'html') return pathProblem(items);
  return items.trim() === '' ? 'items selector must not be empty' : selectorProblem(items);
}
