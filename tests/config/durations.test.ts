import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseSize } from '../../src/config/durations.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    [' 5m ', 300_000],
    ['0', 0],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', '10x', '10 m', 'm', '-5s', '30m1h', '1h1h', '10M', 'ten minutes'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('writes durations back in their largest whole unit', () => {
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1_500)).toBe('1500ms');
    expect(formatDuration(0)).toBe('0ms');
  });
});

describe('parseSize', () => {
  it.each<[string | number, number]>([
    ['512KB', 512 * 1024],
    ['10MB', 10 * 1024 * 1024],
    ['1GB', 1024 ** 3],
    ['10mb', 10 * 1024 * 1024],
    ['1.5MB', 1.5 * 1024 * 1024],
    ['2MiB', 2 * 1024 * 1024],
    ['100B', 100],
    ['4096', 4096],
    [1048576, 1048576],
  ])('%j → %i bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each<string | number>(['', 'MB', '1TB', '10 parsecs', '-1MB', 1.5, -3])('rejects %j', (input) => {
    expect(parseSize(input)).toBeUndefined();
  });
});
