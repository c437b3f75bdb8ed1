/**
 * The words of config issues: where a problem is (`sources[2].article.content`), what the
 * schema's findings mean in feeds.yaml's terms, and the nearest known name for a typo.
 */
import type { YAMLError } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from './issues.js';
import { describeValue, knownKeysAt } from './schema.js';
import type { DataPath, Position, YamlPositions } from './yaml-positions.js';

/** Makes an issue at a position of the file being read. */
export type At = (p: Position, message: string) => ConfigIssue;

/** YAML reports some errors at the indentation before the offending token; point at the token. */
export function skipBlanks(text: string, offset: number): number {
  let i = offset;
  while (text[i] === ' ') i++;
  return text[i] === undefined || text[i] === '\n' || text[i] === '\r' ? offset : i;
}

/** A YAML parser error in feeds.yaml's terms. */
export function yamlMessage(e: YAMLError): string {
  if (e.code === 'MULTIPLE_DOCS') return 'a config holds one YAML document; remove the second --- and what follows, or merge them';
  return e.message;
}

/** Why a config file could not be read, in a few words. */
export function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return err instanceof Error ? err.message : String(err);
}

/** `sources[2].article.content`, `publishers.中国工业报.slug`. */
export function pathText(path: DataPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out += /^[\p{L}\p{N}_-]+$/u.test(s) ? `${out === '' ? '' : '.'}${s}` : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/** The issues of one schema finding, at the key or value it is about. */
export function describeZodIssue(issue: z.core.$ZodIssue, pos: YamlPositions, at: At): ConfigIssue[] {
  const path = issue.path;
  const where = pathText(path);
  const prefix = where === '' ? '' : `${where}: `;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const known = knownKeysAt(path);
        const guess = closest(key, known);
        const hint = guess !== undefined ? ` (did you mean "${guess}"?)` : known.length > 0 ? ` (expected one of: ${known.join(', ')})` : '';
        return at(pos.keyAt([...path, key]), `unknown key "${key}"${where === '' ? '' : ` in ${where}`}${hint}`);
      });
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      if (path.length === 0 && (issue.input === undefined || issue.input === null)) {
        return [at({ line: 1, column: 1 }, 'the config is empty: expected at least site: and sources:')];
      }
      if (issue.input === undefined) {
        const last = path[path.length - 1];
        const parent = pathText(path.slice(0, -1));
        return [at(pos.valueAt(path), `${parent === '' ? '' : `${parent}: `}missing required key "${String(last)}"`)];
      }
      const example =
        path.length === 2 && path[0] === 'categories' && typeof issue.input === 'string'
          ? ` (write ${String(path[1])}: { title: ${issue.input} })`
          : '';
      return [at(pos.valueAt(path), `${prefix}expected ${expected}, got ${describeValue(issue.input)}${example}`)];
    }
    case 'invalid_union':
      if (issue.input === undefined && path.length > 0) {
        const parent = pathText(path.slice(0, -1));
        return [at(pos.valueAt(path), `${parent === '' ? '' : `${parent}: `}missing required key "${String(path[path.length - 1])}"`)];
      }
      // The config's unions are "a string or a list of strings" (paths, field rules).
      return [at(pos.valueAt(path), `${prefix}expected a string or a list of strings, got ${describeValue(issue.input)}`)];
    case 'too_small':
      return [at(pos.valueAt(path), `${prefix}must be at least ${String(issue.minimum)}`)];
    case 'too_big':
      return [at(pos.valueAt(path), `${prefix}must be at most ${String(issue.maximum)}`)];
    default:
      return [at(pos.valueAt(path), `${prefix}${issue.message}`)];
  }
}

/** The candidate nearest to `word` by edit distance, if it is near enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** Edit distance counting a swap of two neighbours as one edit (`evrey` → `every` is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const cell = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(cell(i - 1, j) + 1, cell(i, j - 1) + 1, cell(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, cell(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return cell(a.length, b.length);
}
