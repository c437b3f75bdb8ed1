/**
 * Generated Eastmoney-style RSS 2.0 feeds: a clean one, and a dirty twin with what
 * real Chinese feeds carry (bare `&` in links and titles, HTML entities XML does not
 * know, and one item whose markup is broken).
 */
import { AUTHORS, FEED_CATEGORIES, PUBLISHERS, headline, newsCodeAt, paragraph, rfc822Shanghai } from './zh-text.js';
import { intBetween, pick, seededRandom } from './rng.js';

export interface FeedSpec {
  items: number;
  /** @defaultValue 20220330 */
  seed?: number;
  /** Bare `&`, `&nbsp;`/`&ldquo;` outside CDATA, and one broken item in the middle. */
  dirty?: boolean;
}

/** What was generated, so a benchmark can check both sides read the same items. */
export interface GeneratedFeed {
  xml: string;
  /** Items a tolerant parser should return (all but the broken one). */
  readableItems: number;
}

/** Two ideographic spaces (U+3000), the paragraph indent of Chinese news copy. */
const INDENT = '\u3000\u3000';

const NEWEST_MS = Date.parse('2022-03-30T18:00:00+08:00');

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An RSS 2.0 feed of `spec.items` items, newest first. */
export function eastmoneyRss(spec: FeedSpec): GeneratedFeed {
  const rand = seededRandom(spec.seed ?? 20220330);
  const dirty = spec.dirty === true;
  const broken = dirty ? Math.floor(spec.items / 2) : -1;
  const out: string[] = [];
  out.push(
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">',
    '<channel>',
    dirty ? '<title>东方财富网&nbsp;|&nbsp;财经导读</title>' : '<title>东方财富网 - 财经导读</title>',
    '<link>https://finance.eastmoney.com/a/ccjdd.html</link>',
    '<description>东方财富网财经导读：宏观经济、产业经济、上市公司要闻</description>',
    '<language>zh-cn</language>',
    `<lastBuildDate>${rfc822Shanghai(NEWEST_MS)}</lastBuildDate>`,
    '<ttl>10</ttl>',
    '<atom:link href="https://rss.example.com/eastmoney/ccjdd.xml" rel="self" type="application/rss+xml"/>',
  );

  let ms = NEWEST_MS;
  for (let i = 0; i < spec.items; i++) {
    ms -= intBetween(rand, 20, 600) * 1000;
    const code = newsCodeAt(ms, i);
    const publisher = pick(rand, PUBLISHERS);
    const author = pick(rand, AUTHORS);
    let title = headline(rand);
    if (dirty && i % 11 === 3) title = `研发（R&D）投入持续加大 ${title}`;
    const amp = dirty && i % 7 === 0 ? '&' : '&amp;';

    let link: string;
    let guid: string;
    switch (i % 4) {
      case 0:
        link = `http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW${code}${amp}utm_source=rss`;
        guid = `<guid isPermaLink="false">NW${code}</guid>`;
        break;
      case 1:
        link = `https://emwap.eastmoney.com/news/info?InfoCode=${code}${amp}from=rss`;
        guid = `<guid>https://emwap.eastmoney.com/news/info?InfoCode=${code}</guid>`;
        break;
      case 2:
        link = `https://finance.eastmoney.com/a/${code}.html`;
        guid = `<guid>${link}</guid>`;
        break;
      default:
        link = `https://finance.eastmoney.com/news/1355,${code}.html`;
        guid = '';
    }

    const lead = paragraph(rand, 1, 2);
    const description =
      dirty && i % 11 === 5
        ? `<description>&ldquo;${esc(lead.slice(0, 20))}&rdquo;&nbsp;${esc(lead.slice(20))}</description>`
        : `<description><![CDATA[<p>${INDENT}${lead}</p>]]></description>`;
    let content = '';
    if (i % 4 === 0) {
      const paras: string[] = [];
      const n = intBetween(rand, 4, 8);
      for (let p = 0; p < n; p++) paras.push(`<p>${INDENT}${paragraph(rand, 1, 3)}</p>`);
      paras.push(`<p>(${author})</p>`, `<p class="em_media">（文章来源：${publisher}）</p>`);
      content = `<content:encoded><![CDATA[${paras.join('\n')}]]></content:encoded>`;
    }

    out.push(
      '<item>',
      i === broken ? `<title>${esc(title)}` : `<title>${dirty ? title : esc(title)}</title>`,
      `<link>${link}</link>`,
      guid,
      `<dc:creator>${publisher}</dc:creator>`,
      `<category>${pick(rand, FEED_CATEGORIES)}</category>`,
      `<pubDate>${rfc822Shanghai(ms)}</pubDate>`,
      description,
      content,
      '</item>',
    );
  }
  out.push('</channel>', '</rss>', '');
  return { xml: out.filter((l) => l !== '').join('\n'), readableItems: dirty ? spec.items - 1 : spec.items };
}
