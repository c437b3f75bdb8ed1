import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { extractArticle, stripSiteSuffix, summarize } from '../../src/articles/extract.js';
import { selectorProblem } from '../../src/config/schema.js';
import { isFinewsError } from '../../src/errors.js';
import { fixtureDir, golden, pageFixtures, postBody, readPage, repoRoot, type PageFixture } from './fixtures.js';

const ZONE = 'Asia/Shanghai';

function fixture(file: string): PageFixture {
  const f = pageFixtures.find((p) => p.file === file);
  if (f === undefined) throw new Error(`no fixture ${file}`);
  return f;
}

function extract(file: string, rules?: PageFixture['rules']) {
  const f = fixture(file);
  return extractArticle(readPage(f), f.pageUrl, rules ?? f.rules, ZONE);
}

describe('extractArticle against golden outputs', () => {
  it.each(pageFixtures.map((f) => [f.file, f.what, f] as const))('%s (%s)', (_file, _what, f) => {
    const actual = extractArticle(readPage(f), f.pageUrl, f.rules, ZONE);
    expect(actual).toEqual(golden(f, actual));
  });
});

describe('the seed post', () => {
  const seedCopy = readFileSync(join(fixtureDir, 'seed-post.md'), 'utf8');

  it('is rebuilt byte for byte from its article page', () => {
    const article = extract('seed-article.html');
    expect(article.contentHtml).toBe(postBody(seedCopy));
  });

  it('gives the seed’s title, minute, author and publisher', () => {
    const article = extract('seed-article.html');
    expect(article.title).toBe('政策引导 重庆推进专精特新企业持续创新');
    expect(article.publishedAt).toBe('2022-03-30T09:34:00+08:00');
    expect(article.author).toBe('刘英');
    expect(article.publisher).toBe('中国工业报');
  });

  it('keeps the byline and drops the abstract, editor line, scripts and chrome', () => {
    const { contentHtml, summary } = extract('seed-article.html');
    expect(contentHtml).toContain('<p>(刘英) </p><p class="em_media">（文章来源：中国工业报）</p>');
    expect(contentHtml.endsWith('<p class="em_media">（文章来源：中国工业报）</p>')).toBe(true);
    for (const gone of ['责任编辑', '【摘要】', '24小时热门', '郑重声明', '<script', '2022年03月30日 09:34', '\u3000']) {
      expect(contentHtml).not.toContain(gone);
    }
    expect(summary.startsWith('为培育壮大一批专注细分市场')).toBe(true);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary).not.toContain('刘英');
  });

  // CI checks out shared/ beside the repository; the fixture copy must not drift from it.
  const shared = resolve(repoRoot, '../shared/seed/000_45b47f1536f67d00.txt');
  it.skipIf(!existsSync(shared))('fixture copy equals shared/seed', () => {
    expect(seedCopy).toBe(readFileSync(shared, 'utf8'));
  });
});

describe('GBK page', () => {
  it('extracts once decoded as GB18030', () => {
    const article = extract('gbk-article.html');
    expect(article.title).toBe('深市两融余额连续三日回升 电子行业获融资净买入居前');
    expect(article.publishedAt).toBe('2022-03-31T10:15:08+08:00');
    expect(article.publisher).toBe('证券时报网');
    expect(article.author).toBe('王明');
    expect(article.contentHtml).toContain(
      '<img src="https://www.stcn.com/article/detail/2022/images/2022/03/31/rzrq.png"',
    );
    expect(article.contentHtml).not.toContain('编辑：李小红');
  });

  it('declares its charset only in <meta charset="gbk"> and is not UTF-8', () => {
    const bytes = readFileSync(join(fixtureDir, 'gbk-article.html'));
    expect(bytes.toString('latin1')).toContain('<meta charset="gbk">');
    expect(bytes.toString('utf8')).toContain('\ufffd');
  });
});

describe('attribution with markup', () => {
  it('strips the tags inside 文章来源 and keeps X as written', () => {
    const article = extract('markup-attribution.html');
    expect(article.publisher).toBe('上海证券报·中国证券网');
    expect(article.contentHtml.endsWith('<p>文/张华 </p><p class="em_media">（文章来源：上海证券报·中国证券网）</p>')).toBe(true);
    expect(article.contentHtml).not.toContain('href="https://news.cnstock.com/x"');
    expect(article.author).toBe('张华');
  });

  it('prefers the meta date with seconds and zone over the visible minutes', () => {
    expect(extract('markup-attribution.html').publishedAt).toBe('2022-04-01T15:20:33+08:00');
  });
});

describe('pages over the markup budget', () => {
  it('refuses a page nested 50,000 deep as permanent too-complex, naming the URL', () => {
    const html = `<html><body>${'<div>'.repeat(50_000)}<p>正文</p>${'</div>'.repeat(50_000)}</body></html>`;
    let caught: unknown;
    try {
      extractArticle(html, 'https://finance.eastmoney.com/a/202203302327572513.html', { fetch: true, remove: [] }, 'Asia/Shanghai');
    } catch (err) {
      caught = err;
    }
    expect(isFinewsError(caught, 'too-complex')).toBe(true);
    expect(caught).toMatchObject({ retryable: false, url: 'https://finance.eastmoney.com/a/202203302327572513.html' });
    expect((caught as Error).message).toContain('nested more than 256 deep');
  });

  it('extracts a page nested 200 deep', () => {
    const html = `<html><body>${'<div>'.repeat(200)}<div id="ContentBody"><p>一季度工业经济稳中有进。</p></div>${'</div>'.repeat(200)}</body></html>`;
    const article = extractArticle(html, 'https://finance.eastmoney.com/a/1.html', { fetch: true, remove: [] }, 'Asia/Shanghai');
    expect(article.contentHtml).toBe('<p>一季度工业经济稳中有进。 </p>');
  });
});

describe('hostile page', () => {
  const { contentHtml } = extract('hostile.html');

  it('has no scripts, frames, plugins, forms or styles', () => {
    expect(contentHtml).not.toMatch(/<(script|iframe|object|embed|svg|math|form|input|button|style)\b/i);
    expect(contentHtml).not.toMatch(/\sstyle\s*=/i);
    expect(contentHtml).not.toContain('alert');
  });

  it('has no event handler attributes', () => {
    expect(contentHtml).not.toMatch(/\son[a-z]+\s*=/i);
    const $ = load(contentHtml, null, false);
    for (const el of $.root().find('*').toArray()) {
      expect(Object.keys(el.attribs).filter((a) => a.toLowerCase().startsWith('on'))).toEqual([]);
    }
  });

  it('has no javascript:, vbscript: or data: URLs', () => {
    expect(contentHtml).not.toMatch(/javascript:|vbscript:|data:/i);
  });

  it('makes every URL absolute, against <base href>, and promotes lazy images', () => {
    const $ = load(contentHtml, null, false);
    const urls = [...$('a[href]').map((_, a) => $(a).attr('href')), ...$('img').map((_, i) => $(i).attr('src'))];
    expect(urls.length).toBeGreaterThan(4);
    for (const url of urls) expect(url).toMatch(/^https?:\/\/[a-z0-9.-]+\//);
    expect(urls).toContain('https://finance.eastmoney.com/a/news/broker.html');
    expect(urls).toContain('https://finance.eastmoney.com/images/quote.png');
    expect(urls).toContain('https://img.eastmoney.com/2022/broker.jpg');
    expect($('img').toArray().every((i) => i.attribs.src !== undefined)).toBe(true);
  });

  it('keeps the text of neutralised links and drops the ad', () => {
    expect(contentHtml).toContain('<p>点击查看实时行情。详情更多数据 </p>');
    expect(contentHtml).not.toContain('万一免五');
    expect(contentHtml).not.toContain('<p class="em_media" onclick');
  });
});

describe('unknown layout', () => {
  const article = extract('no-layout.html');

  it('finds the prose by text density, not the link lists', () => {
    expect(article.contentHtml.startsWith('<p>国家统计局3月31日发布数据显示')).toBe(true);
    expect(article.contentHtml).not.toContain('国务院常务会议');
    expect(article.contentHtml).not.toContain('首页');
    expect(article.contentHtml).not.toContain('版权所有');
    expect((article.contentHtml.match(/<p>/g) ?? []).length).toBe(4);
  });

  it('finds title, date and publisher elsewhere on the page, and adds no attribution to the body', () => {
    expect(article.title).toBe('3月制造业PMI回落至49.5% 非制造业商务活动指数降至48.4%');
    expect(article.publishedAt).toBe('2022-03-31T09:30:00+08:00');
    expect(article.publisher).toBe('经济参考报');
    expect(article.contentHtml).not.toContain('em_media');
    expect(article.author).toBeUndefined();
  });
});

describe('source rules', () => {
  it('article.content picks the body and article.remove drops parts of it', () => {
    const article = extract('markup-attribution.html', {
      fetch: true,
      content: '.container',
      remove: ['table', 'p:has(img)'],
    });
    expect(article.contentHtml).not.toContain('<table');
    expect(article.contentHtml).not.toContain('<img');
    expect(article.contentHtml).toContain('<p>多位业内人士预计');
  });

  it('falls back to the known layouts when article.content matches nothing', () => {
    const article = extract('seed-article.html', { fetch: true, content: '#nothing-here', remove: [] });
    expect(article.contentHtml).toBe(extract('seed-article.html').contentHtml);
  });

  it('rejects a selector that is not CSS with a config-invalid error naming it', () => {
    let caught: unknown;
    try {
      extract('seed-article.html', { fetch: true, remove: ['div['] });
    } catch (err) {
      caught = err;
    }
    expect(isFinewsError(caught, 'config-invalid')).toBe(true);
    expect((caught as Error).message).toContain('div[');
    expect(selectorProblem('div[')).toBeDefined();
    expect(selectorProblem('#ContentBody > p')).toBeUndefined();
  });
});

describe('pieces', () => {
  it('strips site names from titles', () => {
    expect(stripSiteSuffix('政策引导 重庆推进专精特新企业持续创新_东方财富网')).toBe('政策引导 重庆推进专精特新企业持续创新');
    expect(stripSiteSuffix('标题内容在这里_财经频道_东方财富网')).toBe('标题内容在这里');
    expect(stripSiteSuffix('一季度新增信贷或超预期 - 中国证券网')).toBe('一季度新增信贷或超预期');
    expect(stripSiteSuffix('3月PMI回落｜经济参考网')).toBe('3月PMI回落');
    expect(stripSiteSuffix('_东方财富网')).toBe('_东方财富网');
  });

  it('cuts summaries at 140 characters with …', () => {
    expect(summarize('短文本。')).toBe('短文本。');
    const long = '经'.repeat(200);
    expect(summarize(long)).toBe(`${'经'.repeat(140)}…`);
    expect(summarize('经'.repeat(140))).toBe('经'.repeat(140));
  });

  it('extracts from a page with no body text at all', () => {
    const article = extractArticle('<html><head><title>空页面</title></head><body></body></html>', 'https://x.example/a', { fetch: true, remove: [] }, ZONE);
    expect(article).toEqual({ title: '空页面', contentHtml: '', summary: '' });
  });
});

describe('page dates', () => {
  it('skips a month-day list date and reads the article date from the info line', () => {
    const html = `<!DOCTYPE html><html><head><title>t</title></head><body>
<ul class="side"><li><span class="time">03-30</span><a href="/x">其他新闻</a></li></ul>
<div class="newsContent"><h1>央行开展逆回购操作</h1><div class="infos"><div class="item">2022年03月30日 09:34</div></div>
<div id="ContentBody"><p>中国人民银行30日以利率招标方式开展了1500亿元7天期逆回购操作。</p></div></div></body></html>`;
    const article = extractArticle(html, 'https://finance.eastmoney.com/a/202203302327570001.html', { fetch: true, remove: [] }, 'Asia/Shanghai');
    expect(article.publishedAt).toBe('2022-03-30T09:34:00+08:00');
  });
});
