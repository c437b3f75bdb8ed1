/**
 * Parsing feeds.yaml (INTERFACE §2): YAML with positions → schema validation → cross-checks
 * → defaults merged into every source → a deep-frozen {@link Config}. Every problem is
 * reported with its line and column, all of them at once.
 */
import { LineCounter, parseDocument, visit } from 'yaml';
import type { Config } from '../domain.js';
import { crossCheck, warnings as configWarnings } from './cross-checks.js';
import { compareIssues, type ConfigIssue } from './issues.js';
import { describeZodIssue, skipBlanks, yamlMessage } from './messages.js';
import { deepFreeze, resolveConfig } from './resolve.js';
import { configSchema } from './schema.js';
import { findDuplicateKeys, YamlPositions, type Position } from './yaml-positions.js';

/** The outcome of loading a config: the config and its warnings, or every error found. */
export type ConfigResult =
  | { ok: true; config: Config; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings: ConfigIssue[] };

/** What parsing needs from outside feeds.yaml. */
export interface ParseOptions {
  /** `site.url` when feeds.yaml gives none: where this process serves (RuntimeOptions). */
  defaultSiteUrl?: string;
}

/**
 * Parses and validates the text of a config file. `fileName` is only used in issues
 * (`feeds.yaml:12:5: …`). Never throws for a bad config: every problem is in `errors`.
 */
export function parseConfig(text: string, fileName: string, opts: ParseOptions = {}): ConfigResult {
  const source = text.replace(/^\uFEFF/, '');
  const lines = new LineCounter();
  const doc = parseDocument(source, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false, // duplicates are found below, with both lines named
    merge: true,
  });
  const pos = new YamlPositions(doc, lines);
  const at = (p: Position, message: string): ConfigIssue => ({ file: fileName, line: p.line, column: p.column, message });
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];

  for (const w of doc.warnings) warnings.push(at(pos.at(w.pos[0]), `YAML: ${w.message}`));
  for (const e of doc.errors) errors.push(at(pos.at(skipBlanks(source, e.pos[0])), `invalid YAML: ${yamlMessage(e)}`));
  // After a syntax error the tree is a guess; checking it would only add noise.
  if (errors.length > 0) return failed(errors, warnings);

  for (const dup of findDuplicateKeys(doc)) {
    const first = pos.at(dup.firstOffset);
    errors.push(at(pos.at(dup.offset), `duplicate key "${dup.key}" (first given at line ${first.line})`));
  }

  let danglingAlias = false;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        danglingAlias = true;
        errors.push(at(pos.at(node.range?.[0] ?? 0), `invalid YAML: alias *${node.source} refers to no anchor &${node.source} before it`));
      }
    },
  });
  // toJS() cannot build the data around a dangling alias.
  if (danglingAlias) return failed(errors, warnings);

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    errors.push(at({ line: 1, column: 1 }, `invalid YAML: ${err instanceof Error ? err.message : String(err)}`));
    return failed(errors, warnings);
  }

  const parsed = configSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors.push(...describeZodIssue(issue, pos, at));
  }
  errors.push(...crossCheck(data, pos, at));
  if (!parsed.success || errors.length > 0) return failed(errors, warnings);

  const config = resolveConfig(parsed.data, opts.defaultSiteUrl);
  warnings.push(...configWarnings(parsed.data, config, pos, at));
  return { ok: true, config: deepFreeze(config), warnings: warnings.sort(compareIssues) };
}

/** A failed result: `errors` without repeats, both lists in file order. */
export function failed(errors: ConfigIssue[], warnings: ConfigIssue[]): ConfigResult {
  return { ok: false, errors: dedupe(errors).sort(compareIssues), warnings: warnings.sort(compareIssues) };
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.line}:${i.column}:${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
