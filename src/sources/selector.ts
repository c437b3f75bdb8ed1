import * as cheerio from 'cheerio';

/**
 * CSS selectors of feeds.yaml (article bodies, html list sources): checked with cheerio's
 * own parser, so a selector that passes at load is one cheerio runs.
 */

/** Why `selector` is not a CSS selector cheerio can use, or undefined when it is one. */
export function selectorProblem(selector: string): string | undefined {
  try {
    cheerio.load('')(selector);
    return undefined;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return `invalid CSS selector "${selector}": ${reason}`;
  }
}

/** A field rule of an html source: `sel` (text of the first match), `sel@attr`, `@attr` (the record's own). */
export interface SelectorRule {
  /** CSS selector inside the record; empty for the record element itself. */
  selector: string;
  /** Attribute to read; absent for the text. */
  attr?: string;
}

const ATTR_NAME = /^[A-Za-z_:][-\w:.]*$/;

/**
 * Splits `sel@attr` / `@attr` / `sel`. An `@` inside an attribute selector
 * (`a[href^="mailto:x@y"]`) is part of the selector: only a trailing `@name` is an attribute.
 */
export function parseSelectorRule(rule: string): SelectorRule {
  const text = rule.trim();
  const at = text.lastIndexOf('@');
  if (at >= 0) {
    const attr = text.slice(at + 1).trim();
    if (ATTR_NAME.test(attr)) return { selector: text.slice(0, at).trim(), attr };
  }
  return { selector: text };
}

/** Why `rule` is not a usable `sel` / `sel@attr` / `@attr`, or undefined. */
export function selectorRuleProblem(rule: string): string | undefined {
  const text = rule.trim();
  if (text === '') return 'selector must not be empty';
  const parsed = parseSelectorRule(text);
  if (parsed.selector === '') return parsed.attr === undefined ? `"${rule}" names no attribute after "@"` : undefined;
  if (parsed.attr === undefined && text.endsWith('@')) return `"${rule}" names no attribute after "@"`;
  return selectorProblem(parsed.selector);
}
