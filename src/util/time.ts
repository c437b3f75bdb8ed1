import { DateTime } from 'luxon';

/**
 * Formats an instant as ISO 8601 with the offset of `zone` (seconds precision),
 * e.g. 2022-03-30T09:34:12+08:00.
 */
export function isoInZone(date: Date | number, zone: string): string {
  const dt = DateTime.fromMillis(typeof date === 'number' ? date : date.getTime(), { zone });
  return dt.toISO({ suppressMilliseconds: true, includeOffset: true }) ?? new Date(date).toISOString();
}

/** Milliseconds since the epoch of an ISO 8601 string, or NaN. */
export function epochOf(iso: string): number {
  return DateTime.fromISO(iso, { setZone: true }).toMillis();
}

/** True when `zone` is an IANA zone this runtime knows. */
export function isValidZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}
