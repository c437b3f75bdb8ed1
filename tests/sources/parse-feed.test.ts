import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FinewsError, isFinewsError } from '../../src/errors.js';
import { parseFeed } from '../../src/sources/parse-feed.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'sources');
const ctx = { feedUrl: 'https://news.example.cn/rss/finance.xml', timezone: 'Asia/Shanghai' };

function rss(items: string, channel = '<title>测试财经</title><link>https://news.example.cn/</link>'): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>${channel}
${items}
</channel>
</rss>`;
}

function item(n: number, extra = ''): string {
  return `<item><title>新闻${n}</title><link>https://news.example.cn/a/${n}.html</link><pubDate>Wed, 30 Mar 2022 09:3${n}:00 +0800</pubDate>${extra}</item>`;
}

async function parseError(text: string): Promise<FinewsError> {
  try {
    await parseFeed(text, ctx);
  } catch (err) {
    if (err instanceof FinewsError) return err;
    throw err;
  }
  throw new Error('expected parseFeed to fail');
}

describe('parseFeed keeps every good item of a dirty feed', () => {
  it('survives the dirty fixture: bare &, &nbsp;, control characters, a BOM, a bad date, no title, a broken item', async () => {
    const feed = await parseFeed(readFileSync(join(FIXTURES, 'dirty.xml'), 'utf8'), ctx);
    expect(feed.items.map((i) => i.link?.split('/').pop())).toEqual([
      '2198712.html?infoCode=NW202203300725012198&from=rss&utm_medium=feed',
      '2198690.html',
      '2198655.html',
      '2198588.html',
    ]);
    expect(feed.items[0]?.title).toBe('AT&T与华为业务往来调查进展 — 美股盘前');
    expect(feed.items[1]?.publishedAt).toBeUndefined();
    // Three item warnings, then what repairXml changed (escaped `&`, entities, control characters).
    expect(feed.warnings).toHaveLength(4);
    expect(feed.warnings[3]).toMatch(/^XML repaired before parsing: removed 3 control character\(s\), escaped 5 bare '&'/);
    expect(feed.warnings[0]).toMatch(/^item 2 .*invalid date "Wed, 30 Mar 2022 25:61:00 \+0800"/);
    expect(feed.warnings[2]).toMatch(/^item 4 \(http:\/\/www\.nbd\.com\.cn\/articles\/2022-03-30\/2198601\.html\): skipped/);
  });

  it('decodes HTML entities XML does not define, in text and in attributes', async () => {
    const feed = await parseFeed(
      rss(`<item><title>沪指&nbsp;&ldquo;三连阳&rdquo;&hellip;&#12288;</title><link>https://news.example.cn/a?id=1&amp;from=rss&page=2</link></item>`),
      ctx,
    );
    expect(feed.items[0]?.title).toBe('沪指 “三连阳”…');
    expect(feed.items[0]?.link).toBe('https://news.example.cn/a?id=1&from=rss&page=2');
  });

  it('leaves CDATA sections as written', async () => {
    const feed = await parseFeed(
      rss(item(1, '<content:encoded><![CDATA[<p>AT&T&nbsp;涨&amp;跌 <item> 不是条目</p>]]></content:encoded>') + item(2)),
      ctx,
    );
    expect(feed.items).toHaveLength(2);
    expect(feed.items[0]?.contentHtml).toBe('<p>AT&T&nbsp;涨&amp;跌 <item> 不是条目</p>');
  });

  it('drops only the broken item when an item is not well-formed', async () => {
    const feed = await parseFeed(rss([item(1), '<item><title>坏<b>条目</title><link>https://news.example.cn/a/2.html</link></item>', item(3)].join('\n')), ctx);
    expect(feed.items.map((i) => i.title)).toEqual(['新闻1', '新闻3']);
    expect(feed.warnings).toEqual([expect.stringMatching(/^item 2 \(https:\/\/news\.example\.cn\/a\/2\.html\): skipped, not well-formed XML/)]);
    expect(feed.title).toBe('测试财经');
  });

  it('does not take an <item> inside CDATA for an item boundary when parsing item by item', async () => {
    const cdata = item(1, '<content:encoded><![CDATA[<p>示例：<item><title>假</title></item></p>]]></content:encoded>');
    const feed = await parseFeed(rss([cdata, '<item><title>坏<b></title></item>', item(3)].join('\n')), ctx);
    expect(feed.items.map((i) => i.title)).toEqual(['新闻1', '新闻3']);
    expect(feed.items[0]?.contentHtml).toBe('<p>示例：<item><title>假</title></item></p>');
  });

  it('keeps the others when an item never closes', async () => {
    const feed = await parseFeed(rss([item(1), '<item><title>没有结束', item(3)].join('\n')), ctx);
    expect(feed.items.map((i) => i.title)).toEqual(['新闻1', '新闻3']);
    expect(feed.warnings).toHaveLength(1);
  });

  it('keeps an Atom entry with an invalid date, without its date', async () => {
    const feed = await parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>快讯</title>
       <entry><title>一</title><id>urn:1</id><link href="https://news.example.cn/1"/><published>昨天下午</published></entry>
       <entry><title>二</title><id>urn:2</id><link href="https://news.example.cn/2"/><updated>2022-03-30T09:00:00+08:00</updated></entry>
       </feed>`,
      ctx,
    );
    expect(feed.items.map((i) => [i.title, i.publishedAt])).toEqual([
      ['一', undefined],
      ['二', '2022-03-30T09:00:00+08:00'],
    ]);
    expect(feed.warnings).toEqual([expect.stringContaining('invalid date "昨天下午"')]);
  });

  it('reads a feed behind junk a server printed before it', async () => {
    const junk = '<br />\n<b>Notice</b>:  Undefined index: page in <b>/var/www/rss.php</b> on line <b>12</b><br />\n';
    const feed = await parseFeed(junk + rss(item(1)) + '\n<!-- generated in 0.02s -->trailing', ctx);
    expect(feed.items.map((i) => i.title)).toEqual(['新闻1']);
  });

  it('reads naive dates in the zone it is given', async () => {
    const text = rss('<item><title>t</title><link>https://news.example.cn/1</link><pubDate>2022-03-30 09:34:12</pubDate></item>');
    expect((await parseFeed(text, { ...ctx, timezone: 'Asia/Shanghai' })).items[0]?.publishedAt).toBe('2022-03-30T09:34:12+08:00');
    expect((await parseFeed(text, { ...ctx, timezone: 'Europe/Berlin' })).items[0]?.publishedAt).toBe('2022-03-30T09:34:12+02:00');
  });
});

describe('parseFeed normalizes items', () => {
  it('resolves relative links against the feed URL and keeps only http(s) links', async () => {
    const feed = await parseFeed(
      rss(
        [
          '<item><title>相对</title><link>/a/202203302327572513.html</link></item>',
          '<item><title>协议相对</title><link>//m.example.cn/x.html</link></item>',
          '<item><title>脚本</title><link>javascript:alert(1)</link></item>',
        ].join(''),
      ),
      ctx,
    );
    expect(feed.items.map((i) => i.link)).toEqual([
      'https://news.example.cn/a/202203302327572513.html',
      'https://m.example.cn/x.html',
      undefined,
    ]);
  });

  it('uses a permalink guid as the link when there is none', async () => {
    const feed = await parseFeed(
      rss(
        '<item><title>a</title><guid>https://news.example.cn/a/1.html</guid></item>' +
          '<item><title>b</title><guid isPermaLink="false">https://news.example.cn/a/2.html</guid></item>',
      ),
      ctx,
    );
    expect(feed.items.map((i) => [i.guid, i.link])).toEqual([
      ['https://news.example.cn/a/1.html', 'https://news.example.cn/a/1.html'],
      ['https://news.example.cn/a/2.html', undefined],
    ]);
  });

  it('decodes double-escaped titles but leaves R&D alone', async () => {
    const feed = await parseFeed(rss('<item><title>  &amp;quot;双碳&amp;quot;目标下的R&amp;D投入\n 持续增长 </title></item>'), ctx);
    expect(feed.items[0]?.title).toBe('"双碳"目标下的R&D投入 持续增长');
  });

  it('prefers dc:creator and reads names out of RSS author addresses', async () => {
    const feed = await parseFeed(
      rss(
        '<item><title>a</title><author>a@example.cn (王强)</author><dc:creator>刘英</dc:creator></item>' +
          '<item><title>b</title><author>b@example.cn (王强)</author></item>' +
          '<item><title>c</title><author>c@example.cn</author></item>',
      ),
      ctx,
    );
    expect(feed.items.map((i) => i.author)).toEqual(['刘英', '王强', undefined]);
  });

  it('makes a plain-text summary from the description and caps its length', async () => {
    const long = '工业经济'.repeat(100);
    const feed = await parseFeed(
      rss(`<item><title>a</title><description><![CDATA[<p>\u3000\u3000第一段&nbsp;内容</p><script>x()</script><p>第二段</p>]]></description></item>
           <item><title>b</title><description>${long}</description></item>`),
      ctx,
    );
    expect(feed.items[0]?.summary).toBe('第一段 内容 第二段');
    expect(feed.items[0]?.contentHtml).toContain('<p>　　第一段&nbsp;内容</p>');
    expect(Array.from(feed.items[1]?.summary ?? '')).toHaveLength(301);
    expect(feed.items[1]?.summary?.endsWith('…')).toBe(true);
  });

  it('skips an item with nothing in it, and says so', async () => {
    const feed = await parseFeed(rss(item(1) + '<item></item>' + item(3)), ctx);
    expect(feed.items).toHaveLength(2);
    expect(feed.warnings).toEqual(['item 2: skipped, it has no title, link, guid or content']);
  });

  it('keeps mixed content: text beside elements a feed forgot to escape', async () => {
    const feed = await parseFeed(rss(item(1, '<description>前<b>粗</b>后</description>')), ctx);
    expect(feed.items[0]?.contentHtml).toBe('前<b>粗</b>后');
    expect(feed.items[0]?.summary).toBe('前粗后');
    expect(feed.warnings).toEqual([]);
  });

  it('keeps markup a feed forgot to escape in its order', async () => {
    const feed = await parseFeed(rss('<item><title>a</title><description><p>前文<b>粗体</b>后文</p></description></item>' + item(2)), ctx);
    expect(feed.items[0]?.contentHtml).toBe('<p>前文<b>粗体</b>后文</p>');
    expect(feed.items[0]?.summary).toBe('前文粗体后文');
  });

  it('reads Atom text constructs by their type', async () => {
    const feed = await parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
       <entry><title>纯文本</title><id>urn:1</id><content type="text">营收&lt;10亿 &amp; 利润增长</content></entry>
       <entry><title>xhtml</title><id>urn:2</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">甲<em>乙</em>丙</div></content></entry>
       <entry><title>外链</title><id>urn:3</id><summary>摘要</summary><content src="https://news.example.cn/3.html"/></entry>
       </feed>`,
      ctx,
    );
    expect(feed.items.map((i) => [i.contentHtml, i.summary])).toEqual([
      ['营收&lt;10亿 &amp; 利润增长', '营收<10亿 & 利润增长'],
      ['甲<em>乙</em>丙', '甲乙丙'],
      ['摘要', '摘要'],
    ]);
  });

  it('survives an Atom link written as text', async () => {
    const feed = await parseFeed(
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>一</title><link>https://news.example.cn/1</link></entry></feed>',
      ctx,
    );
    expect(feed.items[0]?.link).toBe('https://news.example.cn/1');
  });
});

describe('parseFeed refuses what is not a feed', () => {
  it.each([
    ['an HTML page', '<!DOCTYPE html><html><head><title>东方财富网</title></head><body></body></html>', 'looks like an HTML page'],
    ['an HTML page without doctype', '\n<html lang="zh-CN"><body><p>404 页面不存在</p></body></html>', 'looks like an HTML page'],
    ['JSON', '{"rc":0,"data":{"list":[]}}', 'looks like JSON'],
    ['an empty body', '  \n', 'is empty'],
    ['plain text', '服务器繁忙，请稍后再试', 'looks like plain text'],
    ['another XML document', '<?xml version="1.0"?><urlset><url><loc>https://x.cn/</loc></url></urlset>', 'is an XML document with root <urlset>, not RSS or Atom'],
  ])('%s → not-a-feed', async (_what, body, phrase) => {
    const err = await parseError(body);
    expect(err.code).toBe('not-a-feed');
    expect(err.retryable).toBe(false);
    expect(err.url).toBe(ctx.feedUrl);
    expect(err.message).toBe(`not a feed: ${ctx.feedUrl} ${phrase}`);
  });

  it('refuses a feed nested 50,000 deep as too-complex, naming the URL, before parsing it', async () => {
    const deep = `<item><title>深</title><description>${'<div>'.repeat(50_000)}${'</div>'.repeat(50_000)}</description></item>`;
    const err = await parseError(rss(deep));
    expect(isFinewsError(err, 'too-complex')).toBe(true);
    expect(err.retryable).toBe(false);
    expect(err.url).toBe(ctx.feedUrl);
    expect(err.message).toBe(`feed too complex: ${ctx.feedUrl} is nested more than 256 deep`);
  });

  it('reports a feed none of whose items can be read as parse-failed, naming the URL', async () => {
    const err = await parseError(rss('<item><title>坏<b></title></item><item><title>也坏</item>'));
    expect(isFinewsError(err, 'parse-failed')).toBe(true);
    expect(err.message).toContain(ctx.feedUrl);
    expect(err.retryable).toBe(false);
  });

  it('accepts a feed with no items', async () => {
    const feed = await parseFeed(rss(''), ctx);
    expect(feed).toEqual({ title: '测试财经', link: 'https://news.example.cn/', items: [], warnings: [] });
  });
});
