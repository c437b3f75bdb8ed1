/**
 * Article extraction: `extractArticle` (body detection, noise removal, sanitizing,
 * date, byline and attribution) against the least a scraper does — cheerio `load`
 * plus `$('#ContentBody').text()` — on the seed article page and a large generated one.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCase, type CaseFn } from './lib/fork.js';
import { timeLoop, type LoopPlan } from './lib/measure.js';
import type { BenchOptions } from './lib/options.js';
import { largeArticlePage } from './lib/page-gen.js';
import { outcomeOf, sideOf, type CaseOutcome, type Comparison } from './lib/report.js';

const SEED_PAGE = fileURLToPath(new URL('../tests/fixtures/articles/seed-article.html', import.meta.url));
const PAGE_URL = 'https://finance.eastmoney.com/a/202203302327572513.html';

type PageName = 'seed' | 'large';

function page(name: PageName): string {
  return name === 'seed' ? readFileSync(SEED_PAGE, 'utf8') : largeArticlePage({ paragraphs: 300, chromeLinks: 300, comments: 300 });
}

function plan(opts: BenchOptions, name: PageName): LoopPlan {
  const ms = opts.quick ? 400 : 2500;
  return name === 'seed'
    ? { warmupOps: opts.quick ? 20 : 50, minMs: ms, minOps: 50, maxOps: 100_000 }
    : { warmupOps: opts.quick ? 1 : 3, minMs: ms, minOps: 3, maxOps: 1000 };
}

function ours(name: PageName): CaseFn {
  return async (opts) => {
    const { extractArticle } = await import('../src/articles/extract.js');
    const html = page(name);
    const rules = { fetch: true, remove: [] };
    return outcomeOf(async () => {
      const first = extractArticle(html, PAGE_URL, rules, 'Asia/Shanghai');
      const loop = await timeLoop(() => extractArticle(html, PAGE_URL, rules, 'Asia/Shanghai'), plan(opts, name));
      const paras = first.contentHtml.split('</p>').length - 1;
      return { loop, output: `${paras} <p>, publisher ${first.publisher ?? '?'}, byline ${first.author ?? '?'}` };
    });
  };
}

function baseline(name: PageName): CaseFn {
  return async (opts) => {
    const { load } = await import('cheerio');
    const html = page(name);
    return outcomeOf(async () => {
      const first = load(html)('#ContentBody').text();
      const loop = await timeLoop(() => load(html)('#ContentBody').text(), plan(opts, name));
      return { loop, output: `${first.length} chars of text, no markup` };
    });
  };
}

/** The cases, each run in a process of its own. */
export const cases: Record<string, CaseFn> = {
  'ours-seed': ours('seed'),
  'baseline-seed': baseline('seed'),
  'ours-large': ours('large'),
  'baseline-large': baseline('large'),
};

/** Runs the extract benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const rows: Comparison[] = [];
  for (const name of ['seed', 'large'] as const) {
    const kb = Math.round(Buffer.byteLength(page(name)) / 1024);
    const o = await runCase<CaseOutcome>('extract', `ours-${name}`, opts);
    const b = await runCase<CaseOutcome>('extract', `baseline-${name}`, opts);
    rows.push({
      bench: 'extract',
      scenario: name === 'seed' ? `seed-article.html (${kb} KB)` : `generated page (${kb} KB, 300 paragraphs, 900 chrome links, 300 comments)`,
      ours: sideOf('extractArticle', o, 'pages/s'),
      baseline: sideOf("cheerio load + $('#ContentBody').text()", b, 'pages/s'),
    });
  }
  return rows;
}
