import type { Item } from '../domain.js';

/**
 * Version of the item JSON the stores write. Rows without a tag were written before
 * it existed and have the same shape as version 1.
 */
export const ITEM_JSON_VERSION = 1;

/** An item as stored JSON, tagged with its version so a later change can migrate it. */
export function encodeItem(item: Item): string {
  return JSON.stringify({ v: ITEM_JSON_VERSION, ...item });
}

/** Reads stored item JSON of any known version, untagged legacy rows included. */
export function decodeItem(json: string): Item {
  const { v: _version, ...item } = JSON.parse(json) as Item & { v?: number };
  return item;
}
