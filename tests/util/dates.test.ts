import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { dateFormatProblem, parseDate, parseDateValue } from '../../src/util/dates.js';

const SH = 'Asia/Shanghai';

describe('parseDate', () => {
  it.each([
    // RFC 822 / 1123: the source's offset is kept
    ['Wed, 30 Mar 2022 09:34:12 +0800', '2022-03-30T09:34:12+08:00'],
    ['Wed, 30 Mar 2022 09:34:12 +08:00', '2022-03-30T09:34:12+08:00'],
    ['30 Mar 2022 01:34:12 GMT', '2022-03-30T01:34:12Z'],
    ['Wed, 30 Mar 2022 01:34:12 UT', '2022-03-30T01:34:12Z'],
    ['Tue, 29 Mar 2022 20:34:12 -0500', '2022-03-29T20:34:12-05:00'],
    ['Wed, 30 Mar 22 09:34:12 +0800', '2022-03-30T09:34:12+08:00'],
    ['Wed, 6 Apr 2022 9:05 +0800', '2022-04-06T09:05:00+08:00'],
    // CST in Chinese feeds is China Standard Time, not US Central
    ['Wed, 30 Mar 2022 09:34:12 CST', '2022-03-30T09:34:12+08:00'],
    ['Wed Mar 30 09:34:12 CST 2022', '2022-03-30T09:34:12+08:00'],
    ['Wed Mar 30 2022 09:34:12 GMT+0800 (中国标准时间)', '2022-03-30T09:34:12+08:00'],
    // ISO 8601
    ['2022-03-30T09:34:12+08:00', '2022-03-30T09:34:12+08:00'],
    ['2022-03-30T01:34:12Z', '2022-03-30T01:34:12Z'],
    ['2022-03-30T09:34:12.857+0800', '2022-03-30T09:34:12+08:00'],
    ['2022-03-30 09:34:12 +0800', '2022-03-30T09:34:12+08:00'],
    // naive dates: read in the zone given
    ['2022-03-30 09:34:12', '2022-03-30T09:34:12+08:00'],
    ['2022-03-30T09:34:12', '2022-03-30T09:34:12+08:00'],
    ['2022/03/30 09:34', '2022-03-30T09:34:00+08:00'],
    ['2022-03-30', '2022-03-30T00:00:00+08:00'],
    ['2022-3-5 9:04', '2022-03-05T09:04:00+08:00'],
    ['2022年03月30日 09:34', '2022-03-30T09:34:00+08:00'],
    ['2022年03月30日09:34:12', '2022-03-30T09:34:12+08:00'],
    ['2022年3月30日', '2022-03-30T00:00:00+08:00'],
    ['２０２２年３月３０日　０９：３４', '2022-03-30T09:34:00+08:00'],
    ['  2022-03-30 09:34:12\n', '2022-03-30T09:34:12+08:00'],
    ['2022年3月30日 下午3:34', '2022-03-30T15:34:00+08:00'],
    ['2022年3月30日 星期三 09:34', '2022-03-30T09:34:00+08:00'],
    ['Mar 30, 2022 9:34 PM', '2022-03-30T21:34:00+08:00'],
    ['March 30, 2022 12:05 am', '2022-03-30T00:05:00+08:00'],
    // epoch seconds / milliseconds (JSON list APIs)
    ['1648604052', '2022-03-30T09:34:12+08:00'],
    ['1648604052000', '2022-03-30T09:34:12+08:00'],
  ])('%j → %s', (text, expected) => {
    expect(parseDate(text, SH)).toBe(expected);
  });

  it('reads naive dates in the zone it is given', () => {
    expect(parseDate('2022-03-30 09:34:12', 'Europe/Berlin')).toBe('2022-03-30T09:34:12+02:00');
    expect(parseDate('2022-01-30 09:34:12', 'Europe/Berlin')).toBe('2022-01-30T09:34:12+01:00');
    expect(parseDate('2022-03-30 09:34:12', 'UTC')).toBe('2022-03-30T09:34:12Z');
  });

  it('keeps an explicit offset whatever the zone', () => {
    expect(parseDate('Wed, 30 Mar 2022 09:34:12 +0800', 'America/New_York')).toBe('2022-03-30T09:34:12+08:00');
  });

  it('reads RFC 822 dates with a numeric offset at the edges of their ranges', () => {
    expect(parseDate('Wed, 30 Mar 2022 09:34:12 -0000', SH)).toBe('2022-03-30T09:34:12Z');
    expect(parseDate('Wed, 30 Mar 2022 09:34:12 +0000', SH)).toBe('2022-03-30T09:34:12Z');
    expect(parseDate('Wed, 30 Mar 2022 09:34:12 -0530', SH)).toBe('2022-03-30T09:34:12-05:30');
    expect(parseDate('Thu, 29 Feb 2024 23:59:59 +0800', SH)).toBe('2024-02-29T23:59:59+08:00');
    expect(parseDate('30 mar 2022 09:34:12 +0800', SH)).toBe('2022-03-30T09:34:12+08:00');
    for (const text of ['Tue, 29 Feb 2022 09:34:12 +0800', 'Wed, 30 Mar 2022 24:00:00 +0800', 'Wed, 30 Mar 2022 09:34:12 +1500', '1 Jan 1899 00:00:00 +0800']) {
      expect(parseDate(text, SH), text).toBeUndefined();
    }
  });

  it.each([
    [undefined],
    [''],
    ['   '],
    ['昨天'],
    ['not a date'],
    ['2022-02-30 09:34'],
    ['2022-13-01'],
    ['2022-03-30 25:10'],
    ['Wed, 32 Mar 2022 09:34:12 +0800'],
    ['Wed, 30 Foo 2022 09:34:12 +0800'],
    ['Wed, 30 Mar 2022 09:34:12 XYZ'],
    ['Wed, 30 Mar 2022 09:34:12 +2500'],
    ['0001-01-01T00:00:00Z'],
    ['Invalid Date'],
    ['2022-03-30 13:00 PM'],
    ['03-30'], // a list page's month-day: no year, and not a time at offset -30:00
    ['09:34'],
  ])('%j → undefined, without throwing', (text) => {
    expect(parseDate(text, SH)).toBeUndefined();
  });

  it('returns undefined for a naive date in an unknown zone, and still reads explicit offsets there', () => {
    expect(parseDate('2022-03-30 09:34', 'Mars/Olympus')).toBeUndefined();
    expect(parseDate('2022-03-30T09:34:00+08:00', 'Mars/Olympus')).toBe('2022-03-30T09:34:00+08:00');
  });
});

describe('parseDateValue: record dates of json/html sources', () => {
  it.each([
    ['2022-03-30T09:34:12+08:00', '2022-03-30T09:34:12+08:00'],
    ['2022-03-30 09:34', '2022-03-30T09:34:00+08:00'],
    ['2022/03/30 09:34:12', '2022-03-30T09:34:12+08:00'],
    ['2022年03月30日 09:34:12', '2022-03-30T09:34:12+08:00'],
    ['1648604052', '2022-03-30T09:34:12+08:00'],
    ['1648604052000', '2022-03-30T09:34:12+08:00'],
    [1648604052, '2022-03-30T09:34:12+08:00'],
    [1648604052000, '2022-03-30T09:34:12+08:00'],
  ] as [unknown, string][])('%j', (value, expected) => {
    expect(parseDateValue(value, SH)).toBe(expected);
  });

  it('reads what no built-in form does with a dateFormat, in the site zone', () => {
    expect(parseDateValue('03/30/2022 09:34', SH, 'MM/dd/yyyy HH:mm')).toBe('2022-03-30T09:34:00+08:00');
    expect(parseDateValue('2022年3月30日9时34分', SH, "yyyy年M月d日H'时'm'分'")).toBe('2022-03-30T09:34:00+08:00');
    // a value the format does not fit still gets the built-in forms
    expect(parseDateValue('2022-03-30 09:34', SH, 'MM/dd/yyyy HH:mm')).toBe('2022-03-30T09:34:00+08:00');
  });

  it('is undefined for what is not a date', () => {
    for (const v of ['昨天 11:30', '', null, undefined, {}, 12.5, 0, 123]) expect(parseDateValue(v, SH)).toBeUndefined();
  });

  it('dateFormatProblem names a format without tokens', () => {
    expect(dateFormatProblem("'abc'")).toMatch(/no date tokens/);
    expect(dateFormatProblem('yyyy年MM月dd日 HH:mm')).toBeUndefined();
  });
});

describe('naive dates agree with luxon in every zone, across offset changes', () => {
  it.each(['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'])('%s', (zone) => {
    // Every 20 minutes through a year's both transitions, and unix times on the same grid.
    for (let ms = Date.UTC(2022, 2, 1); ms < Date.UTC(2022, 10, 30); ms += 20 * 60_000 * 37) {
      const d = new Date(ms);
      const text = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:07`;
      const viaLuxon = DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm:ss', { zone }).toISO({ suppressMilliseconds: true });
      expect(parseDate(text, zone)).toBe(viaLuxon);
      const seconds = String(Math.floor(ms / 1000));
      expect(parseDate(seconds, zone)).toBe(DateTime.fromMillis(Number(seconds) * 1000, { zone }).toISO({ suppressMilliseconds: true }));
    }
    // A local time that does not exist (spring forward) and one that exists twice (fall back).
    for (const text of ['2022-03-13 02:30:00', '2022-11-06 01:30:00', '2022-03-27 01:30:00', '2022-10-30 01:30:00', '2022-04-03 01:45:00']) {
      expect(parseDate(text, zone)).toBe(DateTime.fromFormat(text, 'yyyy-MM-dd HH:mm:ss', { zone }).toISO({ suppressMilliseconds: true }));
    }
  });
});
