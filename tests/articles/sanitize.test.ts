import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { absoluteUrl, sanitizeBody } from '../../src/articles/sanitize.js';

const BASE = 'https://finance.eastmoney.com/a/202203302327572513.html';

describe('sanitizeBody', () => {
  it('writes paragraphs in the seed’s format', () => {
    expect(sanitizeBody('<p>&#12288;&#12288;第一段。</p><p>\u3000\u3000第二段。</p><p>(刘英)</p>', BASE)).toBe(
      '<p>第一段。 </p>\n <p>第二段。 </p>\n <p>(刘英) </p>',
    );
  });

  it('moves the attribution to the end as the em_media paragraph, tags stripped', () => {
    const html =
      '<p>（文章来源：<a href="/x">中国工业报</a>）</p><p>正文。</p><p class="res-edit">（责任编辑：DF537）</p>';
    expect(sanitizeBody(html, BASE)).toBe('<p>正文。 </p><p class="em_media">（文章来源：中国工业报）</p>');
  });

  it('turns feed content with <br><br> paragraphs and loose text into paragraphs', () => {
    const html = '　　央行今日开展逆回购操作。<br><br>　　市场人士认为<b>流动性</b>充裕。<br>（完）';
    expect(sanitizeBody(html, BASE)).toBe(
      '<p>央行今日开展逆回购操作。 </p>\n <p>市场人士认为<b>流动性</b>充裕。<br />（完） </p>',
    );
  });

  it('walks into containers and keeps lists, tables and headings as blocks', () => {
    const html =
      '<div><section><p>导语。</p><ul>\n  <li>一</li>\n  <li>二</li>\n</ul></section><h1>小标题</h1><table><tr><td rowspan="2" width="9">1</td></tr></table></div>';
    expect(sanitizeBody(html, BASE)).toBe(
      '<p>导语。 </p>\n <ul><li>一</li><li>二</li></ul>\n <h2>小标题</h2>\n <table><tbody><tr><td rowspan="2">1</td></tr></tbody></table>',
    );
  });

  it('drops empty paragraphs but keeps image-only ones', () => {
    const html = '<p>&nbsp;</p><p><br></p><p>\u3000</p><p><img data-original="img/1.png"></p><p>文字</p>';
    expect(sanitizeBody(html, BASE)).toBe(
      '<p><img src="https://finance.eastmoney.com/a/img/1.png" /> </p>\n <p>文字 </p>',
    );
  });

  it('neutralises scripts, handlers, styles and unsafe URLs', () => {
    const html = [
      '<p onclick="x()" style="color:red">正文<script>alert(1)</script></p>',
      '<iframe src="https://evil.example/"></iframe>',
      '<p><a href="javascript:alert(1)">甲</a><a href="java\tscript:alert(1)">乙</a><a href="vbscript:x">丙</a></p>',
      '<p><img src="data:image/png;base64,AAAA"><img src="x.png" onerror="alert(1)"></p>',
      '<p><a href="mailto:news@example.com" target="_blank" rel="x">来信</a></p>',
    ].join('');
    const out = sanitizeBody(html, BASE);
    expect(out).toBe(
      '<p>正文 </p>\n <p>甲乙丙 </p>\n <p><img src="https://finance.eastmoney.com/a/x.png" /> </p>\n <p><a href="mailto:news@example.com">来信</a> </p>',
    );
  });

  it('keeps class only as em_media on p', () => {
    const out = sanitizeBody('<p class="lead em_media"><span class="x">导语</span></p>', BASE);
    expect(out).toBe('<p><span>导语</span> </p>');
    const $ = load(out, null, false);
    expect($.root().find('[class]').length).toBe(0);
  });

  it('writes em_media only for a real attribution, never from a stray class', () => {
    const out = sanitizeBody('<blockquote><p class="em_media">图片来源：视觉中国</p></blockquote><p>正文</p>', BASE);
    expect(out).toBe('<blockquote><p>图片来源：视觉中国</p></blockquote>\n <p>正文 </p>');
  });

  it('is idempotent', () => {
    const html =
      '<div>　　第一段<a href="/a">链接</a>。<br><br>第二段。</div><p>(刘英)</p><p>（文章来源：<b>中国工业报</b>）</p>';
    const once = sanitizeBody(html, BASE);
    expect(sanitizeBody(once, 'https://elsewhere.example/')).toBe(once);
  });

  it('reads a body of plain paragraphs as it reads the same body with markup around it', () => {
    const plain =
      '\n<p>\u3000\u3000第一段  正文。</p>\n<p class="res-edit">（责任编辑：DF537）</p> <p class="ad-banner">广告</p>\n' +
      '<p></p><p>\t第二段。 </p>\n<p>(刘英)</p>\n<p class="em_media">（文章来源：中国工业报）</p>\n';
    const expected = '<p>第一段 正文。 </p>\n <p>第二段。 </p>\n <p>(刘英) </p><p class="em_media">（文章来源：中国工业报）</p>';
    expect(sanitizeBody(plain, BASE)).toBe(expected);
    // A comment makes the body one that must be parsed; it is dropped, and nothing else changes.
    expect(sanitizeBody(`<!-- c -->${plain}`, BASE)).toBe(expected);
  });

  it('returns an empty string for nothing', () => {
    expect(sanitizeBody('', BASE)).toBe('');
    expect(sanitizeBody('<script>x</script><!-- c -->', BASE)).toBe('');
  });
});

describe('absoluteUrl', () => {
  it.each([
    ['/a/1.html', 'https://finance.eastmoney.com/a/1.html'],
    ['//img.eastmoney.com/x.jpg', 'https://img.eastmoney.com/x.jpg'],
    ['../b.html', 'https://finance.eastmoney.com/b.html'],
    ['  https://example.com/x  ', 'https://example.com/x'],
  ])('%s → %s', (value, url) => {
    expect(absoluteUrl(value, BASE)).toBe(url);
  });

  it.each(['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', '', 'http://[::1'])(
    'refuses %s',
    (value) => {
      expect(absoluteUrl(value, BASE)).toBeUndefined();
    },
  );
});

describe('sanitizeBody on content over the markup budget', () => {
  it('keeps the text of feed content nested 50,000 deep as one paragraph, without building it', () => {
    const html = `${'<div>'.repeat(50_000)}央行<b>保持</b>流动性合理充裕${'</div>'.repeat(50_000)}`;
    expect(sanitizeBody(html, BASE)).toBe('<p>央行保持流动性合理充裕 </p>');
  });

  it('walks content nested within the budget without overflowing the stack', () => {
    const html = `${'<div><section>'.repeat(120)}<p>第一段。</p><p>第二段。</p>${'</section></div>'.repeat(120)}`;
    expect(sanitizeBody(html, BASE)).toBe('<p>第一段。 </p>\n <p>第二段。 </p>');
  });
});
