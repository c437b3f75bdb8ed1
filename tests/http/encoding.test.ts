import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chooseEncoding, compressBody } from '../../src/http/encoding.js';

describe('chooseEncoding', () => {
  it('prefers br over gzip when both are allowed', () => {
    expect(chooseEncoding('gzip, deflate, br')).toBe('br');
    expect(chooseEncoding('br;q=1.0, gzip;q=1.0')).toBe('br');
    expect(chooseEncoding('*')).toBe('br');
  });

  it('respects q=0 and higher q-values', () => {
    expect(chooseEncoding('gzip, br;q=0')).toBe('gzip');
    expect(chooseEncoding('gzip;q=0, br;q=0')).toBe('identity');
    expect(chooseEncoding('*;q=0')).toBe('identity');
    expect(chooseEncoding('gzip;q=1, br;q=0.5')).toBe('gzip');
    expect(chooseEncoding('*, br;q=0')).toBe('gzip');
    expect(chooseEncoding('X-GZIP')).toBe('gzip');
  });

  it('sends identity without the header or when only unknown codings are asked', () => {
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('')).toBe('identity');
    expect(chooseEncoding('deflate, identity')).toBe('identity');
  });
});

describe('compressBody', () => {
  it('round-trips Chinese text through br and gzip', () => {
    const body = Buffer.from('<p>工信部：一季度规模以上工业增加值同比增长6.5%</p>'.repeat(40), 'utf8');
    expect(brotliDecompressSync(compressBody(body, 'br')).equals(body)).toBe(true);
    expect(gunzipSync(compressBody(body, 'gzip')).equals(body)).toBe(true);
    expect(compressBody(body, 'identity')).toBe(body);
  });
});
