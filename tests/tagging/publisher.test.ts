import { describe, expect, it } from 'vitest';
import type { PublisherConfig } from '../../src/domain.js';
import { choosePublisher, resolvePublisher } from '../../src/tagging/publisher.js';

const publishers: Record<string, PublisherConfig> = {
  中国工业报: { slug: 'cinn' },
  证券时报网: { alias: '证券时报' },
  证券时报: { slug: 'stcn' },
  中证网: { alias: '中国证券报' },
  每经网: { alias: '每日经济新闻' },
  每日经济新闻: { alias: '每经' },
};

describe('resolvePublisher', () => {
  it('uses the configured slug and tags <name>新闻', () => {
    expect(resolvePublisher('中国工业报', publishers)).toEqual({
      name: '中国工业报',
      slug: 'cinn',
      tag: '中国工业报新闻',
    });
  });

  it('falls back to the pinyin slug without an entry', () => {
    expect(resolvePublisher('重庆日报', publishers)).toEqual({
      name: '重庆日报',
      slug: 'chongqingribao',
      tag: '重庆日报新闻',
    });
  });

  it('trims the raw name', () => {
    expect(resolvePublisher('  重庆日报\n', publishers).name).toBe('重庆日报');
  });

  it('follows an alias and takes the target entry’s slug', () => {
    expect(resolvePublisher('证券时报网', publishers)).toEqual({
      name: '证券时报',
      slug: 'stcn',
      tag: '证券时报新闻',
    });
  });

  it('gives an alias target without an entry its pinyin slug', () => {
    expect(resolvePublisher('中证网', publishers)).toEqual({
      name: '中国证券报',
      slug: 'zhongguozhengquanbao',
      tag: '中国证券报新闻',
    });
  });

  it('follows an alias only once', () => {
    expect(resolvePublisher('每经网', publishers).name).toBe('每日经济新闻');
  });

  it('does not find names on Object.prototype', () => {
    expect(resolvePublisher('constructor', publishers)).toEqual({
      name: 'constructor',
      slug: 'constructor',
      tag: 'constructor新闻',
    });
  });
});

describe('choosePublisher', () => {
  const all = { fixed: '中国工业报', page: '证券时报', itemAuthor: '刘英', feedTitle: '东方财富网' };

  it('prefers the source’s fixed publisher', () => {
    expect(choosePublisher(all)).toBe('中国工业报');
  });

  it('then the page’s 文章来源', () => {
    expect(choosePublisher({ ...all, fixed: undefined })).toBe('证券时报');
  });

  it('then the item’s author', () => {
    expect(choosePublisher({ itemAuthor: '刘英', feedTitle: '东方财富网' })).toBe('刘英');
  });

  it('then the feed title', () => {
    expect(choosePublisher({ feedTitle: ' 东方财富网 ' })).toBe('东方财富网');
  });

  it('skips blank candidates', () => {
    expect(choosePublisher({ fixed: '  ', page: '', itemAuthor: '\t', feedTitle: '财联社' })).toBe(
      '财联社',
    );
  });

  it('returns undefined when nothing is known', () => {
    expect(choosePublisher({})).toBeUndefined();
  });
});
