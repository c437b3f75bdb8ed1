/**
 * Source readers: the json reader (src/sources/readers/json-reader.ts) on a 1,000-record
 * getNewsByColumns answer against `JSON.parse` + a hand-written map of the same fields —
 * the floor — and the html reader on a 1,000-record list page against cheerio `load` + the
 * same selectors.
 */
import { runCase, type CaseFn } from './lib/fork.js';
import { timeLoop, type LoopPlan } from './lib/measure.js';
import type { BenchOptions } from './lib/options.js';
import { newsByColumnsJson, newsListHtml } from './lib/record-gen.js';
import { outcomeOf, sideOf, type CaseOutcome, type Comparison } from './lib/report.js';
import type { SourceConfig } from '../src/domain.js';

const RECORDS = 1000;
const JSON_URL = 'https://np-listapi.eastmoney.com/comm/web/getNewsByColumns?client=web&column=345&page_index=1&page_size=1000';
const HTML_URL = 'http://www.cinn.cn/gyjj/index.html';

function plan(opts: BenchOptions): LoopPlan {
  return opts.quick ? { warmupOps: 2, minMs: 500, minOps: 3, maxOps: 300 } : { warmupOps: 5, minMs: 3000, minOps: 10, maxOps: 2000 };
}

function source(kind: 'json' | 'html'): SourceConfig {
  return {
    id: `bench-${kind}`,
    kind,
    url: kind === 'json' ? JSON_URL : HTML_URL,
    headers: {},
    pages: 1,
    mapping:
      kind === 'json'
        ? {
            items: 'data.list',
            fields: { infoCode: 'code', title: 'title', link: 'uniqueUrl', summary: 'summary', publishedAt: ['showTime', 'showtime'], publisher: 'mediaName' },
          }
        : { items: 'ul.news-list > li', fields: { link: 'a@href', title: 'a', publishedAt: 'span.time', summary: 'p.intro' } },
    maxItems: RECORDS,
    everyMs: 600_000,
    timeoutMs: 20_000,
    maxBytes: 10 * 1024 * 1024,
    userAgent: 'finews-bench',
    allowPrivateNetworks: false,
    categories: [],
    enabled: true,
    article: { fetch: false, remove: [] },
    infoCode: { param: 'infoCode' },
  };
}

function ours(kind: 'json' | 'html'): CaseFn {
  return async (opts) => {
    const { readerFor } = await import('../src/sources/reader.js');
    const body = Buffer.from(kind === 'json' ? newsByColumnsJson(RECORDS) : newsListHtml(RECORDS));
    const ctx = { source: source(kind), url: kind === 'json' ? JSON_URL : HTML_URL, contentType: kind === 'json' ? 'application/json' : 'text/html', timezone: 'Asia/Shanghai' };
    const reader = readerFor(kind);
    return outcomeOf(async () => {
      const first = await reader.read(body, ctx);
      if (first.items.length !== RECORDS) throw new Error(`read ${first.items.length} items, expected ${RECORDS}: ${first.warnings[0] ?? ''}`);
      const loop = await timeLoop(() => reader.read(body, ctx), plan(opts));
      return { loop, output: `${first.items.length} items, ${first.warnings.length} warning(s)` };
    });
  };
}

interface Mapped {
  infoCode: string;
  title: string;
  link: string;
  summary: string;
  publishedAt: string;
  publisher?: string;
}

/** The floor: JSON.parse and a map that knows the shape, with no checks, cleaning or dates. */
function jsonFloor(): CaseFn {
  return async (opts) => {
    const body = Buffer.from(newsByColumnsJson(RECORDS));
    const map = (): Mapped[] => {
      const doc = JSON.parse(body.toString('utf8')) as { data: { list: Record<string, string>[] } };
      return doc.data.list.map((r) => ({
        infoCode: r.code ?? '',
        title: r.title ?? '',
        link: r.uniqueUrl ?? '',
        summary: r.summary ?? '',
        publishedAt: r.showTime ?? '',
        publisher: r.mediaName ?? '',
      }));
    };
    return outcomeOf(async () => {
      const first = map();
      const loop = await timeLoop(map, plan(opts));
      return { loop, output: `${first.length} records` };
    });
  };
}

/** The floor: cheerio load and the same selectors, text and attribute only. */
function htmlFloor(): CaseFn {
  return async (opts) => {
    const cheerio = await import('cheerio');
    const body = Buffer.from(newsListHtml(RECORDS));
    const map = (): Mapped[] => {
      const $ = cheerio.load(body.toString('utf8'));
      return $('ul.news-list > li')
        .toArray()
        .map((el) => {
          const li = $(el);
          return {
            infoCode: '',
            title: li.find('a').first().text(),
            link: li.find('a').first().attr('href') ?? '',
            summary: li.find('p.intro').first().text(),
            publishedAt: li.find('span.time').first().text(),
          };
        });
    };
    return outcomeOf(async () => {
      const first = map();
      const loop = await timeLoop(map, plan(opts));
      return { loop, output: `${first.length} records` };
    });
  };
}

/** The cases, each run in a process of its own. */
export const cases: Record<string, CaseFn> = {
  'json-ours': ours('json'),
  'json-floor': jsonFloor(),
  'html-ours': ours('html'),
  'html-floor': htmlFloor(),
};

/** Runs the readers benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const jsonKb = Math.round(Buffer.byteLength(newsByColumnsJson(RECORDS)) / 1024);
  const htmlKb = Math.round(Buffer.byteLength(newsListHtml(RECORDS)) / 1024);
  const jo = await runCase<CaseOutcome>('readers', 'json-ours', opts);
  const jb = await runCase<CaseOutcome>('readers', 'json-floor', opts);
  const ho = await runCase<CaseOutcome>('readers', 'html-ours', opts);
  const hb = await runCase<CaseOutcome>('readers', 'html-floor', opts);
  return [
    {
      bench: 'readers',
      scenario: `getNewsByColumns JSON, ${RECORDS} records (${jsonKb} KB)`,
      ours: sideOf('json reader', jo, 'lists/s'),
      baseline: sideOf('JSON.parse + hand map', jb, 'lists/s'),
    },
    {
      bench: 'readers',
      scenario: `HTML list page, ${RECORDS} records (${htmlKb} KB)`,
      ours: sideOf('html reader', ho, 'pages/s'),
      baseline: sideOf('cheerio load + selectors', hb, 'pages/s'),
    },
  ];
}
