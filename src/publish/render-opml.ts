/**
 * `/feeds.opml`: every category's RSS feed as an OPML 2.0 subscription list (INTERFACE §5).
 */
import { ALL_SLUG } from '../domain.js';
import { escapeHtml } from '../util/html.js';
import type { CategoryView, RenderContext } from './context.js';
import { feedUrls } from './formats.js';

/**
 * Renders OPML 2.0 with one `type="rss"` outline per category (`xmlUrl` its RSS feed,
 * `htmlUrl` its page), the merged `all` feed first. Categories are listed in the order
 * given; a duplicate slug or `all` among them is listed once. Every value is escaped.
 */
export function renderOpml(ctx: RenderContext, categories: readonly CategoryView[]): string {
  const { site } = ctx;
  const listed = new Map<string, CategoryView>([[ALL_SLUG, { slug: ALL_SLUG, title: site.title }]]);
  for (const cat of categories) if (!listed.has(cat.slug)) listed.set(cat.slug, cat);
  const outlines = [...listed.values()].map((cat) => {
    const urls = feedUrls(site, cat.slug);
    const title = cat.slug === ALL_SLUG ? site.title : `${cat.title} - ${site.title}`;
    return (
      `    <outline type="rss" text="${escapeHtml(title)}" title="${escapeHtml(title)}"` +
      ` xmlUrl="${escapeHtml(urls.rss)}" htmlUrl="${escapeHtml(urls.html)}"` +
      ` language="${escapeHtml(site.language)}"/>`
    );
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeHtml(site.title)}</title>`,
    '    <docs>http://opml.org/spec2.opml</docs>',
    '  </head>',
    '  <body>',
    ...outlines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}
