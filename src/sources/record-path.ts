/**
 * Dot paths into JSON records (INTERFACE §2a): `data.list`, `result.items.0.title`.
 * A segment made of digits indexes an array (and is a key of an object like any other).
 */

/** Longest path accepted, in segments: paths come from config, records from the network. */
const MAX_SEGMENTS = 32;

/** The segments of a dot path. Call {@link pathProblem} first on paths from config. */
export function pathSegments(path: string): string[] {
  return path.trim().split('.');
}

/**
 * Why `path` is not a usable dot path (empty, an empty segment as in `data..list` or
 * `.list`, whitespace or braces inside a segment), or undefined when it is fine.
 */
export function pathProblem(path: string): string | undefined {
  const p = path.trim();
  if (p === '') return 'path must not be empty';
  const segments = p.split('.');
  if (segments.length > MAX_SEGMENTS) return `path "${p}" is too deep (more than ${MAX_SEGMENTS} segments)`;
  if (segments.some((s) => s === '')) return `path "${p}" has an empty segment (a leading, trailing or doubled ".")`;
  const bad = segments.find((s) => /[\s{}]/.test(s));
  if (bad !== undefined) return `path "${p}" has a segment with whitespace or braces: "${bad}"`;
  return undefined;
}

/** The value at `path` in `value`, or undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  return walkPath(value, path).value;
}

/** Where a walk along a path stopped: the value, or the step that found nothing and what was there. */
export type PathWalk =
  | { found: true; value: unknown }
  | { found: false; value: undefined; /** segments walked successfully */ parent: string; /** the value the failing step looked in */ holder: unknown };

/** Walks `path` into `value`, telling where it stopped when a step finds nothing. */
export function walkPath(value: unknown, path: string): PathWalk {
  let current: unknown = value;
  const segments = pathSegments(path);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const next = step(current, segment);
    if (next === undefined) return { found: false, value: undefined, parent: segments.slice(0, i).join('.'), holder: current };
    current = next;
  }
  return { found: true, value: current };
}

function step(value: unknown, segment: string): unknown {
  if (Array.isArray(value)) {
    if (!/^\d+$/.test(segment)) return undefined;
    return value[Number(segment)];
  }
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, segment)) {
    return (value as Record<string, unknown>)[segment];
  }
  return undefined;
}

/** A short description of a JSON value for error messages: its keys, its length, or its type. */
export function describeJsonValue(value: unknown, maxKeys = 20): string {
  if (value === null) return 'is null';
  if (Array.isArray(value)) return `is a list of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'is an empty object';
    const shown = keys.slice(0, maxKeys).join(', ');
    return `has keys: ${shown}${keys.length > maxKeys ? `, … (${keys.length} in all)` : ''}`;
  }
  return `is a ${typeof value}`;
}
