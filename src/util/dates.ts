import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';

/**
 * Date parsing for source feeds and article pages.
 *
 * Dates keep the offset the source wrote; naive dates (no zone) are read in the
 * zone handed in (the site's timezone). Output is ISO 8601 with seconds precision
 * and an offset, e.g. `2022-03-30T09:34:12+08:00` (UTC is written `Z`).
 */

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9, october: 10,
  november: 11, december: 12,
};

/**
 * Zone abbreviations, in minutes east of UTC.
 *
 * `CST` is ambiguous (US Central -06:00 in RFC 822, China Standard Time +08:00 in
 * practice). finews reads Chinese feeds, and Java/PHP servers running in
 * Asia/Shanghai print their dates as e.g. `Wed Mar 30 09:34:12 CST 2022` or
 * `Wed, 30 Mar 2022 09:34:12 CST`; reading those as -06:00 would shift every item
 * 14 hours into the future. So here `CST` is China Standard Time.
 */
const ZONE_ABBREVIATIONS: Record<string, number> = {
  Z: 0, UT: 0, UTC: 0, GMT: 0,
  CST: 8 * 60, // China Standard Time, see above
  HKT: 8 * 60, SGT: 8 * 60, AWST: 8 * 60,
  JST: 9 * 60, KST: 9 * 60,
  EST: -5 * 60, EDT: -4 * 60, CDT: -5 * 60, MST: -7 * 60, MDT: -6 * 60, PST: -8 * 60, PDT: -7 * 60,
  BST: 60, CET: 60, CEST: 2 * 60, EET: 2 * 60, EEST: 3 * 60, WET: 0, WEST: 60,
  MSK: 3 * 60,
};

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const TIME = String.raw`(?<ampm1>上午|下午|早上|晚上)?\s*(?<h>\d{1,2})[:时](?<mi>\d{1,2})(?:[:分](?<s>\d{1,2})(?:[.,]\d+)?秒?)?(?:\s*(?<ampm2>[ap])\.?m\.?)?`;
const ZONE = String.raw`(?<z>Z|[+-]\d{1,2}(?::?\d{2})?|(?:GMT|UTC|UT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[A-Z]{2,5})`;
const WEEKDAY = String.raw`(?:[a-z]{2,}\.?,?\s+|(?:星期|周)[一二三四五六日天]\s*)?`;

const FORMS = [
  // 2022-03-30 09:34:12, 2022/03/30 09:34, 2022.3.30, 2022年3月30日 09:34, 2022-03-30T09:34:12+08:00
  String.raw`(?<y>\d{4})\s*[-/.年]\s*(?<mo>\d{1,2})\s*[-/.月]\s*(?<d>\d{1,2})\s*日?(?:\s*(?:星期|周)[一二三四五六日天])?(?:(?:\s*T\s*|\s+|(?<=日))${TIME})?\s*${ZONE}?`,
  // Wed, 30 Mar 2022 09:34:12 +0800 (RFC 822/1123; the weekday is optional and not checked)
  String.raw`${WEEKDAY}(?<d>\d{1,2})[\s-]+(?<mon>[a-z]{3,9})\.?[\s-]+(?<y>\d{2}|\d{4})(?:,?\s+${TIME})?\s*${ZONE}?`,
  // Mar 30, 2022 9:34 PM / Wed Mar 30 2022 09:34:12 GMT+0800 (JavaScript's Date#toString)
  String.raw`${WEEKDAY}(?<mon>[a-z]{3,9})\.?\s+(?<d>\d{1,2}),?\s+(?<y>\d{4})(?:,?\s+${TIME})?\s*${ZONE}?`,
  // Wed Mar 30 09:34:12 CST 2022 (Java's Date#toString, common on Chinese servers)
  String.raw`${WEEKDAY}(?<mon>[a-z]{3,9})\.?\s+(?<d>\d{1,2})\s+${TIME}\s+${ZONE}\s+(?<y>\d{4})`,
].map((form) => new RegExp(`^${form}$`, 'i'));

/**
 * Parses a date as sources write it and returns ISO 8601 with offset and seconds
 * precision, or undefined when the text is not a date. Never throws.
 *
 * Understood: RFC 822/1123 (`Wed, 30 Mar 2022 09:34:12 +0800`, `GMT`, zone
 * abbreviations — `CST` is China Standard Time), ISO 8601 (`2022-03-30T09:34:12Z`),
 * naive forms (`2022-03-30 09:34:12`, `2022/03/30 09:34`, `2022-03-30`,
 * `2022年03月30日 09:34`, `2022年3月30日 下午3:34`), JavaScript and Java
 * `Date#toString` output, and Unix epoch seconds/milliseconds. A date with an offset
 * keeps it; a naive date is read in `zone` (an IANA zone such as Asia/Shanghai).
 *
 * @example parseDate('2022年03月30日 09:34', 'Asia/Shanghai') // '2022-03-30T09:34:00+08:00'
 */
export function parseDate(text: string | undefined, zone: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return parseDateText(text, zone);
  } catch {
    return undefined;
  }
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function parseDateText(text: string, zone: string): string | undefined {
  const rfc822 = fastRfc822(text);
  if (rfc822 !== null) return rfc822;
  // NFKC folds full-width digits, colons and spaces (２０２２年３月３０日 ０９：３４, with an ideographic space);
  // it leaves ASCII as it is, and most feed dates are ASCII.
  const s = (PRINTABLE_ASCII.test(text) ? text : text.normalize('NFKC'))
    .replace(/\([^)]*\)\s*$/, '') // "(China Standard Time)" after JS Date#toString
    .replace(/\s+/g, ' ')
    .trim();
  if (s === '') return undefined;

  if (/^\d{10}$|^\d{13}$/.test(s)) {
    const ms = s.length === 10 ? Number(s) * 1000 : Number(s);
    const fast = fastInstant(ms, zone);
    return fast === null ? format(DateTime.fromMillis(ms, { zone })) : fast;
  }

  for (const form of FORMS) {
    const g = form.exec(s)?.groups;
    if (g) return build(g, zone);
  }
  // Anything else ISO 8601 can express (week dates, ordinal dates, basic format) — but only
  // with a four-digit year: luxon reads a bare "03-30" as 03:00 at offset -30:00.
  if (!/^\d{4}/.test(s)) return undefined;
  return format(DateTime.fromISO(s, { zone, setZone: true }));
}

function build(g: Record<string, string | undefined>, defaultZone: string): string | undefined {
  let hour = num(g.h);
  const meridiem = g.ampm1 ?? g.ampm2?.toLowerCase();
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    const pm = meridiem === 'p' || meridiem === '下午' || meridiem === '晚上';
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  const parts: Parts = {
    year: year(g.y),
    month: g.mon === undefined ? num(g.mo) : month(g.mon),
    day: num(g.d),
    hour,
    minute: num(g.mi),
    second: num(g.s),
  };
  if (Number.isNaN(parts.month)) return undefined;
  // Luxon would roll hour 24 over to the next day; a feed writing it is broken.
  if (parts.hour > 23 || parts.minute > 59 || parts.second > 59) return undefined;
  let zone: Zone | string = defaultZone;
  if (g.z === undefined) {
    const fast = fastNaive(parts, defaultZone);
    if (fast !== null) return fast;
  } else {
    const offset = offsetMinutes(g.z);
    if (offset === undefined) return undefined;
    const fast = fastFixed(parts, offset);
    if (fast !== null) return fast;
    zone = offset === 0 ? FixedOffsetZone.utcInstance : FixedOffsetZone.instance(offset);
  }
  return format(DateTime.fromObject(parts, { zone }));
}

/**
 * `Wed, 30 Mar 2022 09:34:12 +0800` exactly as nearly every RSS feed writes it (one space
 * apart, a numeric offset): read straight from its fields. Text in this form reads the same
 * through the general forms; anything else, or anything out of range, is left to them (`null`).
 */
const RFC822_NUMERIC = /^(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

function fastRfc822(text: string): string | undefined | null {
  const m = RFC822_NUMERIC.exec(text);
  if (m === null) return null;
  const monthNumber = MONTHS[(m[2] ?? '').toLowerCase()];
  if (monthNumber === undefined) return null;
  const parts: Parts = { year: num(m[3]), month: monthNumber, day: num(m[1]), hour: num(m[4]), minute: num(m[5]), second: num(m[6]) };
  const hours = num(m[8]);
  const minutes = num(m[9]);
  if (parts.hour > 23 || parts.minute > 59 || parts.second > 59 || hours > 14 || minutes > 59) return null;
  return fastFixed(parts, (m[7] === '-' ? -1 : 1) * (hours * 60 + minutes));
}

/** Minutes east of UTC for `Z`, `+0800`, `+08:00`, `+8`, `GMT+8`, `UTC-05:30`, `GMT`, `CST`… */
function offsetMinutes(text: string): number | undefined {
  const t = text.toUpperCase().replace(/\s+/g, '');
  const named = ZONE_ABBREVIATIONS[t];
  if (named !== undefined) return named;
  const m = /^(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(t);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (hours > 14 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

// ---------------------------------------------------------------------------
// A fast path for the common case, a naive date in an IANA zone: luxon asks Intl for the
// zone's offset on every call, which was half the cost of reading a 1,000-record list.
// Offsets are cached per zone and quarter hour (every zone changes offset on a quarter
// hour); anything near a transition, or at offset 0 (where luxon decides between `Z` and
// `+00:00`), goes the luxon way. `null` means "not handled here".

const QUARTER_HOUR = 15 * 60 * 1000;
/** Offset changes move local time by at most 2 hours; 3 hours either side is a safe margin. */
const NEAR = 3 * 60 * 60 * 1000;
const zones = new Map<string, IANAZone | undefined>();
const offsets = new Map<string, number>();

function ianaZone(name: string): IANAZone | undefined {
  if (!zones.has(name)) {
    const zone = IANAZone.isValidZone(name) ? IANAZone.create(name) : undefined;
    if (zones.size > 100) zones.clear();
    zones.set(name, zone);
  }
  return zones.get(name);
}

/** The zone's offset in minutes at `ms` (any instant in the same quarter hour). */
function offsetAt(zone: IANAZone, ms: number): number {
  const key = `${zone.name}\u0000${Math.floor(ms / QUARTER_HOUR)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = zone.offset(ms);
    if (offsets.size > 20_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

function isoWithOffset(localMs: number, offset: number): string | undefined {
  const local = new Date(localMs);
  const year = local.getUTCFullYear();
  if (year < 1900 || year > 2999) return undefined;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local.toISOString().slice(0, 19)}${sign}${hh}:${mm}`;
}

function fastNaive(parts: Parts, zoneName: string): string | undefined | null {
  const zone = ianaZone(zoneName);
  if (zone === undefined) return null;
  const localMs = localMillis(parts);
  if (localMs === null) return null;
  const first = offsetAt(zone, localMs);
  const ms = localMs - first * 60_000;
  // Within hours of an offset change a local time may not exist or exist twice: luxon decides.
  if (first === 0 || [ms, ms - NEAR, ms + NEAR].some((t) => offsetAt(zone, t) !== first)) return null;
  return isoWithOffset(localMs, first);
}

/** A date written with its offset (RFC 822 feeds, ISO 8601): no zone rules to consult, so no luxon. */
function fastFixed(parts: Parts, offset: number): string | undefined | null {
  const { year, month, day, hour, minute, second } = parts;
  // What localMillis would refuse (a day the month has not, a year below 100) goes the luxon way.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (year < 1900 || year > 2999) return undefined;
  const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${pad2(Math.floor(Math.abs(offset) / 60))}:${pad2(Math.abs(offset) % 60)}`;
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}${zone}`;
}

/** Days in `month` (1–12) of `year`, Gregorian. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Wall-clock time of `parts` as if it were UTC; null for what Date.UTC would roll over or misread. */
function localMillis(parts: Parts): number | null {
  const localMs = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const check = new Date(localMs);
  // Date.UTC rolls 30 February over to March, and reads years below 100 as 19xx; luxon calls both invalid.
  if (parts.year < 100 || check.getUTCMonth() !== parts.month - 1 || check.getUTCDate() !== parts.day) return null;
  return localMs;
}

function fastInstant(ms: number, zoneName: string): string | undefined | null {
  const zone = ianaZone(zoneName);
  if (zone === undefined || !Number.isFinite(ms)) return null;
  const offset = offsetAt(zone, ms);
  if (offset === 0) return null;
  return isoWithOffset(Math.floor(ms / 1000) * 1000 + offset * 60_000, offset);
}

function format(dt: DateTime): string | undefined {
  // Years outside this range are placeholders (0001-01-01) or typos, not news dates.
  if (!dt.isValid || dt.year < 1900 || dt.year > 2999) return undefined;
  return dt.startOf('second').toISO({ suppressMilliseconds: true, includeOffset: true }) ?? undefined;
}

function num(text: string | undefined): number {
  return text === undefined ? 0 : Number(text);
}

function month(name: string | undefined): number {
  const n = name === undefined ? undefined : MONTHS[name.toLowerCase()];
  return n ?? Number.NaN;
}

/** RFC 2822 §4.3: two-digit years 00–49 are 20xx, 50–99 are 19xx. */
function year(text: string | undefined): number {
  const y = num(text);
  if (text !== undefined && text.length === 2) return y < 50 ? 2000 + y : 1900 + y;
  return y;
}

/**
 * A date value of a JSON/HTML record: text as {@link parseDate} reads it, or a unix time
 * as a number (10 digits: seconds, 13: milliseconds). `dateFormat` (Unicode tokens such as
 * `yyyy年MM月dd日 HH:mm`, luxon's `fromFormat`) is tried first when given; naive results are
 * in `zone`. Undefined when the value is not a date. Never throws.
 */
export function parseDateValue(value: unknown, zone: string, dateFormat?: string): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value <= 0) return undefined;
    return parseDate(String(value), zone);
  }
  if (typeof value !== 'string') return undefined;
  if (dateFormat !== undefined && dateFormat !== '') {
    try {
      const dt = DateTime.fromFormat(value.normalize('NFKC').trim(), dateFormat, { zone, setZone: true });
      const formatted = format(dt);
      if (formatted !== undefined) return formatted;
    } catch {
      // an unusable format reads nothing; the built-in forms still get their turn
    }
  }
  return parseDate(value, zone);
}

/** Why `dateFormat` is not a usable luxon/Unicode-token format, or undefined. */
export function dateFormatProblem(dateFormat: string): string | undefined {
  if (dateFormat.trim() === '') return 'dateFormat must not be empty';
  const tokens = DateTime.fromFormatExplain('', dateFormat).tokens ?? [];
  const literalOnly = tokens.every((t: { literal?: boolean }) => t.literal === true);
  return literalOnly ? `dateFormat "${dateFormat}" has no date tokens (such as yyyy, MM, dd, HH, mm)` : undefined;
}
