import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/domain.js';
import { absoluteSiteUrl, buildCategoryTitles, joinUrl, sitePath, siteHost } from '../../src/publish/context.js';
import { feedLinks, feedUrls } from '../../src/publish/formats.js';
import { testSite } from '../support/config.js';

const site = testSite();

const config: Pick<Config, 'site' | 'categories' | 'publishers'> = {
  site,
  categories: { industry: { title: '工业' }, zhongguogongyebao: { title: '不该用这个' } },
  publishers: { 中国工业报: { slug: 'cinn' }, 证券时报网: { alias: '证券时报' } },
};

describe('joinUrl', () => {
  it('never doubles or drops the slash', () => {
    for (const base of ['https://finews.example.com', 'https://finews.example.com/']) {
      expect(joinUrl(base, 'feeds/all.xml')).toBe('https://finews.example.com/feeds/all.xml');
      expect(joinUrl(base, '/feeds/all.xml')).toBe('https://finews.example.com/feeds/all.xml');
      expect(joinUrl(base, '')).toBe('https://finews.example.com/');
    }
    expect(joinUrl('//finews.withounder.com', '/')).toBe('//finews.withounder.com/');
    expect(joinUrl('https://x.example/news/', 'category/a.html')).toBe('https://x.example/news/category/a.html');
  });
});

describe('feed URLs', () => {
  it('follow INTERFACE §5 whether site.url ends with a slash or not', () => {
    for (const url of ['https://finews.example.com', 'https://finews.example.com/']) {
      expect(feedUrls({ url }, 'zhongguogongyebao')).toEqual({
        rss: 'https://finews.example.com/feeds/zhongguogongyebao.xml',
        atom: 'https://finews.example.com/feeds/zhongguogongyebao.atom',
        json: 'https://finews.example.com/feeds/zhongguogongyebao.json',
        html: 'https://finews.example.com/category/zhongguogongyebao.html',
      });
      expect(feedUrls({ url }, 'all').html).toBe('https://finews.example.com/');
    }
  });

  it('are absolute for a protocol-relative or bare site.url', () => {
    expect(absoluteSiteUrl({ url: '//finews.withounder.com' })).toBe('https://finews.withounder.com');
    expect(absoluteSiteUrl({ url: 'finews.withounder.com' })).toBe('https://finews.withounder.com');
    expect(feedUrls({ url: '//finews.withounder.com' }, 'all').rss).toBe('https://finews.withounder.com/feeds/all.xml');
    expect(siteHost({ url: '//Finews.Withounder.com/' })).toBe('finews.withounder.com');
  });

  it('are root-relative inside pages, keeping a site path prefix', () => {
    expect(feedLinks({ url: 'https://finews.example.com/' }, 'industry')).toEqual({
      rss: '/feeds/industry.xml',
      atom: '/feeds/industry.atom',
      json: '/feeds/industry.json',
      html: '/category/industry.html',
    });
    expect(feedLinks({ url: 'https://finews.example.com' }, 'all').html).toBe('/');
    expect(sitePath({ url: 'https://example.com/news' }, 'category/a.html')).toBe('/news/category/a.html');
  });
});

describe('buildCategoryTitles', () => {
  it('titles a publisher category with the publisher, all with the site, others from config or the slug', () => {
    const titles = buildCategoryTitles(config, [
      { publisher: '21世纪经济报道', categories: ['21shijijingjibaodao', 'industry'] },
      { slug: 'zhongguogongyebao', publisher: '中国工业报' },
    ]);
    expect(titles('all')).toBe('财经新闻聚合');
    expect(titles('21shijijingjibaodao')).toBe('21世纪经济报道');
    // A publisher's name wins over a `categories:` title for the same slug.
    expect(titles('zhongguogongyebao')).toBe('中国工业报');
    expect(titles('industry')).toBe('工业');
    expect(titles('macro')).toBe('macro');
  });

  it('knows configured publishers without any item, aliases resolved', () => {
    const titles = buildCategoryTitles(config, [{ slug: 'cinn', count: 3, updated: null } as { slug: string }]);
    expect(titles('cinn')).toBe('中国工业报');
    expect(titles('zhengquanshibao')).toBe('证券时报');
  });

  it('ignores inherited keys of the categories map', () => {
    expect(buildCategoryTitles(config)('constructor')).toBe('constructor');
  });
});
