import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Item, SiteConfig } from '../../src/domain.js';
import { MAX_POST_ID_CHARS, postFileId, renderJekyllPost, yamlDoubleQuoted } from '../../src/publish/render-jekyll.js';

const seed = readFileSync(new URL('../fixtures/publish/seed-post.md', import.meta.url), 'utf8');

/** The body of the seed post: between the front matter and the share link. */
function seedBody(): string {
  const start = seed.indexOf('---\n', 4) + 4;
  const end = seed.indexOf('\n\n<http');
  return seed.slice(start, end);
}

const site: SiteConfig = {
  title: '财经新闻聚合',
  url: '//finews.withounder.com',
  language: 'zh-CN',
  timezone: 'Asia/Shanghai',
  itemsPerFeed: 50,
  retentionDays: 30,
  shareUrl: 'http://finews.zning.xyz/html_News/NewsShare.html?infoCode={infoCode}',
};

const pub = { name: '中国工业报', slug: 'zhongguogongyebao' };

function seedItem(overrides: Partial<Item> = {}): Item {
  return {
    key: 'NW202203302327572513',
    infoCode: 'NW202203302327572513',
    title: '政策引导 重庆推进专精特新企业持续创新',
    url: 'http://finance.eastmoney.com/a/202203302327572513.html',
    publishedAt: '2022-03-30T09:34:12+08:00',
    publisher: '中国工业报',
    author: '刘英',
    categories: ['zhongguogongyebao'],
    tags: ['中国工业报新闻'],
    summary: '',
    contentHtml: seedBody(),
    sources: ['cinn-industry'],
    storedAt: '2022-03-30T01:40:00.000Z',
    ...overrides,
  };
}

/** Splits a post into its front matter (parsed as YAML) and the rest. */
function frontMatter(content: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(content);
  if (!m?.[1]) throw new Error('no front matter');
  return parseYaml(m[1]) as Record<string, unknown>;
}

describe('renderJekyllPost', () => {
  it('reproduces the seed post byte for byte', () => {
    const post = renderJekyllPost(seedItem(), site, pub);
    expect(post.path).toBe('_posts/2022-03-30-NW202203302327572513.md');
    expect(Buffer.from(post.content, 'utf8').equals(Buffer.from(seed, 'utf8'))).toBe(true);
    expect(post.content.endsWith('\n')).toBe(false);
  });

  it('dates the post in the site timezone, with that zone offset', () => {
    // 2022-03-29 20:30 UTC is already the 30th in Shanghai.
    const post = renderJekyllPost(seedItem({ publishedAt: '2022-03-29T20:30:05Z' }), site, pub);
    expect(post.path).toBe('_posts/2022-03-30-NW202203302327572513.md');
    expect(post.content).toContain('\ndate: 2022-03-30 04:30:05 +0800\n');
    const ny = renderJekyllPost(seedItem({ publishedAt: '2022-07-01T12:00:00+08:00' }), { ...site, timezone: 'America/New_York' }, pub);
    expect(ny.content).toContain('\ndate: 2022-07-01 00:00:00 -0400\n');
    expect(ny.path).toBe('_posts/2022-07-01-NW202203302327572513.md');
  });

  it('falls back to storedAt when publishedAt is unreadable', () => {
    const post = renderJekyllPost(seedItem({ publishedAt: 'garbage', storedAt: '2022-04-01T02:00:00.000Z' }), site, pub);
    expect(post.path).toBe('_posts/2022-04-01-NW202203302327572513.md');
    expect(post.content).toContain('\ndate: 2022-04-01 10:00:00 +0800\n');
  });

  it('escapes quotes, backslashes and control characters in the title so YAML reads it back', () => {
    const title = '“专精特新”企业 "小巨人" 名单 C:\\data\\list 第\t二批\n公布\u0007';
    const post = renderJekyllPost(seedItem({ title }), site, pub);
    expect(post.content).toContain(String.raw`title: "“专精特新”企业 \"小巨人\" 名单 C:\\data\\list 第\t二批\n公布\x07"` + '\n');
    expect(frontMatter(post.content).title).toBe(title);
    expect(yamlDoubleQuoted('a\u2028b\u0085c')).toBe(String.raw`"a\Lb\Nc"`);
  });

  it('adds the attribution paragraph when the body has none', () => {
    const post = renderJekyllPost(seedItem({ contentHtml: '<p>重庆市经信委发布通知。</p>\n' }), site, pub);
    expect(post.content).toContain('---\n<p>重庆市经信委发布通知。</p><p class="em_media">（文章来源：中国工业报）</p>\n\n<http');
    const empty = renderJekyllPost(seedItem({ contentHtml: '' }), site, pub);
    expect(empty.content).toContain('---\n<p class="em_media">（文章来源：中国工业报）</p>\n\n<http');
  });

  it('links the item itself without shareUrl or without an infoCode', () => {
    const noShare = renderJekyllPost(seedItem(), { ...site, shareUrl: undefined }, pub);
    expect(noShare.content).toContain('\n\n<http://finance.eastmoney.com/a/202203302327572513.html>\n\n');
    const byGuid = renderJekyllPost(
      seedItem({ infoCode: null, key: 'g-5f1c2a9e7b3d4c60', url: 'https://www.yicai.com/news/101367890.html' }),
      site,
      pub,
    );
    expect(byGuid.path).toBe('_posts/2022-03-30-g-5f1c2a9e7b3d4c60.md');
    expect(byGuid.content).toContain('\n\n<https://www.yicai.com/news/101367890.html>\n\n');
  });

  it('joins site.url without doubling or dropping the slash', () => {
    for (const url of ['https://finews.example.com', 'https://finews.example.com/']) {
      const post = renderJekyllPost(seedItem(), { ...site, url }, pub);
      expect(post.content.endsWith(
        '[返回中国工业报新闻](https://finews.example.com/category/zhongguogongyebao.html)｜[返回首页](https://finews.example.com/)',
      )).toBe(true);
    }
  });

  it('keeps a publisher name with spaces one Jekyll tag', () => {
    const post = renderJekyllPost(seedItem(), site, { name: 'Caixin Global', slug: 'caixinglobal' });
    const fm = frontMatter(post.content);
    expect(fm.tags).toEqual(['Caixin Global新闻']);
    expect(fm.categories).toBe('caixinglobal');
  });

  it('bounds file names and keeps odd infoCodes apart, the same name on every run', () => {
    const long = `NW${'9'.repeat(298)}`;
    const names = [long, 'COLL/A', 'COLL?A', 'COLL-A'].map((code) => renderJekyllPost(seedItem({ infoCode: code, key: code }), site, pub).path);
    expect(new Set(names).size).toBe(4);
    for (const name of names) {
      expect(name).toMatch(/^_posts\/2022-03-30-[A-Za-z0-9._-]+\.md$/);
      expect(Buffer.byteLength(name)).toBeLessThan(11 + 11 + MAX_POST_ID_CHARS + 3 + 1);
    }
    expect(names[3]).toBe('_posts/2022-03-30-COLL-A.md');
    expect(postFileId('COLL/A')).toBe(postFileId('COLL/A'));
    // A plain id shaped like a hashed name is hashed too, so it cannot take another item's file.
    const hashed = postFileId('COLL/A');
    expect(postFileId(hashed)).not.toBe(hashed);
  });

  it('writes no link line for an item without an http(s) URL', () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', '']) {
      const post = renderJekyllPost(seedItem({ infoCode: null, key: 'g-1', url }), site, pub);
      expect(post.content).not.toContain('<javascript');
      expect(post.content).not.toContain('file:');
      expect(post.content).toContain('（文章来源：中国工业报）</p>\n\n[返回中国工业报新闻]');
    }
  });
});
