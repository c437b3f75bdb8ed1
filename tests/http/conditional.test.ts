import { describe, expect, it } from 'vitest';
import { etagMatches, isNotModified } from '../../src/http/conditional.js';

const etag = '"v1-3f2a"';
const lastModified = 'Wed, 30 Mar 2022 01:34:12 GMT';

describe('etagMatches', () => {
  it('matches the same tag, a tag in a list, and *', () => {
    expect(etagMatches('"v1-3f2a"', etag)).toBe(true);
    expect(etagMatches('"old", "v1-3f2a" ,"other"', etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
  });

  it('compares weakly: W/ on either side still matches', () => {
    expect(etagMatches('W/"v1-3f2a"', etag)).toBe(true);
    expect(etagMatches('"v1-3f2a"', 'W/"v1-3f2a"')).toBe(true);
  });

  it('does not match another tag or an unquoted one', () => {
    expect(etagMatches('"v0-0000"', etag)).toBe(false);
    expect(etagMatches('v1-3f2a', etag)).toBe(false);
    expect(etagMatches('', etag)).toBe(false);
  });
});

describe('isNotModified', () => {
  it('is true for If-Modified-Since at or after Last-Modified, false before', () => {
    expect(isNotModified({ ifModifiedSince: lastModified }, { etag, lastModified })).toBe(true);
    expect(isNotModified({ ifModifiedSince: 'Thu, 31 Mar 2022 00:00:00 GMT' }, { etag, lastModified })).toBe(true);
    expect(isNotModified({ ifModifiedSince: 'Wed, 30 Mar 2022 01:34:11 GMT' }, { etag, lastModified })).toBe(false);
  });

  it('lets If-None-Match decide alone when both are sent', () => {
    expect(isNotModified({ ifNoneMatch: '"stale"', ifModifiedSince: lastModified }, { etag, lastModified })).toBe(false);
    expect(isNotModified({ ifNoneMatch: etag, ifModifiedSince: 'Mon, 01 Jan 2001 00:00:00 GMT' }, { etag, lastModified })).toBe(true);
  });

  it('ignores an invalid If-Modified-Since date', () => {
    expect(isNotModified({ ifModifiedSince: 'yesterday' }, { etag, lastModified })).toBe(false);
  });
});
