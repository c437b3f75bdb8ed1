import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { epochOf, isoInZone, isValidZone } from '../../src/util/time.js';

describe('isoInZone', () => {
  it('writes an instant with the offset of the site zone', () => {
    expect(isoInZone(Date.UTC(2022, 2, 30, 1, 34, 12), 'Asia/Shanghai')).toBe('2022-03-30T09:34:12+08:00');
  });
  it('round-trips through epochOf', () => {
    expect(epochOf('2022-03-30T09:34:12+08:00')).toBe(Date.UTC(2022, 2, 30, 1, 34, 12));
  });
  it('reads every ISO 8601 form epochOf is given as luxon does, invalid dates as NaN', () => {
    const cases = [
      '2022-03-30T09:34:12Z',
      '2022-03-30T09:34:12-05:30',
      '2024-02-29T23:59:59+14:00',
      '2023-02-29T10:00:00+08:00',
      '2022-04-31T10:00:00Z',
      '2022-13-01T10:00:00Z',
      '2022-03-30T24:00:00Z',
      '2022-03-30T09:60:00Z',
      '0099-03-30T09:34:12Z',
      '2022-03-30T09:34:12.250+08:00',
      '2022-03-30T01:34:12.345Z',
      '2022-03-30T01:34:12.5Z',
      '2022-03-30',
      '20220330T093412+0800',
      'not a date',
    ];
    for (const iso of cases) expect(epochOf(iso), iso).toBe(DateTime.fromISO(iso, { setZone: true }).toMillis());
    expect(epochOf('2022-04-31T10:00:00Z')).toBeNaN();
  });
  it('knows real zones from made-up ones', () => {
    expect(isValidZone('Asia/Shanghai')).toBe(true);
    expect(isValidZone('Mars/Olympus')).toBe(false);
  });
});
