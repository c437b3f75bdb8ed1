import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody, normalizeCharset } from '../../src/fetch/decode.js';
import { charsetFixtures } from '../fixtures/fetch/manifest.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/fetch');
const bytes = (file: string): Buffer => readFileSync(join(fixtures, file));
const golden = (file: string): string => readFileSync(join(fixtures, 'source', file), 'utf8');

describe('decodeBody fixtures', () => {
  it.each(charsetFixtures.map((f) => [f.why, f] as const))('%s', (_why, f) => {
    const { text, charset } = decodeBody(bytes(f.file), f.contentType);
    expect(charset).toBe(f.expectedCharset);
    expect(text).toBe(golden(f.source));
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
  });
});

describe('decodeBody with a mislabelled header', () => {
  const page = (metaCharset: string): string =>
    `<!DOCTYPE html><html><head><meta charset="${metaCharset}"><title>工业经济稳中有进</title></head>` +
    '<body><p>中国工业报：一季度规模以上工业增加值同比增长6.5%，制造业投资增长15.6%。</p></body></html>';

  it('reads a UTF-8 page that says UTF-8 in <meta> as UTF-8 despite charset=gb2312, with a warning', () => {
    const html = page('utf-8');
    const { text, charset, warnings } = decodeBody(Buffer.from(html, 'utf8'), 'text/html; charset=gb2312');
    expect(charset).toBe('utf-8');
    expect(text).toBe(html);
    expect(warnings).toEqual([expect.stringContaining('gb2312')]);
    expect(warnings?.[0]).toContain('UTF-8');
  });

  it('reads valid UTF-8 that breaks as GBK as UTF-8 even without a <meta>', () => {
    const text = '<rss><channel><title>证券时报网</title><item><title>央行：保持流动性合理充裕。</title></item></channel></rss>';
    const bytes = Buffer.from(text, 'utf8');
    // The premise: these bytes do not decode cleanly as GBK.
    expect(iconv.decode(bytes, 'gbk')).toContain('\ufffd');
    const decoded = decodeBody(bytes, 'application/rss+xml; charset=GBK');
    expect(decoded.charset).toBe('utf-8');
    expect(decoded.text).toBe(text);
    expect(decoded.warnings).toHaveLength(1);
  });

  it('keeps the header for a real GBK page, even one whose <meta> wrongly says UTF-8', () => {
    const html = page('utf-8');
    const { text, charset, warnings } = decodeBody(iconv.encode(html, 'gbk'), 'text/html; charset=gb2312');
    expect(charset).toBe('gb18030');
    expect(text).toBe(html);
    expect(warnings).toBeUndefined();
  });

  it('gives no warning when the header is right', () => {
    const html = page('gbk');
    expect(decodeBody(iconv.encode(html, 'gbk'), 'text/html; charset=GBK').warnings).toBeUndefined();
    expect(decodeBody(Buffer.from(html, 'utf8'), 'text/html; charset=utf-8').warnings).toBeUndefined();
    expect(decodeBody(Buffer.from('<p>ascii only</p>'), 'text/html; charset=gb2312').warnings).toBeUndefined();
  });
});

describe('decodeBody rules', () => {
  it('reads a GBK-only character in a page labelled gb2312 (decoded as GB18030)', () => {
    const { text } = decodeBody(bytes('gb2312-page-http-equiv.html'));
    expect(text).toContain('工业互联网产业联盟专家王喆');
    expect(text).toContain('企业负责人刘珺');
  });

  it('falls back to GB18030 for undeclared text, including 4-byte sequences', () => {
    const { text, charset } = decodeBody(bytes('gb18030-undeclared.html'));
    expect(charset).toBe('gb18030');
    expect(text).toContain('分析师李䶮表示');
    expect(text).toContain('€1＝¥7.0312');
    expect(text).toContain('比特币（₿）价格');
  });

  it('lets the HTTP charset win over the document meta', () => {
    const body = bytes('header-wins.html');
    expect(decodeBody(body, 'text/html; charset=GBK').text).toContain('国务院常务会议部署进一步做好稳外贸稳外资工作');
    // Without the header the (wrong) meta says utf-8; the bytes are not UTF-8, so the text is mangled.
    expect(decodeBody(body, 'text/html').text).not.toContain('国务院常务会议');
  });

  it('trusts a byte-order mark over a contradicting header, as browsers do', () => {
    const { text, charset } = decodeBody(bytes('utf8-bom-feed.xml'), 'application/xml; charset=GBK');
    expect(charset).toBe('utf-8');
    expect(text).toBe(golden('utf8-bom-feed.xml'));
  });

  it('skips an unknown header label and uses the next rule (meta)', () => {
    const { text, charset } = decodeBody(bytes('gbk-page-meta.html'), 'text/html; charset="x-no-such-charset"');
    expect(charset).toBe('gb18030');
    expect(text).toContain('钢铁行业加快推进超低排放改造');
  });

  it('skips an unknown XML prolog label and falls back to sniffing', () => {
    const xml = '<?xml version="1.0" encoding="x-made-up"?><rss><channel><title>证券时报网</title></channel></rss>';
    const { text, charset } = decodeBody(iconv.encode(xml, 'gb18030'));
    expect(charset).toBe('gb18030');
    expect(text).toBe(xml);
  });

  it('treats undeclared valid UTF-8 as UTF-8', () => {
    const html = '<p>沪深两市成交额连续第5个交易日突破1万亿元</p>';
    expect(decodeBody(Buffer.from(html, 'utf8'))).toEqual({ text: html, charset: 'utf-8' });
  });

  it('accepts x-gbk and GB2312 labels in the header, quoted or not', () => {
    const body = iconv.encode('上证指数收报3252.20点', 'gbk');
    expect(decodeBody(body, 'text/plain; charset=x-gbk').text).toBe('上证指数收报3252.20点');
    expect(decodeBody(body, 'text/plain;charset="GB2312"').text).toBe('上证指数收报3252.20点');
  });

  it('reads a meta http-equiv whose content comes before http-equiv', () => {
    const html = '<html><head><meta content="text/html; charset=GBK" http-equiv="Content-Type"></head><body>创业板指涨1.8%</body></html>';
    const { text, charset } = decodeBody(iconv.encode(html, 'gbk'));
    expect(charset).toBe('gb18030');
    expect(text).toBe(html);
  });

  it('ignores a meta charset beyond the first 2 KB', () => {
    const html = `<html><head>${' '.repeat(2100)}<meta charset="big5"></head><body>北向资金净流入52亿元</body></html>`;
    expect(decodeBody(Buffer.from(html, 'utf8'))).toEqual({ text: html, charset: 'utf-8' });
  });

  it('reads an in-document utf-16 declaration without a BOM as UTF-8', () => {
    const xml = '<?xml version="1.0" encoding="UTF-16"?><rss><channel><title>财联社</title></channel></rss>';
    expect(decodeBody(Buffer.from(xml, 'utf8'))).toEqual({ text: xml, charset: 'utf-8' });
  });

  it('decodes an empty body', () => {
    expect(decodeBody(Buffer.alloc(0))).toEqual({ text: '', charset: 'utf-8' });
  });
});

describe('charset labels', () => {
  it('maps the GB family to gb18030 and refuses unknown labels', () => {
    expect(normalizeCharset('GBK')).toBe('gb18030');
    expect(normalizeCharset(' gb2312 ')).toBe('gb18030');
    expect(normalizeCharset('Big5')).toBe('big5');
    expect(normalizeCharset('UTF8')).toBe('utf-8');
    expect(normalizeCharset('iso-8859-1')).toBe('windows-1252');
    expect(normalizeCharset('x-no-such-charset')).toBeUndefined();
    expect(normalizeCharset('')).toBeUndefined();
  });

  it('finds charset= in a Content-Type', () => {
    expect(charsetFromContentType('text/html; charset=GBK')).toBe('GBK');
    expect(charsetFromContentType('application/xml;charset="utf-8"; foo=bar')).toBe('utf-8');
    expect(charsetFromContentType('text/html')).toBeUndefined();
    expect(charsetFromContentType(undefined)).toBeUndefined();
  });
});
