import { DateTime, FixedOffsetZone, type Zone } from 'luxon';

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

const TIME = String.raw`(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:[.,]\d+)?秒?)?`;
const ZONE = String.raw`(Z|[+-]\d{1,2}(?::?\d{2})?|(?:GMT|UTC|UT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[A-Z]{2,5})`;

// 2022-03-30 09:34:12, 2022/03/30 09:34, 2022.3.30, 2022年3月30日 09:34, 2022-03-30T09:34:12+08:00
const NUMERIC = new RegExp(
  String.raw`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s*T\s*|\s+|(?<=日))${TIME})?\s*${ZONE}?$`,
  'i',
);
// Wed, 30 Mar 2022 09:34:12 +0800 (RFC 822/1123; weekday optional and not checked)
const DAY_FIRST = new RegExp(
  String.raw`^(?:[a-z]{2,}\.?,?\s+)?(\d{1,2})[\s-]+([a-z]{3,9})\.?[\s-]+(\d{2}|\d{4})(?:,?\s+${TIME})?\s*${ZONE}?$`,
  'i',
);
// Mar 30, 2022 09:34 / Wed Mar 30 2022 09:34:12 GMT+0800 (JavaScript's Date#toString)
const MONTH_FIRST = new RegExp(
  String.raw`^(?:[a-z]{2,}\.?,?\s+)?([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?:,?\s+${TIME})?\s*${ZONE}?$`,
  'i',
);
// Wed Mar 30 09:34:12 CST 2022 (Java's Date#toString, common on Chinese servers)
const JAVA = new RegExp(String.raw`^(?:[a-z]{2,}\.?,?\s+)?([a-z]{3,9})\.?\s+(\d{1,2})\s+${TIME}\s+${ZONE}\s+(\d{4})$`, 'i');

/**
 * Parses a date as sources write it and returns ISO 8601 with offset and seconds
 * precision, or undefined when the text is not a date. Never throws.
 *
 * Understood: RFC 822/1123 (`Wed, 30 Mar 2022 09:34:12 +0800`, `GMT`, zone
 * abbreviations — `CST` is China Standard Time), ISO 8601 (`2022-03-30T09:34:12Z`),
 * naive forms (`2022-03-30 09:34:12`, `2022/03/30 09:34`, `2022-03-30`,
 * `2022年03月30日 09:34`, `2022年3月30日`), JavaScript and Java `Date#toString`
 * output, and Unix epoch seconds/milliseconds. A date with an offset keeps it;
 * a naive date is read in `zone` (an IANA zone such as Asia/Shanghai).
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

function parseDateText(text: string, zone: string): string | undefined {
  // NFKC folds full-width digits, colons and spaces (２０２２年３月３０日 ０９：３４, with an ideographic space).
  const s = text
    .normalize('NFKC')
    .replace(/\([^)]*\)\s*$/, '') // "(China Standard Time)" after JS Date#toString
    .replace(/\s+/g, ' ')
    .trim();
  if (s === '') return undefined;

  if (/^\d{10}$|^\d{13}$/.test(s)) {
    const ms = s.length === 10 ? Number(s) * 1000 : Number(s);
    return format(DateTime.fromMillis(ms, { zone }));
  }

  let m = NUMERIC.exec(s);
  if (m) {
    return build(
      { year: num(m[1]), month: num(m[2]), day: num(m[3]), hour: num(m[4]), minute: num(m[5]), second: num(m[6]) },
      m[7],
      zone,
    );
  }
  m = DAY_FIRST.exec(s);
  if (m) {
    return build(
      { year: year(m[3]), month: month(m[2]), day: num(m[1]), hour: num(m[4]), minute: num(m[5]), second: num(m[6]) },
      m[7],
      zone,
    );
  }
  m = MONTH_FIRST.exec(s);
  if (m) {
    return build(
      { year: num(m[3]), month: month(m[1]), day: num(m[2]), hour: num(m[4]), minute: num(m[5]), second: num(m[6]) },
      m[7],
      zone,
    );
  }
  m = JAVA.exec(s);
  if (m) {
    return build(
      { year: num(m[7]), month: month(m[1]), day: num(m[2]), hour: num(m[3]), minute: num(m[4]), second: num(m[5]) },
      m[6],
      zone,
    );
  }
  // Anything else ISO 8601 can express (week dates, ordinal dates, basic format).
  return format(DateTime.fromISO(s, { zone, setZone: true }));
}

function build(parts: Parts, zoneText: string | undefined, defaultZone: string): string | undefined {
  if ([parts.year, parts.month, parts.day].some(Number.isNaN)) return undefined;
  let zone: Zone | string = defaultZone;
  if (zoneText !== undefined) {
    const offset = offsetMinutes(zoneText);
    if (offset === undefined) return undefined;
    zone = offset === 0 ? FixedOffsetZone.utcInstance : FixedOffsetZone.instance(offset);
  }
  // Luxon accepts hour 24 and leap seconds only in some paths; keep ranges strict.
  if (parts.hour > 23 || parts.minute > 59 || parts.second > 59) return undefined;
  return format(DateTime.fromObject(parts, { zone }));
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
