import { describe, expect, it } from 'vitest';
import type { InfoCodeRule, SourceItem } from '../../src/domain.js';
import { isFinewsError } from '../../src/errors.js';
import {
  canonicalInfoCode,
  canonicalLink,
  comparisonForm,
  extractInfoCode,
  identify,
  infoCodeKey,
  sameInfoCode,
} from '../../src/identity/index.js';

const DEFAULT_RULE: InfoCodeRule = { param: 'infoCode' };

function item(fields: Partial<SourceItem>): SourceItem {
  return { title: '工信部：加快推进工业领域碳达峰', categories: [], ...fields };
}

describe('identify: one article, many link forms', () => {
  // Every row is the same Eastmoney article, as different feeds link it.
  it.each([
    [{ link: 'https://finance.eastmoney.com/a/202203302327572513.html' }],
    [{ link: 'http://finance.eastmoney.com/a/202203302327572513.html?from=rss' }],
    [{ link: 'https://emwap.eastmoney.com/news/info?infoCode=NW202203302327572513' }],
    [{ link: 'https://emwap.eastmoney.com/news/info?InfoCode=202203302327572513&utm_source=x' }],
    [{ link: 'https://m.example.com/share?INFOCODE=nw202203302327572513' }],
    [{ link: 'https://m.example.com/share?infocode=%20NW202203302327572513%20' }],
    [{ link: 'http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202203302327572513' }],
    [{ link: 'https://m.example.com/#/news/detail?infoCode=NW202203302327572513' }],
    [{ link: 'https://example.com/no-code-here.html', guid: 'https://finance.eastmoney.com/a/202203302327572513.html' }],
    [{ guid: 'NewsShare.html?infoCode=NW202203302327572513' }],
  ])('%j', (fields) => {
    expect(identify(item(fields), DEFAULT_RULE)).toEqual({
      key: 'ic-202203302327572513',
      infoCode: 'NW202203302327572513',
    });
  });

  it('reads /news/<n>,<digits>.html paths', () => {
    expect(identify(item({ link: 'https://finance.eastmoney.com/news/1355,20220330232757251.html' }), DEFAULT_RULE)).toEqual({
      key: 'ic-20220330232757251',
      infoCode: 'NW20220330232757251',
    });
  });

  it('keeps non-news codes as they are, upper-cased', () => {
    expect(identify(item({ link: 'https://data.eastmoney.com/notices/detail.html?infocode=an202203301557' }), DEFAULT_RULE)).toEqual({
      key: 'ic-AN202203301557',
      infoCode: 'AN202203301557',
    });
  });

  it('prefers the link over the guid', () => {
    const it1 = item({
      link: 'https://finance.eastmoney.com/a/202203302327572513.html',
      guid: 'https://finance.eastmoney.com/a/202203311111111111.html',
    });
    expect(identify(it1, DEFAULT_RULE).infoCode).toBe('NW202203302327572513');
  });

  it('does not take short numeric paths on other sites for article codes', () => {
    expect(extractInfoCode(item({ link: 'https://www.example.com/a/5.html' }), DEFAULT_RULE)).toBeNull();
  });
});

describe('identify: items without an infoCode', () => {
  it('keys by guid, then canonical link, then title', () => {
    const byGuid = identify(item({ guid: 'cinn-2022-0330-001', link: 'https://www.cinn.cn/p/1.html' }), DEFAULT_RULE);
    expect(byGuid.infoCode).toBeNull();
    expect(byGuid.key).toMatch(/^g-[0-9a-f]{20}$/);
    expect(identify(item({ guid: ' cinn-2022-0330-001 ' }), DEFAULT_RULE).key).toBe(byGuid.key);

    const byLink = identify(item({ link: 'https://www.cinn.cn/p/1.html?utm_source=rss#top' }), DEFAULT_RULE);
    expect(byLink.key).toMatch(/^u-[0-9a-f]{20}$/);
    expect(identify(item({ link: 'HTTPS://WWW.CINN.CN:443/p/1.html' }), DEFAULT_RULE).key).toBe(byLink.key);
    expect(identify(item({ link: 'https://www.cinn.cn/p/2.html' }), DEFAULT_RULE).key).not.toBe(byLink.key);

    const byTitle = identify(item({}), DEFAULT_RULE);
    expect(byTitle.key).toMatch(/^t-[0-9a-f]{20}$/);
    expect(identify(item({ title: '另一条新闻' }), DEFAULT_RULE).key).not.toBe(byTitle.key);
  });
});

describe('keys are safe as BullMQ job ids and Redis keys', () => {
  const SAFE = /^[A-Za-z0-9_-]+$/;
  it.each([
    ['202203302327572513'],
    ['NW202203302327572513'],
    ['12345'],
    ['a:b:c'],
    ['新闻:001'],
    ['AB_CD'],
    ['x y/z?'],
    ['X'.repeat(300)],
  ])('%j', (code) => {
    const key = infoCodeKey(code);
    expect(key).toMatch(SAFE);
    expect(key).not.toMatch(/^\d+$/);
    expect(key).not.toContain(':');
    expect(key.length).toBeLessThanOrEqual(110);
  });

  it('sanitizes deterministically and keeps distinct codes distinct', () => {
    expect(infoCodeKey('a:b')).toBe(infoCodeKey('A:B'));
    expect(infoCodeKey('A:B')).toBe('ic-A_3AB');
    expect(infoCodeKey('A_3AB')).not.toBe(infoCodeKey('A:B'));
    expect(infoCodeKey('A-B')).not.toBe(infoCodeKey('A_B'));
  });

  it('holds for every kind of key identify makes', () => {
    for (const fields of [{ link: 'https://x.example/?infoCode=a%3Ab' }, { guid: 'urn:x:1' }, { link: 'https://x.example/p' }, {}]) {
      const { key } = identify(item(fields), DEFAULT_RULE);
      expect(key).toMatch(SAFE);
      expect(key).not.toMatch(/^\d+$/);
    }
  });
});

describe('per-source rules', () => {
  it('uses the source pattern first, on the link then the guid', () => {
    const rule: InfoCodeRule = { param: 'infoCode', pattern: String.raw`/detail/(\d+)\.html` };
    expect(extractInfoCode(item({ link: 'https://www.cinn.cn/detail/88123.html?infoCode=NW1' }), rule)).toBe('88123');
    expect(extractInfoCode(item({ link: 'https://www.cinn.cn/x', guid: 'https://www.cinn.cn/detail/7.html' }), rule)).toBe('7');
  });

  it('falls back to the param and Eastmoney paths when the pattern does not match', () => {
    const rule: InfoCodeRule = { param: 'infoCode', pattern: String.raw`/detail/(\d+)\.html` };
    expect(extractInfoCode(item({ link: 'https://finance.eastmoney.com/a/202203302327572513.html' }), rule)).toBe(
      '202203302327572513',
    );
  });

  it('matches the configured param case-insensitively, and still knows infoCode', () => {
    const rule: InfoCodeRule = { param: 'newsId' };
    expect(extractInfoCode(item({ link: 'https://www.example.cn/show?NEWSID=cj20220330001' }), rule)).toBe('cj20220330001');
    expect(extractInfoCode(item({ link: 'https://www.example.cn/show?newsid=CJ1&infoCode=NW2' }), rule)).toBe('CJ1');
    expect(extractInfoCode(item({ link: 'https://www.example.cn/show?infoCode=NW2' }), rule)).toBe('NW2');
  });

  it('reports an invalid pattern as a config error', () => {
    const rule: InfoCodeRule = { param: 'infoCode', pattern: '/a/(\\d+' };
    let caught: unknown;
    try {
      extractInfoCode(item({ link: 'https://finance.eastmoney.com/a/1.html' }), rule);
    } catch (err) {
      caught = err;
    }
    expect(isFinewsError(caught, 'config-invalid')).toBe(true);
  });
});

describe('bounded pattern matching', () => {
  it('refuses a nested-quantifier pattern as a config error instead of running it', () => {
    const rule: InfoCodeRule = { param: 'infoCode', pattern: '(a+)+$' };
    // On this link `(a+)+$` backtracks for hours if it is ever run.
    const link = `https://www.example.cn/${'a'.repeat(40)}!`;
    let caught: unknown;
    try {
      extractInfoCode(item({ link }), rule);
    } catch (err) {
      caught = err;
    }
    expect(isFinewsError(caught, 'config-invalid')).toBe(true);
    expect((caught as Error).message).toContain('(a+)+$');
  });

  it('does not run the pattern on links and guids longer than 2,048 characters', () => {
    const rule: InfoCodeRule = { param: 'infoCode', pattern: String.raw`/detail/(\d+)\.html` };
    const long = `https://www.cinn.cn/detail/88123.html?pad=${'x'.repeat(2048)}&infoCode=NW9`;
    expect(extractInfoCode(item({ link: long }), rule)).toBe('NW9');
    const atCap = `https://www.cinn.cn/detail/88123.html?pad=`.padEnd(2048, 'x');
    expect(extractInfoCode(item({ link: atCap }), rule)).toBe('88123');
  });
});

describe('canonical and comparison forms', () => {
  it.each([
    ['202203302327572513', 'NW202203302327572513'],
    ['20220330232757251', 'NW20220330232757251'],
    [' nw202203302327572513 ', 'NW202203302327572513'],
    ['AN202203301557', 'AN202203301557'],
    ['an202203301557', 'AN202203301557'],
    ['12345', '12345'],
  ])('canonicalInfoCode(%j) = %j', (raw, canonical) => {
    expect(canonicalInfoCode(raw)).toBe(canonical);
  });

  it('compares NW-prefixed and bare codes as one', () => {
    expect(comparisonForm('NW202203302327572513')).toBe('202203302327572513');
    expect(comparisonForm(' 202203302327572513')).toBe('202203302327572513');
    expect(sameInfoCode('nw202203302327572513', '202203302327572513')).toBe(true);
    expect(sameInfoCode('AN202203301557', 'NW202203301557')).toBe(false);
  });
});

describe('canonicalLink', () => {
  it.each([
    ['HTTPS://News.Example.COM/a/1.html', 'https://news.example.com/a/1.html'],
    ['https://news.example.com:443/a/1.html', 'https://news.example.com/a/1.html'],
    ['http://news.example.com:80/a/1.html', 'http://news.example.com/a/1.html'],
    ['http://news.example.com:8080/a/1.html', 'http://news.example.com:8080/a/1.html'],
    ['https://news.example.com/a/1.html#comments', 'https://news.example.com/a/1.html'],
    ['https://news.example.com/a/1.html?utm_source=rss&utm_medium=feed', 'https://news.example.com/a/1.html'],
    ['https://news.example.com/a?id=7&utm_source=rss&page=2&UTM_Campaign=x', 'https://news.example.com/a?id=7&page=2'],
    ['https://news.example.com/a?q=%E8%B4%A2%E7%BB%8F&x=a+b', 'https://news.example.com/a?q=%E8%B4%A2%E7%BB%8F&x=a+b'],
    ['https://news.example.com/Path/Is/Kept.html', 'https://news.example.com/Path/Is/Kept.html'],
    ['  not a url  ', 'not a url'],
  ])('%j → %j', (input, expected) => {
    expect(canonicalLink(input)).toBe(expected);
  });
});
