/**
 * Pages and feeds of the demo news site, rendered from its data (site-model.ts). Pure
 * functions of the data and the site's origin; text out, encoded by the server.
 */
import { DateTime } from 'luxon';
import { escapeHtml } from '../util/html.js';
import type { DemoArticle, DemoFeed, DemoSite } from './site-model.js';

const ZONE = 'Asia/Shanghai';

function dateOf(a: DemoArticle): DateTime {
  return DateTime.fromFormat(a.date, 'yyyy-MM-dd HH:mm:ss', { zone: ZONE });
}

/** An item's link in the form `feed` writes it, absolute on `origin`. */
export function linkIn(feed: DemoFeed, a: DemoArticle, origin: string): string {
  return origin + feed.link.replaceAll('{code}', a.code);
}

/** The articles a feed carries, newest first. */
export function articlesOf(site: DemoSite, feed: DemoFeed): DemoArticle[] {
  return site.articles.filter((a) => a.in.includes(feed.id)).sort((x, y) => dateOf(y).toMillis() - dateOf(x).toMillis());
}

function xmlProlog(feed: DemoFeed): string {
  return `<?xml version="1.0" encoding="${feed.charset === 'gbk' ? 'GBK' : 'utf-8'}"?>`;
}

function rss(feed: DemoFeed, items: DemoArticle[], origin: string): string {
  const entries = items.map((a) => {
    const link = escapeHtml(linkIn(feed, a, origin));
    return `    <item>
      <title>${escapeHtml(a.title)}</title>
      <link>${link}</link>
      <guid isPermaLink="false">${link}</guid>
      <pubDate>${dateOf(a).toRFC2822()}</pubDate>
      <description>${escapeHtml(a.paragraphs[0] ?? '')}</description>
    </item>`;
  });
  return `${xmlProlog(feed)}
<rss version="2.0">
  <channel>
    <title>${escapeHtml(feed.title)}</title>
    <link>${origin}/</link>
    <description>${escapeHtml(feed.title)}</description>
    <language>zh-cn</language>
${entries.join('\n')}
  </channel>
</rss>
`;
}

function atom(feed: DemoFeed, items: DemoArticle[], origin: string): string {
  const updated = items[0] ? dateOf(items[0]).toISO() : '2022-03-31T00:00:00+08:00';
  const entries = items.map((a) => {
    const link = escapeHtml(linkIn(feed, a, origin));
    return `  <entry>
    <title>${escapeHtml(a.title)}</title>
    <link rel="alternate" href="${link}"/>
    <id>${link}</id>
    <updated>${dateOf(a).toISO()}</updated>
    <summary>${escapeHtml(a.paragraphs[0] ?? '')}</summary>
  </entry>`;
  });
  return `${xmlProlog(feed)}
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>${escapeHtml(feed.title)}</title>
  <id>${origin}${feed.path}</id>
  <link rel="self" href="${origin}${feed.path}"/>
  <updated>${updated}</updated>
${entries.join('\n')}
</feed>
`;
}

function rdf(feed: DemoFeed, items: DemoArticle[], origin: string): string {
  const links = items.map((a) => escapeHtml(linkIn(feed, a, origin)));
  const entries = items.map(
    (a, i) => `  <item rdf:about="${links[i]}">
    <title>${escapeHtml(a.title)}</title>
    <link>${links[i]}</link>
    <dc:date>${dateOf(a).toISO()}</dc:date>
    <description>${escapeHtml(a.paragraphs[0] ?? '')}</description>
  </item>`,
  );
  return `${xmlProlog(feed)}
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="${origin}${feed.path}">
    <title>${escapeHtml(feed.title)}</title>
    <link>${origin}/</link>
    <description>${escapeHtml(feed.title)}</description>
    <items><rdf:Seq>
${links.map((l) => `      <rdf:li rdf:resource="${l}"/>`).join('\n')}
    </rdf:Seq></items>
  </channel>
${entries.join('\n')}
</rdf:RDF>
`;
}

/** A list API in the shape of Eastmoney's getNewsByColumns: records with a bare code and a local showTime. */
function json(feed: DemoFeed, items: DemoArticle[], origin: string): string {
  const list = items.map((a) => ({
    code: a.code,
    showTime: a.date,
    title: a.title,
    mediaName: a.publisher,
    summary: a.paragraphs[0] ?? '',
    uniqueUrl: linkIn(feed, a, origin),
  }));
  return JSON.stringify({ code: 1, message: 'success', data: { list, page_index: 1, page_size: 20, total_hits: list.length } });
}

/** A list page as industry news sites have them: links relative to the page, dates as `2022年03月30日 10:15`. */
function html(feed: DemoFeed, items: DemoArticle[]): string {
  const entries = items.map(
    (a) => `      <li><a href="${escapeHtml(feed.link.replaceAll('{code}', a.code))}" target="_blank">${escapeHtml(a.title)}</a><span class="time">${dateOf(a).toFormat('yyyy年MM月dd日 HH:mm')}</span></li>`,
  );
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="${feed.charset === 'gbk' ? 'gbk' : 'utf-8'}">
  <title>${escapeHtml(feed.title)}_演示财经网</title>
</head>
<body>
  <div class="header"><a href="/">演示财经网首页</a> &gt; ${escapeHtml(feed.title)}</div>
  <div class="list-box">
    <h2>${escapeHtml(feed.title)}</h2>
    <ul class="news-list">
${entries.join('\n')}
    </ul>
    <div class="pager"><span>第1页</span></div>
  </div>
</body>
</html>
`;
}

/** One renderer per feed format: a new format is one row here. */
const FEED_RENDERERS: Record<DemoFeed['format'], { contentType: string; render: typeof rss }> = {
  rss: { contentType: 'application/rss+xml', render: rss },
  atom: { contentType: 'application/atom+xml', render: atom },
  rdf: { contentType: 'application/rdf+xml', render: rdf },
  json: { contentType: 'application/json', render: json },
  html: { contentType: 'text/html', render: html },
};

/** A feed's document and its content type (without the charset). */
export function renderFeed(site: DemoSite, feed: DemoFeed, origin: string): { text: string; contentType: string } {
  const { contentType, render } = FEED_RENDERERS[feed.format];
  return { text: render(feed, articlesOf(site, feed), origin), contentType };
}

/** An article's body as Eastmoney's pages and body API have it, ending with its （文章来源：…） line. */
function articleBody(a: DemoArticle, indent: string): string {
  const lines = a.paragraphs.map((p) => `<p>&#12288;&#12288;${escapeHtml(p)}</p>`);
  if (a.author) lines.push(`<p>(${escapeHtml(a.author)})</p>`);
  lines.push(`<p class="em_media">（文章来源：${escapeHtml(a.publisher)}）</p>`, '<p class="res-edit">（责任编辑：DEMO01）</p>');
  return lines.map((l) => indent + l).join('\n');
}

/** The answer of Eastmoney's body API (GetNewsText.do) for an article: `{"content": "<p>…</p>"}`. */
export function renderBodyApi(a: DemoArticle): string {
  return JSON.stringify({ content: articleBody(a, '') });
}

/** An Eastmoney-style article page with the （文章来源：…） line finews reads the publisher from. */
export function renderArticlePage(a: DemoArticle): string {
  const date = dateOf(a).toFormat('yyyy年MM月dd日 HH:mm');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="${a.charset === 'gbk' ? 'gbk' : 'utf-8'}">
  <title>${escapeHtml(a.title)}_演示财经网</title>
</head>
<body>
  <div class="header"><a href="/">演示财经网首页</a></div>
  <div class="newsContent">
    <h1>${escapeHtml(a.title)}</h1>
    <div class="infos"><div class="item">${date}</div><div class="item">来源：${escapeHtml(a.publisher)}</div></div>
    <div id="ContentBody" class="txtinfos">
${articleBody(a, '      ')}
    </div>
  </div>
  <script>window.adSlot = 1;</script>
  <div class="footer">演示财经网 · 本站内容均为虚构，仅供 finews 演示</div>
</body>
</html>
`;
}

/** The news site's own front page: its feeds and articles. */
export function renderSiteIndex(site: DemoSite, origin: string): string {
  const feeds = site.feeds
    .map((f) => `    <li><a href="${escapeHtml(f.path)}">${escapeHtml(f.title)}</a> (${f.format}${f.charset === 'gbk' ? ', GBK' : ''}, ${articlesOf(site, f).length} 条)</li>`)
    .join('\n');
  const articles = [...site.articles]
    .sort((x, y) => dateOf(y).toMillis() - dateOf(x).toMillis())
    .map((a) => `    <li><a href="${origin}/a/${a.code}.html">${escapeHtml(a.title)}</a> ${escapeHtml(a.publisher)} ${a.date}</li>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>演示财经网</title></head>
<body>
  <h1>演示财经网</h1>
  <p>finews demo 的本地新闻站：以下订阅源由 finews 抓取、去重、按来源打标签后重新发布。</p>
  <h2>订阅源</h2>
  <ul>
${feeds}
  </ul>
  <h2>文章</h2>
  <ul>
${articles}
  </ul>
</body>
</html>
`;
}
