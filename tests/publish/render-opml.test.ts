import { parseOpml } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import type { SiteConfig } from '../../src/domain.js';
import { renderOpml } from '../../src/publish/render-opml.js';
import { xmlProblems } from './xml-check.js';

const site: SiteConfig = {
  title: '财经新闻聚合 & "精选"',
  url: 'https://finews.example.com',
  language: 'zh-CN',
  timezone: 'Asia/Shanghai',
  itemsPerFeed: 50,
  retentionDays: 30,
};
const ctx = { site, generatedAt: new Date('2022-03-30T03:00:00Z') };

describe('renderOpml', () => {
  const xml = renderOpml(ctx, [
    { slug: 'zhongguogongyebao', title: '中国工业报' },
    { slug: 'industry', title: '工业 <重工> & "轻工"' },
    { slug: 'all', title: 'ignored' },
    { slug: 'industry', title: '工业' },
  ]);

  it('is well-formed OPML 2.0', () => {
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain('<opml version="2.0">');
  });

  it('lists all first, then every category once, each as an RSS outline', () => {
    const opml = parseOpml(xml);
    expect(opml.head?.title).toBe('财经新闻聚合 & "精选"');
    expect(opml.body?.outlines).toEqual([
      {
        type: 'rss',
        text: '财经新闻聚合 & "精选"',
        title: '财经新闻聚合 & "精选"',
        xmlUrl: 'https://finews.example.com/feeds/all.xml',
        htmlUrl: 'https://finews.example.com/',
        language: 'zh-CN',
      },
      {
        type: 'rss',
        text: '中国工业报 - 财经新闻聚合 & "精选"',
        title: '中国工业报 - 财经新闻聚合 & "精选"',
        xmlUrl: 'https://finews.example.com/feeds/zhongguogongyebao.xml',
        htmlUrl: 'https://finews.example.com/category/zhongguogongyebao.html',
        language: 'zh-CN',
      },
      {
        type: 'rss',
        text: '工业 <重工> & "轻工" - 财经新闻聚合 & "精选"',
        title: '工业 <重工> & "轻工" - 财经新闻聚合 & "精选"',
        xmlUrl: 'https://finews.example.com/feeds/industry.xml',
        htmlUrl: 'https://finews.example.com/category/industry.html',
        language: 'zh-CN',
      },
    ]);
  });
});
