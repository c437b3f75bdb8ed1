/**
 * Feed parsing: our `parseFeed` (repair, per-item fallback, normalization) against
 * rss-parser's `parseString` alone (which parseFeed runs inside) and against feedsmith's
 * `parseRssFeed` (the fastest strict RSS parser we know of for Node), on a generated
 * 1,000-item Eastmoney-style RSS 2.0 feed, clean and dirty. On the dirty one rss-parser
 * throws: that is the point.
 *
 * The sides run in processes of their own, side by side, taking short rounds in turn and
 * timed in CPU time (lib/paired.ts): on a shared machine a wall-clock loop run after the
 * other's measures the machine's load as much as the parser.
 */
import { eastmoneyRss, type GeneratedFeed } from './lib/feed-gen.js';
import type { CaseFn } from './lib/fork.js';
import type { BenchOptions } from './lib/options.js';
import { pairedSide, roundsCase, runPaired, type RoundPlan } from './lib/paired.js';
import type { Comparison } from './lib/report.js';

const ITEMS = 1000;
const FEED_URL = 'https://rss.example.com/eastmoney/ccjdd.xml';

function plan(opts: BenchOptions): RoundPlan {
  return opts.quick ? { warmupOps: 3, rounds: 7, opsPerRound: 2 } : { warmupOps: 10, rounds: 21, opsPerRound: 4 };
}

function feed(dirty: boolean): GeneratedFeed {
  return eastmoneyRss({ items: ITEMS, dirty });
}

function ours(dirty: boolean): CaseFn {
  return roundsCase(async () => {
    const { parseFeed } = await import('../src/sources/parse-feed.js');
    const { xml, readableItems } = feed(dirty);
    const ctx = { feedUrl: FEED_URL, timezone: 'Asia/Shanghai' };
    return {
      op: () => parseFeed(xml, ctx),
      first: async () => {
        const first = await parseFeed(xml, ctx);
        if (first.items.length !== readableItems) throw new Error(`read ${first.items.length} items, expected ${readableItems}`);
        return `${first.items.length} items, ${first.warnings.length} warning(s)`;
      },
    };
  });
}

function baseline(dirty: boolean): CaseFn {
  return roundsCase(async () => {
    const { default: Parser } = await import('rss-parser');
    const parser = new Parser();
    const { xml } = feed(dirty);
    return {
      op: () => parser.parseString(xml),
      first: async () => `${(await parser.parseString(xml)).items.length} items`,
    };
  });
}

const feedsmith: CaseFn = roundsCase(async () => {
  const { parseRssFeed } = await import('feedsmith');
  const { xml } = feed(false);
  return {
    op: () => parseRssFeed(xml),
    first: async () => `${parseRssFeed(xml).items?.length ?? 0} items`,
  };
});

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
  const unit = 'feeds/CPU-s';
  for (const dirty of [false, true]) {
    const kind = dirty ? 'dirty' : 'clean';
    const { xml } = feed(dirty);
    const kb = Math.round(Buffer.byteLength(xml) / 1024);
    const names = dirty ? [`ours-${kind}`, `baseline-${kind}`] : [`ours-${kind}`, `baseline-${kind}`, 'feedsmith-clean'];
    const [o, b, f] = await runPaired('parse', names, opts, plan(opts));
    if (o === undefined || b === undefined) throw new Error('parse: a side gave no result');
    rows.push({
      bench: 'parse',
      scenario: dirty
        ? `dirty ${ITEMS}-item RSS 2.0 (${kb} KB): bare &, &nbsp;, 1 broken item`
        : `clean ${ITEMS}-item Eastmoney-style RSS 2.0 (${kb} KB)`,
      ours: pairedSide('parseFeed', o, unit),
      baseline: pairedSide('rss-parser parseString', b, unit),
    });
    if (f !== undefined) {
      rows.push({ bench: 'parse', scenario: `clean ${ITEMS}-item feed, as above`, ours: pairedSide('parseFeed', o, unit), baseline: pairedSide('feedsmith parseRssFeed', f, unit) });
    }
  }
  return rows;
}
