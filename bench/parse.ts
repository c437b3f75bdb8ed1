/**
 * Feed parsing: our `parseFeed` (repair, per-item fallback, normalization) against
 * rss-parser's `parseString` alone (which parseFeed runs inside) and against feedsmith's
 * `parseRssFeed` (the fastest strict RSS parser we know of for Node), on a generated
 * 1,000-item Eastmoney-style RSS 2.0 feed, clean and dirty. On the dirty one rss-parser
 * throws: that is the point.
 */
import { eastmoneyRss, type GeneratedFeed } from './lib/feed-gen.js';
import { runCase, type CaseFn } from './lib/fork.js';
import { timeLoop, type LoopPlan } from './lib/measure.js';
import type { BenchOptions } from './lib/options.js';
import { outcomeOf, sideOf, type CaseOutcome, type Comparison } from './lib/report.js';

const ITEMS = 1000;
const FEED_URL = 'https://rss.example.com/eastmoney/ccjdd.xml';

function plan(opts: BenchOptions): LoopPlan {
  return opts.quick ? { warmupOps: 1, minMs: 500, minOps: 2, maxOps: 200 } : { warmupOps: 5, minMs: 3000, minOps: 10, maxOps: 1000 };
}

function feed(dirty: boolean): GeneratedFeed {
  return eastmoneyRss({ items: ITEMS, dirty });
}

function ours(dirty: boolean): CaseFn {
  return async (opts) => {
    const { parseFeed } = await import('../src/sources/parse-feed.js');
    const { xml, readableItems } = feed(dirty);
    const ctx = { feedUrl: FEED_URL, timezone: 'Asia/Shanghai' };
    return outcomeOf(async () => {
      const first = await parseFeed(xml, ctx);
      if (first.items.length !== readableItems) throw new Error(`read ${first.items.length} items, expected ${readableItems}`);
      const loop = await timeLoop(() => parseFeed(xml, ctx), plan(opts));
      return { loop, output: `${first.items.length} items, ${first.warnings.length} warning(s)` };
    });
  };
}

function baseline(dirty: boolean): CaseFn {
  return async (opts) => {
    const { default: Parser } = await import('rss-parser');
    const parser = new Parser();
    const { xml } = feed(dirty);
    return outcomeOf(async () => {
      const first = await parser.parseString(xml);
      const loop = await timeLoop(() => parser.parseString(xml), plan(opts));
      return { loop, output: `${first.items.length} items` };
    });
  };
}

const feedsmith: CaseFn = async (opts) => {
  const { parseRssFeed } = await import('feedsmith');
  const { xml } = feed(false);
  return outcomeOf(async () => {
    const first = parseRssFeed(xml);
    const loop = await timeLoop(() => parseRssFeed(xml), plan(opts));
    return { loop, output: `${first.items?.length ?? 0} items` };
  });
};

/** The cases, each run in a process of its own. */
export const cases: Record<string, CaseFn> = {
  'ours-clean': ours(false),
  'baseline-clean': baseline(false),
  'feedsmith-clean': feedsmith,
  'ours-dirty': ours(true),
  'baseline-dirty': baseline(true),
};

/** Runs the parse benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const rows: Comparison[] = [];
  for (const dirty of [false, true]) {
    const kind = dirty ? 'dirty' : 'clean';
    const { xml } = feed(dirty);
    const kb = Math.round(Buffer.byteLength(xml) / 1024);
    const o = await runCase<CaseOutcome>('parse', `ours-${kind}`, opts);
    const b = await runCase<CaseOutcome>('parse', `baseline-${kind}`, opts);
    rows.push({
      bench: 'parse',
      scenario: dirty
        ? `dirty ${ITEMS}-item RSS 2.0 (${kb} KB): bare &, &nbsp;, 1 broken item`
        : `clean ${ITEMS}-item Eastmoney-style RSS 2.0 (${kb} KB)`,
      ours: sideOf('parseFeed', o, 'feeds/s'),
      baseline: sideOf('rss-parser parseString', b, 'feeds/s'),
    });
    if (!dirty) {
      const f = await runCase<CaseOutcome>('parse', 'feedsmith-clean', opts);
      rows.push({ bench: 'parse', scenario: `clean ${ITEMS}-item feed, as above`, ours: sideOf('parseFeed', o, 'feeds/s'), baseline: sideOf('feedsmith parseRssFeed', f, 'feeds/s') });
    }
  }
  return rows;
}
