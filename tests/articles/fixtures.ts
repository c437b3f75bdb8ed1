/** The article page fixtures: where each page lives, how it is read, and its golden output. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import type { ArticleRules, ExtractedArticle } from '../../src/domain.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtureDir = join(repoRoot, 'tests/fixtures/articles');

export interface PageFixture {
  file: string;
  pageUrl: string;
  /** How the page's bytes are decoded (as the fetcher would, from its declared charset). */
  charset: 'utf-8' | 'gb18030';
  rules: ArticleRules;
  what: string;
}

const defaults: ArticleRules = { fetch: true, remove: [] };

export const pageFixtures: PageFixture[] = [
  {
    file: 'seed-article.html',
    pageUrl: 'https://finance.eastmoney.com/a/202203302327572513.html',
    charset: 'utf-8',
    rules: defaults,
    what: 'Eastmoney article page of the seed post',
  },
  {
    file: 'gbk-article.html',
    pageUrl: 'https://www.stcn.com/article/detail/2022/03/31/567890.html',
    charset: 'gb18030',
    rules: defaults,
    what: 'GBK page declared only in <meta charset="gbk">, .article-content layout',
  },
  {
    file: 'markup-attribution.html',
    pageUrl: 'https://news.cnstock.com/news,bwkx-202204-4812345.htm',
    charset: 'utf-8',
    rules: defaults,
    what: '文章来源 wrapped in a link, a table, a 文/ byline, meta date',
  },
  {
    file: 'hostile.html',
    pageUrl: 'https://finance.eastmoney.com/a/202204011234567890.html',
    charset: 'utf-8',
    rules: defaults,
    what: 'scripts, event handlers, javascript:/data:/vbscript: URLs, iframes, styles, lazy images, <base href>',
  },
  {
    file: 'no-layout.html',
    pageUrl: 'http://www.jjckb.cn/2022-03/31/c_1310535000.htm',
    charset: 'utf-8',
    rules: defaults,
    what: 'unknown layout (text-density fallback), 文章来源 outside the body',
  },
];

/** The page decoded as the fetcher would decode it. */
export function readPage(f: PageFixture): string {
  const bytes = readFileSync(join(fixtureDir, f.file));
  return iconv.decode(bytes, f.charset);
}

function goldenPath(f: PageFixture): string {
  return join(fixtureDir, f.file.replace(/\.html$/, '.expected.json'));
}

/**
 * The golden output beside a fixture. With UPDATE_GOLDEN=1 the actual output is written
 * first (review the diff before committing it).
 */
export function golden(f: PageFixture, actual: ExtractedArticle): ExtractedArticle {
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(goldenPath(f), `${JSON.stringify(actual, null, 2)}\n`);
  }
  return JSON.parse(readFileSync(goldenPath(f), 'utf8')) as ExtractedArticle;
}

/** The body of a Jekyll post in the seed's format: between the front matter and the link line. */
export function postBody(post: string): string {
  const afterFrontMatter = post.replace(/^---\n[\s\S]*?\n---\n/, '');
  const end = afterFrontMatter.indexOf('\n\n');
  return end < 0 ? afterFrontMatter : afterFrontMatter.slice(0, end);
}
