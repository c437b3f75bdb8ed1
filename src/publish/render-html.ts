/**
 * Server-rendered HTML pages: `/` and `/category/<slug>.html` (INTERFACE §5).
 *
 * No template engine: {@link html} is a tagged template that escapes every interpolated
 * value unless it is already {@link SafeHtml}, so forgetting to escape is not possible
 * by accident. Links inside pages are root-relative, so pages work from any host.
 */
import { ALL_SLUG, type Item, type SourceRow, type SourceRowState } from '../domain.js';
import { escapeHtml } from '../util/html.js';
import { sitePath, type CategoryView, type RenderContext } from './context.js';
import { OUTPUT_FORMATS, feedLinks, mediaType, type FeedUrls } from './formats.js';
import { itemDate, readDate } from './item-date.js';
import { otherPublishers, type ListedItem } from './stories.js';
import { httpUrlOf } from './text.js';

/** A string of markup that is already safe to insert as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Something {@link html} can interpolate: markup, text (escaped), or a list of them. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/** Marks trusted markup (constants written here, never data) as safe. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * Tagged template for HTML: every interpolated value is escaped unless it is SafeHtml;
 * arrays are concatenated; null, undefined and booleans render as nothing.
 *
 * @example html`<a href="${url}">${title}</a>` // url and title are escaped
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += interpolate(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

function interpolate(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => interpolate(v)).join('');
  if (value === null || value === undefined || typeof value === 'boolean') return '';
  return escapeHtml(String(value));
}

/** One category in the home page's navigation. */
export interface HomeCategory {
  cat: CategoryView;
  count: number;
  /** A publisher's own category (listed under 来源), else a topic (栏目). */
  publisher: boolean;
}

/** What the home page shows: the merged stream and the categories to navigate by. */
export interface HomeView {
  /** The newest items of `all`, one per story, newest first. */
  items: readonly ListedItem[];
  categories: readonly HomeCategory[];
}

/**
 * The home page: the merged, deduplicated stream of `all` (each item once, with its
 * publisher and categories as links), the categories as navigation with their counts,
 * the feeds of `all` advertised for autodiscovery, and the sources status table when
 * `sources` is given.
 */
export function renderHomePage(ctx: RenderContext, home: HomeView, sources?: readonly SourceRow[]): string {
  const { site } = ctx;
  const all = feedLinks(site, ALL_SLUG);
  const body = html`
<header class="site">
<h1>${site.title}</h1>
<p class="feeds">订阅全部新闻：${feedLinksHtml(ctx, ALL_SLUG)} · <a href="${sitePath(site, 'feeds.opml')}">OPML</a></p>
</header>
${home.categories.length === 0 ? '' : categoriesNav(ctx, home.categories)}
<main>
${home.items.length === 0 ? html`<p class="empty">暂无新闻。</p>` : streamSection(ctx, home.items)}
${sources === undefined ? '' : sourcesSection(ctx, sources)}
</main>`;
  return page(ctx, { title: site.title, feedsFor: { title: site.title, links: all }, body });
}

/**
 * The page of one category: every item as an `<article>` (title linking to the original
 * article, date in the site's timezone, publisher, summary), the category's feed links
 * (also advertised for autodiscovery) and a link back home.
 */
export function renderCategoryPage(
  ctx: RenderContext,
  cat: CategoryView,
  items: readonly ListedItem[],
  opts: { count?: number } = {},
): string {
  const { site } = ctx;
  const title = cat.slug === ALL_SLUG ? site.title : `${cat.title} - ${site.title}`;
  const count = opts.count ?? items.length;
  const body = html`
<nav><a href="${sitePath(site, '')}">← 返回首页</a></nav>
<header>
<h1>${cat.title}</h1>
<p class="feeds">共 ${count} 篇 · 订阅：${feedLinksHtml(ctx, cat.slug)}</p>
</header>
<main>
${items.length === 0 ? html`<p class="empty">暂无新闻。</p>` : items.map((item) => articleHtml(ctx, item))}
</main>`;
  return page(ctx, { title, feedsFor: { title, links: feedLinks(site, cat.slug) }, body });
}

const STATE_LABELS: Record<SourceRowState, string> = {
  ok: '正常',
  error: '出错',
  pending: '等待',
  disabled: '停用',
};

function sourcesSection(ctx: RenderContext, rows: readonly SourceRow[]): SafeHtml {
  return html`<section class="sources" id="sources">
<h2>来源状态</h2>
<div class="scroll"><table>
<thead><tr><th>来源</th><th>状态</th><th>上次抓取</th><th>文章</th><th>下次运行</th><th>最近错误</th></tr></thead>
<tbody>
${rows.map(
  (r) => html`<tr class="state-${r.state}">
<td><a href="${safeHref(r.url)}">${r.id}</a></td>
<td><span class="state">${STATE_LABELS[r.state] ?? r.state}</span></td>
<td>${timeHtml(ctx, r.lastFetchAt ?? undefined)}</td>
<td>${r.items}</td>
<td>${timeHtml(ctx, r.nextRunAt ?? undefined)}</td>
<td class="error">${r.lastError ?? ''}</td>
</tr>
`,
)}</tbody>
</table></div>
</section>`;
}

function categoriesNav(ctx: RenderContext, categories: readonly HomeCategory[]): SafeHtml {
  const group = (label: string, list: readonly HomeCategory[]): SafeHtml | string =>
    list.length === 0
      ? ''
      : html`<div class="group"><h2>${label}</h2><ul>
${list.map((c) => html`<li><a href="${categoryHref(ctx, c.cat.slug)}">${c.cat.title}</a> <span class="count">${c.count}</span></li>
`)}</ul></div>
`;
  return html`<nav class="categories" aria-label="分类">
${group('来源', categories.filter((c) => c.publisher))}${group('栏目', categories.filter((c) => !c.publisher))}</nav>`;
}

function streamSection(ctx: RenderContext, items: readonly ListedItem[]): SafeHtml {
  // feedLinks gives `all` the home page itself; the stream's own page is its category page.
  const allPage = sitePath(ctx.site, `category/${ALL_SLUG}.html`);
  return html`<section class="stream" id="all">
<h2><a href="${allPage}">最新新闻</a></h2>
<ol class="items">
${items.map((item) => streamItem(ctx, item))}</ol>
<p class="more"><a href="${allPage}">全部新闻 →</a></p>
</section>
`;
}

/** One story of the stream: its title, date, publisher, the other publishers that carried it, and other categories as links. */
function streamItem(ctx: RenderContext, item: ListedItem): SafeHtml {
  const [own, ...others] = item.categories;
  const titles = ctx.categoryTitles ?? ((slug: string) => slug);
  const publisher = own === undefined ? html`${item.publisher}` : html`<a class="publisher" href="${categoryHref(ctx, own)}">${item.publisher}</a>`;
  const categories = others
    .filter((slug, i) => slug !== own && others.indexOf(slug) === i)
    .map((slug) => html` · <a class="category" href="${categoryHref(ctx, slug)}">${titles(slug)}</a>`);
  return html`<li class="item" data-key="${item.infoCode ?? item.key}">${itemTitleLink(item)}
<span class="meta">${itemTime(ctx, item)} · ${publisher}${categories}</span>${storyLine(item)}</li>
`;
}

/** `同时由 证券时报、上海证券报 报道`, each linked to its copy; undefined for an item alone in its story. */
function storyNames(item: ListedItem): SafeHtml | undefined {
  const others = otherPublishers(item);
  if (others.length === 0) return undefined;
  const names = others.map((o, i) => {
    const href = safeHref(o.url);
    return html`${i === 0 ? '' : '、'}${href === undefined ? o.publisher : html`<a href="${href}">${o.publisher}</a>`}`;
  });
  return html`同时由 ${names} 报道`;
}

function storyLine(item: ListedItem): SafeHtml | string {
  const names = storyNames(item);
  return names === undefined ? '' : html`
<span class="story">${names}</span>`;
}

function categoryHref(ctx: RenderContext, slug: string): string {
  return feedLinks(ctx.site, slug).html;
}

function articleHtml(ctx: RenderContext, item: ListedItem): SafeHtml {
  const author = item.author !== undefined && item.author.trim() !== '' ? html` · ${item.author}` : '';
  const summary = item.summary.trim();
  return html`<article>
<h2>${itemTitleLink(item)}</h2>
<p class="meta">${itemTime(ctx, item)} · ${item.publisher}${author}</p>
${summary === '' ? '' : html`<p class="summary">${summary}</p>`}
${storyParagraph(item)}</article>
`;
}

function storyParagraph(item: ListedItem): SafeHtml | string {
  const names = storyNames(item);
  return names === undefined ? '' : html`<p class="story">${names}</p>
`;
}

/** The title linking to the original article; plain text when the URL is not http(s). */
function itemTitleLink(item: Item): SafeHtml {
  const href = safeHref(item.url);
  return href === undefined ? html`<span class="title">${item.title}</span>` : html`<a href="${href}">${item.title}</a>`;
}

function itemTime(ctx: RenderContext, item: Item): SafeHtml {
  const dt = itemDate(item, ctx.generatedAt).setZone(ctx.site.timezone);
  return html`<time datetime="${dt.toISO({ suppressMilliseconds: true }) ?? ''}">${dt.toFormat('yyyy-MM-dd HH:mm')}</time>`;
}

function timeHtml(ctx: RenderContext, iso: string | undefined): SafeHtml | string {
  const dt = readDate(iso)?.setZone(ctx.site.timezone);
  if (dt === undefined) return '—';
  return html`<time datetime="${dt.toISO({ suppressMilliseconds: true }) ?? ''}">${dt.toFormat('yyyy-MM-dd HH:mm:ss')}</time>`;
}

function feedLinksHtml(ctx: RenderContext, slug: string): SafeHtml {
  const l = feedLinks(ctx.site, slug);
  return html`${OUTPUT_FORMATS.map((f, i) => html`${i === 0 ? '' : ' · '}<a href="${l[f.id]}" type="${mediaType(f)}">${f.label}</a>`)}`;
}

/** An http(s) URL normalized for an href; undefined for anything else (javascript:, data:, relative…). */
function safeHref(url: string): string | undefined {
  return httpUrlOf(url);
}

interface PageParts {
  title: string;
  /** Feeds advertised with <link rel="alternate">. */
  feedsFor: { title: string; links: FeedUrls };
  body: SafeHtml;
}

function page(ctx: RenderContext, parts: PageParts): string {
  const { links, title: feedTitle } = parts.feedsFor;
  return html`<!doctype html>
<html lang="${ctx.site.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${parts.title}</title>
${OUTPUT_FORMATS.map((f) => html`<link rel="alternate" type="${mediaType(f)}" title="${feedTitle} (${f.label})" href="${links[f.id]}">
`)}<style>${raw(CSS)}</style>
</head>
<body>
${parts.body}
<footer><p>${ctx.site.title} · 由 finews 聚合 · <a href="${sitePath(ctx.site, 'feeds.opml')}">OPML</a></p></footer>
</body>
</html>
`.value;
}

const CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --link: #0a58ca; --bad: #b42318; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --link: #6cb6ff; --bad: #ff7b72; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 0 1rem 2rem; color: var(--fg);
  font: 16px/1.75 -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
    "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif;
  overflow-wrap: anywhere; -webkit-text-size-adjust: 100%; }
a { color: var(--link); text-decoration: none; } a:hover { text-decoration: underline; }
h1 { font-size: 1.6rem; margin: 1.2rem 0 .2rem; } h2 { font-size: 1.15rem; margin: 1.4rem 0 .3rem; }
.feeds, .meta, .count, .more, footer, nav { color: var(--muted); font-size: .875rem; }
nav { margin-top: 1rem; }
ul { padding-left: 1.1rem; margin: .3rem 0; } li { margin: .35rem 0; }
li .meta, li .story { display: block; }
.story { color: var(--muted); font-size: .875rem; }
nav.categories { display: flex; flex-wrap: wrap; gap: 0 2rem; border-top: 1px solid var(--line); }
nav.categories h2 { font-size: .95rem; margin: .6rem 0 0; }
nav.categories ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .1rem .9rem; }
nav.categories li { margin: .1rem 0; }
section.stream { border-top: 1px solid var(--line); }
section.stream ol { list-style: none; padding: 0; }
section.stream li { margin: .6rem 0; }
article { border-top: 1px solid var(--line); padding: .2rem 0 .6rem; }
article h2 { margin-bottom: 0; }
.summary { margin: .3rem 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { white-space: nowrap; }
.state-error .state, td.error { color: var(--bad); }
footer { border-top: 1px solid var(--line); margin-top: 2rem; }
`.trim();
