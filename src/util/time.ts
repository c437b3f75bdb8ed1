import { DateTime } from 'luxon';

/**
 * Formats an instant as ISO 8601 with the offset of `zone` (seconds precision),
 * e.g. 2022-03-30T09:34:12+08:00.
 */
export function isoInZone(date: Date | number, zone: string): string {
  const dt = DateTime.fromMillis(typeof date === 'number' ? date : date.getTime(), { zone });
  return dt.toISO({ suppressMilliseconds: true, includeOffset: true }) ?? new Date(date).toISOString();
}

/**
 * The forms the dates finews writes take: `2022-03-30T09:34:12+08:00` (`…Z` in UTC), and
 * `Date#toISOString`'s `2022-03-30T01:34:12.345Z` for storage times.
 */
const WRITTEN_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch of an ISO 8601 string, or NaN. */
export function epochOf(iso: string): number {
  // Dates finews wrote itself are read from their fields (luxon's ISO parser was a visible
  // share of merging a feed's items); anything else, or out of range, goes the luxon way.
  const m = WRITTEN_ISO.exec(iso);
  if (m !== null) {
    const n = (i: number): number => Number(m[i]);
    const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)] as const;
    const offset = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (n(9) * 60 + n(10));
    const ms = Date.UTC(year, month - 1, day, hour, minute, second, m[7] === undefined ? 0 : n(7));
    const date = new Date(ms);
    // Date.UTC rolls 30 February over to March and 24:00 to the next day, and reads years below 100 as 19xx; luxon calls them invalid.
    const valid = year >= 100 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
    if (valid && (m[8] === undefined || (n(9) < 24 && n(10) < 60))) return ms - offset * 60_000;
  }
  return DateTime.fromISO(iso, { setZone: true }).toMillis();
}

/** True when `zone` is an IANA zone this runtime knows. */
export function isValidZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}
