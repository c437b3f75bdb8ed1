/**
 * Stories: how well reprints are grouped, and what it costs.
 *
 * Quality: pairwise precision and recall of story grouping on the labelled corpus
 * (tests/fixtures/stories) at the default threshold and around it, beside the same
 * grouping on text alone (no number check) and on a 64-bit SimHash — the measurements
 * the fingerprint was chosen by.
 *
 * Speed, side by side: normalize + fingerprint + LSH lookup of one article against a
 * store holding 10k fingerprints vs extracting the seed article page; and the lookup
 * alone with 10k and 100k stored fingerprints, LSH band index vs a brute-force scan of
 * every fingerprint in the window (both on the real SQLite store); and placing a page of
 * 500 new generated articles into an index of 10k, with one `assignMany` vs one `assign`
 * per article, on SQLite and on Redis.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { startCase, type CaseFn, type CaseIpc } from './lib/fork.js';
import { timeLoop, type LoopPlan } from './lib/measure.js';
import type { Store } from '../src/store/store.js';
import type { BenchOptions } from './lib/options.js';
import { outcomeOf, sideOf, type CaseOutcome, type Comparison } from './lib/report.js';
import { seededRandom } from './lib/rng.js';
import { headline, paragraph } from './lib/zh-text.js';

const SEED_PAGE = fileURLToPath(new URL('../tests/fixtures/articles/seed-article.html', import.meta.url));
const PAGE_URL = 'https://finance.eastmoney.com/a/202203302327572513.html';
/** Stored fingerprints are published within ±36 h of this; every lookup's window holds them all. */
const NOW_MS = Date.parse('2024-06-01T12:00:00+08:00');
const SIZES = [10_000, 100_000] as const;

// ---------------------------------------------------------------- quality

/** 64-bit SimHash over 3-character shingles, the alternative measured against MinHash. */
function simhash64(text: string): [number, number] {
  const counts = new Int32Array(64);
  for (let i = 0; i + 3 <= text.length || (i === 0 && text.length > 0); i++) {
    let h = 0x811c9dc5;
    for (let j = i; j < Math.min(text.length, i + 3); j++) h = Math.imul(h ^ text.charCodeAt(j), 0x01000193);
    const a = mix(h);
    const b = mix(h ^ 0x9e3779b9);
    for (let bit = 0; bit < 32; bit++) {
      counts[bit]! += (a >>> bit) & 1 ? 1 : -1;
      counts[32 + bit]! += (b >>> bit) & 1 ? 1 : -1;
    }
    if (text.length < 3) break;
  }
  let hi = 0;
  let lo = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (counts[bit]! > 0) hi |= 1 << bit;
    if (counts[32 + bit]! > 0) lo |= 1 << bit;
  }
  return [hi >>> 0, lo >>> 0];
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n >>> 0; v !== 0; v &= v - 1) c++;
  return c;
}

interface QualityRow {
  method: string;
  threshold: string;
  precision: number;
  recall: number;
  fp: number;
  fn: number;
}

async function qualityTable(): Promise<{ table: string; chosen: QualityRow }> {
  const { storyCorpus } = await import('../tests/fixtures/stories/corpus.js');
  const { groupCorpus, pairwiseQuality } = await import('../tests/fixtures/stories/evaluate.js');
  const { DEFAULT_STORY_RULES, fingerprintArticle, numbersAgree, textDistance } = await import('../src/stories/index.js');
  const { storyText } = await import('../src/stories/normalize.js');
  const corpus = storyCorpus();
  const prints = new Map(corpus.map((a) => [a.key, fingerprintArticle(a.title, a.contentHtml)]));
  const sims = new Map(corpus.map((a) => [a.key, simhash64(storyText(a.title, a.contentHtml))]));
  const ordered = [...corpus].sort((a, b) => Date.parse(a.publishedAt) - Date.parse(b.publishedAt) || (a.key < b.key ? -1 : 1));

  /** Single-link grouping in publication order over every earlier article (no index), nearest first. */
  const groupAll = (distance: (a: string, b: string) => number | null): Map<string, string> => {
    const story = new Map<string, string>();
    ordered.forEach((a, i) => {
      let best: { key: string; d: number } | undefined;
      for (const b of ordered.slice(0, i)) {
        const d = distance(a.key, b.key);
        if (d !== null && (best === undefined || d < best.d)) best = { key: b.key, d };
      }
      story.set(a.key, best === undefined ? a.key : (story.get(best.key) ?? best.key));
    });
    return story;
  };
  const row = (method: string, threshold: string, story: Map<string, string>): QualityRow => {
    const q = pairwiseQuality(corpus, story);
    return { method, threshold, precision: q.precision, recall: q.recall, fp: q.falsePairs, fn: q.missedPairs };
  };

  const rows: QualityRow[] = [];
  const d0 = DEFAULT_STORY_RULES.maxDistance;
  let chosen: QualityRow | undefined;
  for (const d of [d0 - 6, d0 - 4, d0 - 2, d0 - 1, d0, d0 + 1, d0 + 2, d0 + 4, d0 + 8, d0 + 14]) {
    const r = row('MinHash + numbers, LSH 16×4 (ours)', `${d}${d === d0 ? ' (default)' : ''}`, groupCorpus(corpus, prints, { ...DEFAULT_STORY_RULES, maxDistance: d }));
    if (d === d0) chosen = r;
    rows.push(r);
  }
  for (const d of [d0 - 2, d0, d0 + 2, d0 + 4]) {
    rows.push(row('ours, articles arriving newest first', String(d), groupCorpus(corpus, prints, { ...DEFAULT_STORY_RULES, maxDistance: d }, 'reverse')));
  }
  for (const d of [d0 - 2, d0, d0 + 2, d0 + 4, d0 + 8]) {
    rows.push(
      row('MinHash, text only (all pairs)', String(d), groupAll((a, b) => {
        const x = textDistance(prints.get(a) ?? '', prints.get(b) ?? '');
        return x <= d ? x : null;
      })),
    );
  }
  const simDistance = (a: string, b: string): number => {
    const x = sims.get(a) ?? [0, 0];
    const y = sims.get(b) ?? [0, 0];
    return popcount(x[0] ^ y[0]) + popcount(x[1] ^ y[1]);
  };
  for (const d of [3, 8, 12, 16]) {
    rows.push(
      row(`SimHash 64 + numbers (all pairs)${d === 3 ? '; 4×16 bands find only d ≤ 3' : ''}`, String(d), groupAll((a, b) => {
        const x = simDistance(a, b);
        return x <= d && numbersAgree(prints.get(a) ?? '', prints.get(b) ?? '') ? x : null;
      })),
    );
  }
  const table = new Table({ head: ['fingerprint / grouping', 'max distance', 'precision', 'recall', 'false pairs', 'missed pairs'], style: { head: [], border: [] } });
  for (const r of rows) table.push([r.method, r.threshold, r.precision.toFixed(3), r.recall.toFixed(3), r.fp, r.fn]);
  const groups = new Set(corpus.map((a) => a.group)).size;
  let pairs = 0;
  for (let i = 0; i < corpus.length; i++) for (let j = i + 1; j < corpus.length; j++) if (corpus[i]?.group === corpus[j]?.group) pairs++;
  const header = `story grouping on the labelled corpus: ${corpus.length} articles, ${groups} stories, ${pairs} same-story pairs (goal: precision ≥ 0.98, recall ≥ 0.90)`;
  if (chosen === undefined) throw new Error('default threshold not measured');
  return { table: `${header}\n${table.toString()}`, chosen };
}

// ---------------------------------------------------------------- speed

/** A store file holding `n` fingerprints of generated articles plus the corpus originals, all within the window. */
async function buildIndex(file: string, n: number): Promise<void> {
  const { openSqliteStore } = await import('../src/store/sqlite.js');
  const { SQLITE_STORY_SQL } = await import('../src/store/sqlite-stories.js');
  const { storyEntry } = await import('../src/stories/index.js');
  const { storyCorpus } = await import('../tests/fixtures/stories/corpus.js');
  const { default: Database } = await import('better-sqlite3');
  await openSqliteStore(file).close();
  const db = new Database(file);
  const put = db.prepare(SQLITE_STORY_SQL.putEntry);
  const band = db.prepare(SQLITE_STORY_SQL.putBand);
  const rand = seededRandom(20240601);
  const write = (key: string, title: string, body: string, publishedMs: number): void => {
    const e = storyEntry(key, title, body, publishedMs);
    put.run(e.key, e.fingerprint, JSON.stringify(e.bands), e.publishedMs, e.publishedMs, e.key);
    for (const b of e.bands) band.run(b, e.publishedMs, e.key);
  };
  db.transaction(() => {
    for (const a of storyCorpus().filter((c) => c.key.endsWith('#0'))) write(a.key, a.title, a.contentHtml, NOW_MS - 3600_000);
    for (let i = 0; i < n; i++) {
      const body = Array.from({ length: 4 }, () => `<p>${paragraph(rand, 2, 4)}</p>`).join('');
      write(`gen-${i}`, headline(rand), body, NOW_MS - 36 * 3600_000 + Math.floor(rand() * 72 * 3600_000));
    }
  })();
  db.close();
}

function plan(opts: BenchOptions): LoopPlan {
  return { warmupOps: opts.quick ? 20 : 100, minMs: opts.quick ? 400 : 2000, minOps: 20, maxOps: 200_000 };
}

function bruteForcePlan(opts: BenchOptions): LoopPlan {
  return { warmupOps: 2, minMs: opts.quick ? 400 : 2000, minOps: 5, maxOps: 10_000 };
}

/** The reprints looked up: every corpus article that is not an original. */
async function queries() {
  const { storyEntry } = await import('../src/stories/index.js');
  const { storyCorpus } = await import('../tests/fixtures/stories/corpus.js');
  return storyCorpus()
    .filter((a) => !a.key.endsWith('#0'))
    .map((a) => ({ group: a.group, entry: storyEntry(a.key, a.title, a.contentHtml, NOW_MS) }));
}

type Mode = 'lsh' | 'brute' | 'fingerprint+lsh';

function lookupCase(mode: Mode): CaseFn {
  return async (opts: BenchOptions, ipc: CaseIpc) => {
    const file = (await ipc.next()) as string;
    const { openSqliteStore } = await import('../src/store/sqlite.js');
    const { chooseStory, DEFAULT_STORY_RULES, storyEntry, storySpan } = await import('../src/stories/index.js');
    const { extractArticle } = await import('../src/articles/extract.js');
    const { default: Database } = await import('better-sqlite3');
    const rules = DEFAULT_STORY_RULES;
    const store = openSqliteStore(file);
    const qs = await queries();
    const seed = extractArticle(readFileSync(SEED_PAGE, 'utf8'), PAGE_URL, { fetch: true, remove: [] }, 'Asia/Shanghai');
    const db = new Database(file, { readonly: true });
    const scan = db.prepare<[number, number], { key: string; fingerprint: string; published_ms: number; story: string }>(
      'SELECT key, fingerprint, published_ms, story FROM story_entries WHERE published_ms BETWEEN ? AND ?',
    );
    let i = 0;
    let joined = 0;
    let looked = 0;
    const once = async (): Promise<void> => {
      const q = qs[i++ % qs.length]!;
      const entry = mode === 'fingerprint+lsh' ? storyEntry(q.entry.key, seed.title ?? '', seed.contentHtml, NOW_MS) : q.entry;
      const span = storySpan(entry.publishedMs, rules);
      const candidates =
        mode === 'brute'
          ? scan.all(span.sinceMs, span.untilMs).map((r) => ({ key: r.key, fingerprint: r.fingerprint, publishedMs: r.published_ms, storyId: r.story }))
          : await store.stories.candidates(entry.bands, span);
      looked++;
      if (chooseStory(entry, candidates, rules).storyId === `${q.group}#0`) joined++;
    };
    return outcomeOf(async () => {
      const loop = await timeLoop(once, mode === 'brute' ? bruteForcePlan(opts) : plan(opts));
      db.close();
      await store.close();
      const note = mode === 'fingerprint+lsh' ? 'seed article text' : `${joined}/${looked} reprints found their original`;
      return { loop, output: note };
    });
  };
}

function extractCase(): CaseFn {
  return async (opts) => {
    const { extractArticle } = await import('../src/articles/extract.js');
    const html = readFileSync(SEED_PAGE, 'utf8');
    const rules = { fetch: true, remove: [] };
    return outcomeOf(async () => {
      const loop = await timeLoop(() => extractArticle(html, PAGE_URL, rules, 'Asia/Shanghai'), plan(opts));
      return { loop, output: 'seed-article.html' };
    });
  };
}

/** Articles in a page: what a feed brings in one poll, and what ingest places at once. */
const PAGE = 500;

/** `PAGE` generated articles as the ingest brings them (bodies as bench/lib/news-site.ts writes them), published within the window of the index. */
async function pageEntries(rand: () => number, page: number) {
  const { storyEntry } = await import('../src/stories/index.js');
  return Array.from({ length: PAGE }, (_, i) => {
    const body = Array.from({ length: 4 + Math.floor(rand() * 7) }, () => `<p>\u3000\u3000${paragraph(rand, 2, 4)}</p>`).join('');
    return storyEntry(`page-${page}-${i}`, `${headline(rand)}（${i + 1}）`, body, NOW_MS - 36 * 3600_000 + Math.floor(rand() * 72 * 3600_000));
  });
}

type PageMode = 'assignMany' | 'assign';
type Backend = 'sqlite' | 'redis';

/**
 * Places pages of {@link PAGE} new generated articles into an index already holding
 * 10,000 of them: with one `assignMany` per page, or one `assign` per article (the
 * article-job path). A fixed number of pages per side, so both end on a store of the
 * same size.
 */
function pageCase(mode: PageMode, backend: Backend): CaseFn {
  return async (opts: BenchOptions, ipc: CaseIpc) => {
    const file = (await ipc.next()) as string;
    const { chooseStory, DEFAULT_STORY_RULES, storySpan } = await import('../src/stories/index.js');
    const rules = DEFAULT_STORY_RULES;
    let store: Store;
    let done: () => Promise<void>;
    if (backend === 'sqlite') {
      const { openSqliteStore } = await import('../src/store/sqlite.js');
      const copy = `${file}.${mode}.db`;
      copyFileSync(file, copy);
      store = openSqliteStore(copy);
      done = () => store.close();
    } else {
      const { Redis } = await import('ioredis');
      const { createRedisStore } = await import('../src/store/redis.js');
      const { deleteRedisPrefix, REDIS_URL } = await import('./lib/finews-process.js');
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const prefix = `finews-bench:stories-${process.pid}-${Date.now()}:`;
      store = createRedisStore({ redis, prefix });
      const seed = seededRandom(20240601);
      for (let p = 0; p < 20; p++) {
        const entries = await pageEntries(seed, -1 - p);
        await store.stories.assignMany(entries.map((entry) => ({ entry, span: storySpan(entry.publishedMs, rules) })), (c, a) => chooseStory(a.entry, c, rules).storyId);
      }
      done = async () => {
        await deleteRedisPrefix(prefix);
        redis.disconnect();
      };
    }
    const rand = seededRandom(7);
    const pages = await Promise.all(Array.from({ length: (opts.quick ? 3 : 10) + 1 }, (_, p) => pageEntries(rand, p)));
    let next = 0;
    let joined = 0;
    const once = async (): Promise<void> => {
      const entries = pages[next++ % pages.length] ?? [];
      if (mode === 'assignMany') {
        const placed = await store.stories.assignMany(entries.map((entry) => ({ entry, span: storySpan(entry.publishedMs, rules) })), (c, a) => chooseStory(a.entry, c, rules).storyId);
        placed.forEach((p, i) => (joined += p.storyId === entries[i]?.key ? 0 : 1));
      } else {
        for (const entry of entries) {
          const id = await store.stories.assign(entry, storySpan(entry.publishedMs, rules), (c) => chooseStory(entry, c, rules).storyId);
          if (id !== entry.key) joined++;
        }
      }
    };
    return outcomeOf(async () => {
      const loop = await timeLoop(once, { warmupOps: 1, minMs: 0, minOps: pages.length - 1, maxOps: pages.length - 1 });
      await done();
      return { loop, output: `${Math.round(loop.opsPerSec * PAGE).toLocaleString('en-US')} articles/s; ${joined} joined a story` };
    });
  };
}

/** The cases, each run in a process of its own. */
export const cases: Record<string, CaseFn> = {
  'fingerprint+lsh': lookupCase('fingerprint+lsh'),
  extract: extractCase(),
  lsh: lookupCase('lsh'),
  brute: lookupCase('brute'),
  'page-many-sqlite': pageCase('assignMany', 'sqlite'),
  'page-one-sqlite': pageCase('assign', 'sqlite'),
  'page-many-redis': pageCase('assignMany', 'redis'),
  'page-one-redis': pageCase('assign', 'redis'),
};

async function withFile(name: string, file: string, opts: BenchOptions): Promise<CaseOutcome> {
  const proc = startCase('stories', name, opts);
  proc.send(file);
  return proc.result<CaseOutcome>();
}

/** Runs the stories benchmark: prints the quality table, returns the speed comparisons. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const { table, chosen } = await qualityTable();
  console.log(table);
  console.log(
    `default threshold ${chosen.threshold}: precision ${chosen.precision.toFixed(3)}, recall ${chosen.recall.toFixed(3)} — ${chosen.precision >= 0.98 && chosen.recall >= 0.9 ? 'meets' : 'MISSES'} the goal`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'finews-bench-stories-'));
  const rows: Comparison[] = [];
  try {
    for (const n of SIZES) {
      const file = join(dir, `stories-${n}.db`);
      await buildIndex(file, n);
      if (n === SIZES[0]) {
        const o = await withFile('fingerprint+lsh', file, opts);
        const b = await withFile('extract', file, opts);
        rows.push({
          bench: 'stories',
          scenario: `per article: normalize + fingerprint + LSH lookup (${n.toLocaleString('en-US')} stored) vs extracting the seed page`,
          ours: sideOf('storyEntry + candidates + chooseStory', o, 'articles/s'),
          baseline: sideOf('extractArticle (seed-article.html)', b, 'pages/s'),
        });
      }
      if (n === SIZES[0]) {
        for (const backend of ['sqlite', 'redis'] as const) {
          const o = await withFile(`page-many-${backend}`, file, opts);
          const b = await withFile(`page-one-${backend}`, file, opts);
          rows.push({
            bench: 'stories',
            scenario: `placing a page of ${PAGE} new generated articles, ${n.toLocaleString('en-US')} already indexed (${backend === 'sqlite' ? 'SQLite' : 'Redis'})`,
            ours: sideOf('assignMany: the page at once', o, 'pages/s', 'ms/page'),
            baseline: sideOf(`assign: one article after another`, b, 'pages/s', 'ms/page'),
          });
        }
      }
      const o = await withFile('lsh', file, opts);
      const b = await withFile('brute', file, opts);
      rows.push({
        bench: 'stories',
        scenario: `story lookup, ${n.toLocaleString('en-US')} fingerprints in the window (SQLite)`,
        ours: sideOf('LSH bands: candidates + chooseStory', o, 'lookups/s'),
        baseline: sideOf('scan every fingerprint in the window', b, 'lookups/s'),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
