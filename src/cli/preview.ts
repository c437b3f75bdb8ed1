import Table from 'cli-table3';
import { DateTime } from 'luxon';
import type { Config, Item, ParsedFeed, SourceConfig } from '../domain.js';
import { describeError } from '../errors.js';
import { createHttpClient } from '../fetch/fetcher.js';
import { FetchError } from '../pipeline/ports.js';
import { identify } from '../identity/identify.js';
import { createMetrics } from '../metrics.js';
import { buildArticleItem, type ArticleOutcome } from '../pipeline/process-article.js';
import type { ArticleJob, Fetcher } from '../pipeline/ports.js';
import { readSourcePage } from '../pipeline/read-source.js';
import { MemoryHostLimiter } from '../politeness/memory-limiter.js';
import { createPoliteFetcher } from '../politeness/polite-fetcher.js';
import type { Logger } from '../util/log.js';

export interface PreviewOptions {
  /** Also process the first item's article as it would be stored. */
  article: boolean;
  /** One JSON document instead of the table. */
  json: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** One record as the source's mapping turned it into an item. */
export interface PreviewRow {
  key: string;
  infoCode: string | null;
  publishedAt: string | null;
  publisher: string | null;
  title: string;
  link: string | null;
}

/** What `finews preview --json` prints. */
export interface PreviewReport {
  source: string;
  kind: SourceConfig['kind'];
  url: string;
  /** HTTP status of the list request, when one came back. */
  status: number | null;
  items: PreviewRow[];
  /** Records left out (no title, or neither link nor infoCode); each is named in warnings. */
  skipped: number;
  warnings: string[];
  /** Why nothing came out; null when an item did. */
  error: string | null;
  article?: { page: ArticleOutcome['page']; item: Item | null; error: string | null };
}

/** Column widths (cell padding included); with the 7 borders they add up to 100 columns. */
const COLUMNS = [
  { head: '#', width: 5 },
  { head: 'infoCode', width: 22 },
  { head: 'date', width: 18 },
  { head: 'publisher', width: 12 },
  { head: 'title', width: 20 },
  { head: 'link', width: 16 },
] as const;

/**
 * `finews preview ID`: fetches source ID's list once — its first page, with the same
 * reader, request headers and politeness as a refresh — and prints every record as
 * mapped, every skipped record and, when nothing came out, why. Stores nothing, not even
 * with `--article`. Exit 0 when an item came out, 1 otherwise.
 */
export async function previewCommand(config: Config, sourceId: string, opts: PreviewOptions, log: Logger): Promise<number> {
  const source = config.sources.find((s) => s.id === sourceId);
  if (!source) {
    const ids = config.sources.map((s) => s.id).join(', ') || 'none';
    opts.err.write(`finews preview: no source "${sourceId}" in the config (sources: ${ids})\n`);
    return 1;
  }
  const http = createHttpClient();
  const fetcher = createPoliteFetcher(new MemoryHostLimiter(() => config.politeness), http.fetchUrl, { log });
  try {
    const report = await previewSource(config, source, { fetcher, log, now: () => new Date() }, opts.article);
    opts.out.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, config.site.timezone));
    return report.items.length > 0 ? 0 : 1;
  } finally {
    await http.close();
  }
}

interface PreviewDeps {
  fetcher: Fetcher;
  log: Logger;
  now(): Date;
}

/** The preview of one source, as data. */
export async function previewSource(config: Config, source: SourceConfig, deps: PreviewDeps, withArticle: boolean): Promise<PreviewReport> {
  const report: PreviewReport = { source: source.id, kind: source.kind, url: source.url, status: null, items: [], skipped: 0, warnings: [], error: null };
  let feed: ParsedFeed | undefined;
  try {
    const page = await readSourcePage(deps, source, { page: 1, timezone: config.site.timezone });
    report.url = page.url;
    report.status = page.response.status;
    feed = page.feed;
  } catch (err) {
    if (err instanceof FetchError && err.status !== undefined) report.status = err.status;
    report.error = describeError(err);
    return report;
  }
  if (feed === undefined) {
    report.error = `${report.url} answered 304 Not Modified with no body`;
    return report;
  }
  report.warnings = feed.warnings;
  report.skipped = feed.skipped ?? 0;
  const identified = feed.items.map((item) => ({ item, id: identify(item, source.infoCode) }));
  report.items = identified.map(({ item, id }) => ({
    key: id.key,
    infoCode: id.infoCode,
    publishedAt: item.publishedAt ?? null,
    publisher: source.publisher ?? item.publisher ?? null,
    title: item.title,
    link: item.link ?? null,
  }));
  if (report.items.length === 0) {
    report.error =
      report.skipped > 0
        ? `every record was skipped (${report.skipped}): see the warnings`
        : `the list at ${report.url} holds no records`;
  }
  const first = identified[0];
  if (withArticle && first !== undefined) {
    const job: ArticleJob = { key: first.id.key, infoCode: first.id.infoCode, sourceId: source.id, categories: source.categories, item: first.item };
    if (feed.title !== undefined) job.feedTitle = feed.title;
    report.article = await previewArticle(config, deps, job);
  }
  return report;
}

/** The article as the article use case would store it (body API, page, fallbacks), without storing it. */
async function previewArticle(config: Config, deps: PreviewDeps, job: ArticleJob): Promise<NonNullable<PreviewReport['article']>> {
  try {
    const built = await buildArticleItem({ config: () => config, fetcher: deps.fetcher, log: deps.log, metrics: createMetrics(), now: deps.now }, job, {
      finalAttempt: true,
    });
    return { page: built.page, item: built.item, error: null };
  } catch (err) {
    return { page: 'skipped', item: null, error: describeError(err) };
  }
}

/** The report as a terminal reads it: a table that fits 100 columns, then what went wrong. */
export function formatReport(report: PreviewReport, zone: string): string {
  const lines: string[] = [];
  const status = report.status === null ? 'no answer' : `HTTP ${report.status}`;
  lines.push(`${report.source} (${report.kind}) ${report.url}`, `${status}: ${report.items.length} items, ${report.skipped} skipped`);
  if (report.items.length > 0) {
    const table = new Table({
      head: COLUMNS.map((c) => c.head),
      colWidths: COLUMNS.map((c) => c.width),
      style: { head: [], border: [] },
      wordWrap: false,
    });
    report.items.forEach((row, i) => {
      table.push([String(i + 1), row.infoCode ?? '-', shortDate(row.publishedAt, zone), row.publisher ?? '-', row.title, row.link ?? '-']);
    });
    lines.push(table.toString());
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  if (report.error !== null) lines.push(`nothing came out: ${report.error}`);
  if (report.article) lines.push('', ...formatArticle(report.article));
  return `${lines.join('\n')}\n`;
}

function formatArticle(article: NonNullable<PreviewReport['article']>): string[] {
  if (article.item === null) return [`article: not stored: ${article.error ?? 'unknown reason'}`];
  const item = article.item;
  const from = { fetched: 'its page or body API', fallback: 'the list (page unavailable)', skipped: 'the list (no page fetched)' }[article.page];
  return [
    `article ${item.infoCode ?? item.key}, body from ${from}:`,
    `  title:      ${item.title}`,
    `  url:        ${item.url || '-'}`,
    `  published:  ${item.publishedAt}`,
    `  publisher:  ${item.publisher}`,
    `  author:     ${item.author ?? '-'}`,
    `  categories: ${item.categories.join(', ')}`,
    `  tags:       ${item.tags.join(', ')}`,
    '',
    item.contentHtml,
  ];
}

function shortDate(iso: string | null, zone: string): string {
  if (iso === null) return '-';
  const dt = DateTime.fromISO(iso, { setZone: true }).setZone(zone);
  return dt.isValid ? dt.toFormat('yyyy-MM-dd HH:mm') : iso;
}
