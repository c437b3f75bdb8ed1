/**
 * Article extraction: `extractArticle` (body detection, noise removal, sanitizing,
 * date, byline and attribution) against the least a scraper does — cheerio `load`
 * plus `$('#ContentBody').text()` — on the seed article page and a large generated one.
 * And sanitizing feed content: `sanitizeBody` on 1,000 generated feed item bodies against
 * sanitize-html alone with the options sanitizeBody gives it, the sides taking rounds in
 * turn in CPU time (lib/paired.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eastmoneyRss } from './lib/feed-gen.js';
import { runCase, type CaseFn } from './lib/fork.js';
import { timeLoop, type LoopPlan } from './lib/measure.js';
import type { BenchOptions } from './lib/options.js';
import { largeArticlePage } from './lib/page-gen.js';
import { pairedSide, roundsCase, runPaired, type RoundPlan } from './lib/paired.js';
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

const BODIES = 1000;

/**
 * The `content:encoded` bodies of a generated feed, 1,000 of them: plain paragraphs, a
 * byline and an `em_media` attribution, as feeds carry them; `marked` gives each a bold
 * phrase, a relative link, a `&nbsp;` and a `<br>`, so that it takes the parsing path.
 */
function feedBodies(marked: boolean): string[] {
  const { xml } = eastmoneyRss({ items: BODIES * 4 });
  const bodies = [...xml.matchAll(/<content:encoded><!\[CDATA\[([\s\S]*?)\]\]><\/content:encoded>/g)].map((m) => m[1] ?? '').slice(0, BODIES);
  if (!marked) return bodies;
  return bodies.map((b, i) => b.replace('，', `，<strong>要点</strong>&nbsp;<a href="/a/${i}.html">详情</a><br>`));
}

function bodyPlan(opts: BenchOptions): RoundPlan {
  return opts.quick ? { warmupOps: 2, rounds: 7, opsPerRound: 1 } : { warmupOps: 5, rounds: 21, opsPerRound: 2 };
}

function oursSanitize(marked: boolean): CaseFn {
  return roundsCase(async () => {
    const { sanitizeBody } = await import('../src/articles/sanitize.js');
    const bodies = feedBodies(marked);
    const all = (): string[] => bodies.map((b) => sanitizeBody(b, PAGE_URL));
    return { op: all, first: async () => `${all().join('').split('</p>').length - 1} <p> in ${bodies.length} bodies` };
  });
}

function baselineSanitize(marked: boolean): CaseFn {
  return roundsCase(async () => {
    const { default: sanitizeHtml } = await import('sanitize-html');
    const { SANITIZE_OPTIONS } = await import('../src/articles/sanitize-options.js');
    const bodies = feedBodies(marked);
    const all = (): string[] => bodies.map((b) => sanitizeHtml(b, SANITIZE_OPTIONS));
    return { op: all, first: async () => `${all().join('').split('</p>').length - 1} <p> in ${bodies.length} bodies` };
  });
}

/** The cases, each run in a process of its own. */
export const cases: Record<string, CaseFn> = {
  'ours-seed': ours('seed'),
  'baseline-seed': baseline('seed'),
  'ours-large': ours('large'),
  'baseline-large': baseline('large'),
  'ours-sanitize-plain': oursSanitize(false),
  'baseline-sanitize-plain': baselineSanitize(false),
  'ours-sanitize-marked': oursSanitize(true),
  'baseline-sanitize-marked': baselineSanitize(true),
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
  for (const kind of ['plain', 'marked'] as const) {
    const [o, b] = await runPaired('extract', [`ours-sanitize-${kind}`, `baseline-sanitize-${kind}`], opts, bodyPlan(opts));
    if (o === undefined || b === undefined) throw new Error('extract: a sanitize side gave no result');
    rows.push({
      bench: 'extract',
      scenario:
        kind === 'plain'
          ? `sanitize ${BODIES} generated feed bodies (content:encoded: paragraphs, byline, attribution)`
          : `the same ${BODIES} bodies, each with <strong>, a relative link, &nbsp; and <br>`,
      ours: pairedSide('sanitizeBody', o, '×1,000/CPU-s'),
      baseline: pairedSide('sanitize-html, sanitizeBody’s options', b, '×1,000/CPU-s'),
    });
  }
  return rows;
}
