import { describe, expect, it } from 'vitest';
import { isFinewsError } from '../../src/errors.js';
import { parseJsonBody } from '../../src/sources/json-body.js';

const origin = { url: 'https://np-listapi.eastmoney.com/comm/web/getNewsByColumns', contentType: 'text/html' };

describe('parseJsonBody unwraps what list and article APIs send', () => {
  it.each([
    ['JSON', '{"data":{"list":[1]}}', 'json'],
    ['JSON with a BOM and whitespace', '\uFEFF\n {"data":{"list":[1]}} \n', 'json'],
    ['JSONP with a jQuery callback', 'jQuery112300_1648600000000({"data":{"list":[1]}});', 'jsonp'],
    ['JSONP with a dotted callback and no semicolon', 'window.cb.done( {"data":{"list":[1]}} )\n', 'jsonp'],
    ['JSONP behind /**/ and a typeof guard', '/**/ typeof cb === "function" && cb({"data":{"list":[1]}});', 'jsonp'],
    ['a script assignment', 'var ajaxResult={"data":{"list":[1]}};', 'assignment'],
    ['an assignment without var', 'ajaxResult = {"data":{"list":[1]}}', 'assignment'],
  ])('%s', (_what, text, wrapping) => {
    expect(parseJsonBody(text, origin)).toEqual({ value: { data: { list: [1] } }, wrapping });
  });

  it('keeps every digit of 18-digit integers, and leaves numbers inside strings alone', () => {
    const { value } = parseJsonBody('{"code":202203302327572513,"t":1648604052,"s":"x:1234567890123456789,","f":-1.5e3}', origin);
    expect(value).toEqual({ code: '202203302327572513', t: 1648604052, s: 'x:1234567890123456789,', f: -1500 });
  });

  it('an HTML error page is not-json naming the content type and the first bytes', () => {
    try {
      parseJsonBody('<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>', origin);
      expect.unreachable();
    } catch (err) {
      expect(isFinewsError(err, 'not-json')).toBe(true);
      expect((err as Error).message).toBe(
        'not JSON: https://np-listapi.eastmoney.com/comm/web/getNewsByColumns answered text/html with a body starting "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></h…"',
      );
    }
  });

  it('broken JSON says why', () => {
    expect(() => parseJsonBody('{"data":', { url: 'https://x.cn/a' })).toThrow(/not JSON: https:\/\/x\.cn\/a answered no Content-Type with a body starting "\{\\"data\\":" \(.+\)/);
    expect(() => parseJsonBody('', { url: 'https://x.cn/a' })).toThrow(/an empty body/);
  });
});
