import { describe, expect, it } from 'vitest';
import { epochOf, isoInZone, isValidZone } from '../../src/util/time.js';

describe('isoInZone', () => {
  it('writes an instant with the offset of the site zone', () => {
    expect(isoInZone(Date.UTC(2022, 2, 30, 1, 34, 12), 'Asia/Shanghai')).toBe('2022-03-30T09:34:12+08:00');
  });
  it('round-trips through epochOf', () => {
    expect(epochOf('2022-03-30T09:34:12+08:00')).toBe(Date.UTC(2022, 2, 30, 1, 34, 12));
  });
  it('knows real zones from made-up ones', () => {
    expect(isValidZone('Asia/Shanghai')).toBe(true);
    expect(isValidZone('Mars/Olympus')).toBe(false);
  });
});
