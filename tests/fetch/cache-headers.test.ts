import { describe, expect, it } from 'vitest';
import { parseMaxAge, parseRetryAfter } from '../../src/fetch/cache-headers.js';

const now = Date.parse('2022-03-30T01:34:12Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 30 Mar 2022 01:35:12 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 30 Mar 2022 01:00:00 GMT', now)).toBe(0);
  });

  it('ignores garbage', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('parseMaxAge', () => {
  it('reads max-age, else s-maxage', () => {
    expect(parseMaxAge({ 'cache-control': 'public, max-age=300' }, now)).toBe(300_000);
    expect(parseMaxAge({ 'cache-control': 'public, s-maxage=600' }, now)).toBe(600_000);
    expect(parseMaxAge({ 'cache-control': 'max-age="60"' }, now)).toBe(60_000);
  });

  it('treats no-cache and no-store as already stale', () => {
    expect(parseMaxAge({ 'cache-control': 'no-cache, max-age=300' }, now)).toBe(0);
    expect(parseMaxAge({ 'cache-control': 'no-store' }, now)).toBe(0);
  });

  it('prefers Cache-Control over Expires', () => {
    expect(
      parseMaxAge({ 'cache-control': 'max-age=60', expires: 'Wed, 30 Mar 2022 02:34:12 GMT' }, now),
    ).toBe(60_000);
  });

  it('uses Expires minus Date, or minus now without a Date', () => {
    expect(
      parseMaxAge({ date: 'Wed, 30 Mar 2022 01:00:00 GMT', expires: 'Wed, 30 Mar 2022 01:10:00 GMT' }, now),
    ).toBe(600_000);
    expect(parseMaxAge({ expires: 'Wed, 30 Mar 2022 01:44:12 GMT' }, now)).toBe(600_000);
  });

  it('reads an invalid or past Expires as expired', () => {
    expect(parseMaxAge({ expires: '0' }, now)).toBe(0);
    expect(parseMaxAge({ expires: 'Thu, 01 Jan 1970 00:00:00 GMT' }, now)).toBe(0);
  });

  it('says nothing when the server said nothing', () => {
    expect(parseMaxAge({}, now)).toBeUndefined();
    expect(parseMaxAge({ 'cache-control': 'public' }, now)).toBeUndefined();
  });
});
