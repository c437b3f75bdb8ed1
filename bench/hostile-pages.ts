/**
 * The longest the event loop is held by one article page of the hostile set (issue 8 item 3):
 * the article stage as process-article runs it (markup budget pre-scan, then extraction, or
 * the refusal and the feed-content fallback) beside `cheerio.load` alone as the baseline —
 * the least any extraction must do. Both are synchronous, so the time of one call is the
 * event-loop block.
 *
 *   npx tsx bench/hostile-pages.ts [--quick]
 *
 * Never part of the test pass/fail. No network.
 */
import { cpus } from 'node:os';
import { load } from 'cheerio';
import { extractArticle } from '../src/articles/extract.js';
import { sanitizeBody } from '../src/articles/sanitize.js';
import { isFinewsError } from '../src/errors.js';
import { DEFAULT_MARKUP_BUDGET } from '../src/util/complexity.js';

const PAGE_URL = 'https://finance.eastmoney.com/a/202203302327572513.html';
const FEED_CONTENT = '<p>工业和信息化部发布一季度工业经济运行情况。</p>';
const quick = process.argv.includes('--quick');

function deep(depth: number): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>嵌套</title></head><body>${'<div>'.repeat(depth)}<p>正文。</p>${'</div>'.repeat(depth)}</body></html>`;
}

function flat(nodes: number): string {
  const spans: string[] = [];
  // Each span is two nodes (the element and its text).
  for (let i = 0; i < nodes / 2; i++) spans.push(`<span>字${i % 10}</span>`);
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>平铺</title></head><body><div id="ContentBody"><p>${spans.join('')}</p></div></body></html>`;
}

/** The article stage of process-article: extraction, or on a permanent refusal the feed-content fallback. */
function articleStage(html: string): string {
  try {
    const article = extractArticle(html, PAGE_URL, { fetch: true, remove: [] }, 'Asia/Shanghai');
    return `extracted, ${article.contentHtml.length} chars`;
  } catch (err) {
    if (!isFinewsError(err, 'too-complex')) throw err;
    sanitizeBody(FEED_CONTENT, PAGE_URL);
    return 'refused: too-complex, feed content stored';
  }
}

function timeOnce(op: () => unknown): { ms: number; value: unknown } {
  const t0 = performance.now();
  const value = op();
  return { ms: performance.now() - t0, value };
}

/** The longest of `runs` calls, in ms. */
function maxBlock(op: () => unknown, runs: number): { ms: number; value: unknown } {
  let worst = { ms: 0, value: undefined as unknown };
  for (let i = 0; i < runs; i++) {
    const r = timeOnce(op);
    if (r.ms >= worst.ms) worst = r;
  }
  return worst;
}

const { maxDepth, maxNodes } = DEFAULT_MARKUP_BUDGET;
const pages: Array<{ name: string; html: string; baselineRuns: number }> = [
  { name: 'nested 50,000 deep', html: deep(50_000), baselineRuns: 1 },
  { name: 'flat, 200,000 nodes', html: flat(200_000), baselineRuns: 1 },
  { name: `nested ${maxDepth} deep (at the budget)`, html: deep(maxDepth - 3), baselineRuns: 3 },
  { name: `flat, ${maxNodes.toLocaleString('en')} nodes (at the budget)`, html: flat(maxNodes - 20), baselineRuns: 3 },
  { name: 'article page, 300 paragraphs', html: deep(10).replace('<p>正文。</p>', '<p>一季度工业经济稳中有进，制造业投资增长。</p>'.repeat(300)), baselineRuns: 3 },
];

console.log(`hostile pages — node ${process.version} · ${cpus().length} CPU · ${new Date().toISOString()}${quick ? ' (quick)' : ''}`);
// Warm both paths up so the first page does not pay for compilation.
for (let i = 0; i < 5; i++) {
  articleStage(pages[4]?.html ?? '');
  load(pages[4]?.html ?? '');
}

const rows: string[][] = [['page', 'size', 'ours: max block', 'outcome', 'baseline cheerio.load: max block']];
for (const page of pages) {
  const ours = maxBlock(() => articleStage(page.html), quick ? 1 : 3);
  const skipBaseline = quick && page.baselineRuns === 1;
  const base = skipBaseline ? undefined : maxBlock(() => load(page.html), page.baselineRuns);
  rows.push([
    page.name,
    `${(Buffer.byteLength(page.html) / 1e6).toFixed(2)} MB`,
    `${ours.ms.toFixed(1)} ms`,
    String(ours.value),
    base === undefined ? 'skipped (--quick)' : `${base.ms.toFixed(1)} ms`,
  ]);
}
const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0))) ?? [];
for (const [i, row] of rows.entries()) {
  console.log(row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
}
