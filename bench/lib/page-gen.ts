/**
 * A large generated Eastmoney-style article page: the usual chrome (navigation,
 * inline scripts, ads, hot lists, comments) around a long `#ContentBody` with
 * paragraphs, tables, images, a byline, the attribution and the editor line.
 */
import { AUTHORS, PUBLISHERS, headline, newsCodeAt, paragraph } from './zh-text.js';
import { intBetween, pick, seededRandom } from './rng.js';

export interface PageSpec {
  /** Body paragraphs. */
  paragraphs: number;
  /** Links in each of the navigation, sidebar and related-news lists. */
  chromeLinks: number;
  /** Reader comments under the article. */
  comments: number;
  /** @defaultValue 20220331 */
  seed?: number;
}

/** The page's HTML. */
export function largeArticlePage(spec: PageSpec): string {
  const rand = seededRandom(spec.seed ?? 20220331);
  const title = headline(rand);
  const publisher = pick(rand, PUBLISHERS);
  const base = Date.parse('2022-03-30T09:34:00+08:00');
  const links = (cls: string): string => {
    const li: string[] = [];
    for (let i = 0; i < spec.chromeLinks; i++) {
      li.push(`<li><a href="//finance.eastmoney.com/a/${newsCodeAt(base - i * 60_000, i)}.html" title="${headline(rand)}">${headline(rand)}</a><span class="tm">03-30</span></li>`);
    }
    return `<ul class="${cls}">\n${li.join('\n')}\n</ul>`;
  };
  const scripts: string[] = [];
  for (let i = 0; i < 30; i++) {
    scripts.push(`<script type="text/javascript">var cfg${i} = ${JSON.stringify({ column: 353 + i, ads: Array.from({ length: 20 }, (_, k) => `//same.eastmoney.com/s?z=eastmoney&c=${k}`) })};</script>`);
  }

  const body: string[] = [`<div class="b-review">【摘要】${paragraph(rand, 1, 1)}</div>`, '<!--文章主体-->'];
  for (let i = 0; i < spec.paragraphs; i++) {
    if (i > 0 && i % 25 === 0) {
      const rows: string[] = [];
      for (let r = 0; r < 8; r++) rows.push(`<tr><td>${pick(rand, ['一季度', '二季度', '三季度', '四季度'])}</td><td>${(rand() * 10).toFixed(2)}%</td><td>${intBetween(rand, 100, 9999)}亿元</td></tr>`);
      body.push(`<table class="data"><tbody><tr><th>期间</th><th>同比</th><th>金额</th></tr>${rows.join('')}</tbody></table>`);
    } else if (i % 17 === 0) {
      body.push(`<p style="text-align:center"><img src="//np-newspic.dfcfw.com/download/D${intBetween(rand, 10_000_000, 99_999_999)}.jpg" alt="图表" width="600"></p>`);
    }
    body.push(`<p>\n&#12288;&#12288;${paragraph(rand, 2, 4)}</p>`);
  }
  body.push(
    `<p>(${pick(rand, AUTHORS)})</p>`,
    `<p class="em_media">（文章来源：${publisher}）</p>`,
    '<p class="res-edit">（责任编辑：DF537）</p>',
    '<!--文章主体-->',
  );

  const comments: string[] = [];
  for (let i = 0; i < spec.comments; i++) {
    comments.push(`<div class="comment"><a class="user" href="//i.eastmoney.com/${intBetween(rand, 1e9, 9e9)}">股友${intBetween(rand, 1000, 9999)}</a><p>${paragraph(rand, 1, 1)}</p><span class="like">${intBetween(rand, 0, 999)}</span></div>`);
  }

  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${title}_东方财富网</title>
<meta name="description" content="${paragraph(rand, 1, 1)}">
<meta property="og:title" content="${title}">
<link rel="stylesheet" href="//g1.dfcfw.com/g4/202203/20220301100000.css">
${scripts.join('\n')}
</head>
<body>
<div class="topbar"><div class="wrap">${links('nav')}</div></div>
<div class="main wrap">
<div class="contentwrap">
<div class="crumbs"><a href="//www.eastmoney.com/">东方财富网</a> &gt; <a href="//finance.eastmoney.com/">财经频道</a> &gt; 正文</div>
<div class="newsContent">
<h1>${title}</h1>
<div class="infos"><div class="item">2022年03月30日 09:34</div><div class="item">来源：<a href="#">${publisher}</a></div></div>
<div class="ad" id="ad_article_top"><script>document.write('<a href="//same.eastmoney.com/s?z=eastmoney&c=1">广告</a>');</script></div>
<div id="ContentBody" class="txtinfos">
${body.join('\n')}
</div>
<div class="em_share"><a href="javascript:void(0)" class="share-wx">微信</a></div>
<div class="disclaimer">郑重声明：东方财富网发布此信息的目的在于传播更多信息，与本站立场无关。</div>
<div class="related"><div class="title">相关阅读</div>${links('related-list')}</div>
<div class="comments">${comments.join('\n')}</div>
</div>
</div>
<div class="sidebar"><div class="side-box"><div class="side-title">24小时热门</div>${links('hot')}</div></div>
</div>
<div class="footer"><p>Copyright &copy; 2004-2022 东方财富网 版权所有</p></div>
</body>
</html>
`;
}
