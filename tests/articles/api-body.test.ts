import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiBodyHtml, articleApiUrl, extractApiBody } from '../../src/articles/api-body.js';
import type { ArticleApi } from '../../src/domain.js';
import { isFinewsError } from '../../src/errors.js';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/articles/api');
const api: ArticleApi = { url: 'http://finews.zning.xyz/NewsData/GetNewsText.do?id={infoCode}&col={column}', content: ['content', 'text'], headers: {} };
const fixture = (name: string): Promise<string> => readFile(path.join(FIXTURES, name), 'utf8');
const PAGE = 'https://finance.eastmoney.com/a/202203302327570001.html';

describe('article.api bodies', () => {
  it('fills {infoCode} with the canonical code and other names from the record, URL-encoded', () => {
    const item = { title: 't', categories: [], record: { column: '350 & 351' } };
    expect(articleApiUrl(api, item, 'NW202203302327572513', new Date(0))).toBe('http://finews.zning.xyz/NewsData/GetNewsText.do?id=NW202203302327572513&col=350%20%26%20351');
    expect(articleApiUrl(api, { title: 't', categories: [] }, 'NW202203302327572513', new Date(0))).toBeUndefined();
  });

  it('reads {content}, then {text} (JSONP too), and nothing from an empty body', async () => {
    expect(apiBodyHtml(await fixture('em-body-content.json'), api, { url: PAGE })).toContain('平安银行');
    expect(apiBodyHtml(await fixture('em-body-text.jsonp'), api, { url: PAGE })).toContain('第一段正文');
    expect(apiBodyHtml(await fixture('em-body-empty.json'), api, { url: PAGE })).toBeUndefined();
  });

  it('refuses an answer that is not JSON, naming its URL and content type', () => {
    let error: unknown;
    try {
      apiBodyHtml('<html>not found</html>', api, { url: 'http://api.example/x', contentType: 'text/html' });
    } catch (err) {
      error = err;
    }
    expect(isFinewsError(error) && error.code).toBe('not-json');
    expect(String((error as Error).message)).toContain('http://api.example/x');
  });

  it("cleans an Eastmoney body like a page's #ContentBody: no quote chart, quote spans unwrapped, indents and editor line gone, attribution kept", async () => {
    const html = apiBodyHtml(await fixture('em-body-content.json'), api, { url: PAGE }) ?? '';
    const article = extractApiBody(html, PAGE, { fetch: true, remove: [] }, 'Asia/Shanghai');
    expect(article.publisher).toBe('证券时报网');
    expect(article.contentHtml).not.toContain('webquotepic');
    expect(article.contentHtml).not.toMatch(/keytip|em_stock_key_common|stock_0|\u3000|责任编辑/);
    expect(article.contentHtml).toContain('平安银行</a></span><span></span>3月30日公告，<span>浦发银行</span>一季度净利润增长。');
    expect(article.contentHtml).toContain('<a href="https://finance.eastmoney.com/a/202203302327570009.html">相关报道</a>');
    expect(article.contentHtml.endsWith('<p class="em_media">（文章来源：证券时报网）</p>')).toBe(true);
    expect(article.title).toBeUndefined();
    expect(article.publishedAt).toBeUndefined();
  });
});
