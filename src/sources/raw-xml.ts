/**
 * Readers for the raw values xml2js (under rss-parser) produces with its default
 * options: an element is a string when it holds only text, `{ _: text, $: attrs }`
 * when it has attributes, an object of child arrays when it has children, and `''`
 * when empty.
 */

/** One raw element value. */
export type RawValue = unknown;

/** Text content of an element: its string, or its `_` when it has attributes. */
export function textOf(value: RawValue): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value._ === 'string') return value._;
  return undefined;
}

/** Attributes of an element (`$`), or an empty record. */
export function attrsOf(value: RawValue): Record<string, string> {
  if (!isRecord(value) || !isRecord(value.$)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value.$)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The child elements named `name` of an element (always an array). */
export function childrenOf(value: RawValue, name: string): RawValue[] {
  if (!isRecord(value)) return [];
  const children = value[name];
  return Array.isArray(children) ? children : [];
}

/** The raw value stored by an rss-parser custom field kept as an array. */
export function listOf(value: RawValue): RawValue[] {
  if (Array.isArray(value)) return value;
  return value === undefined ? [] : [value];
}

export function isRecord(value: RawValue): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
