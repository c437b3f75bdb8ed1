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

const NO_ATTRS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Attributes of an element (`$`), or an empty record. xml2js makes every attribute value a
 * string, so its record is handed out as it is (read-only); one holding anything else is
 * copied without it.
 */
export function attrsOf(value: RawValue): Readonly<Record<string, string>> {
  return isRecord(value) ? stringRecord(value.$) : NO_ATTRS;
}

/** `attrs` (an element's `$`) as a record of strings, or an empty record. */
export function stringRecord(attrs: RawValue): Readonly<Record<string, string>> {
  if (!isRecord(attrs)) return NO_ATTRS;
  for (const k in attrs) {
    if (typeof attrs[k] !== 'string') {
      const out: Record<string, string> = {};
      for (const [key, v] of Object.entries(attrs)) if (typeof v === 'string') out[key] = v;
      return out;
    }
  }
  return attrs as Record<string, string>;
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
