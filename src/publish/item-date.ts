/**
 * Reading an item's date for output: never an invalid date (INTERFACE §3 dates).
 */
import { DateTime } from 'luxon';
import type { Item } from '../domain.js';
import { boundedMemo } from '../util/memo.js';

/** An ISO 8601 date with its own offset kept, or undefined when unreadable. */
export function readDate(text: string | undefined): DateTime | undefined {
  return typeof text === 'string' ? readDateText(text) : undefined;
}

// A publish reads each item's dates in every format of every category it is in: each text
// is parsed once (a DateTime is immutable, so one can be handed out many times). A few
// publishes' worth of texts are kept.
const readDateText = boundedMemo((text: string): DateTime | undefined => {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const dt = DateTime.fromISO(trimmed, { setZone: true });
  return dt.isValid ? dt : undefined;
}, 8192);

/** `date`, or the epoch when it is an Invalid Date. */
export function validDate(date: Date): Date {
  return Number.isNaN(date.getTime()) ? new Date(0) : date;
}

/** The item's date: publishedAt, else storedAt, else `fallback` (in UTC); never invalid. */
export function itemDate(item: Pick<Item, 'publishedAt' | 'storedAt'>, fallback: Date): DateTime {
  return readDate(item.publishedAt) ?? readDate(item.storedAt) ?? DateTime.fromJSDate(validDate(fallback), { zone: 'utc' });
}

/** ISO 8601 with offset and seconds precision (`2022-03-30T09:34:12+08:00`, UTC as `Z`). */
export function isoOf(dt: DateTime): string {
  return dt.toISO({ suppressMilliseconds: true, includeOffset: true }) ?? dt.toUTC().toString();
}
