import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Item } from '../../src/domain.js';
import type { ArticleJob, FetchRequest, FetchResult, Jobs, PipelineDeps } from '../../src/pipeline/ports.js';
import { InProcessJobs, pipelineProcessors } from '../../src/runtime/in-process-jobs.js';
import type { Store } from '../../src/store/store.js';
import { testConfig, testSource } from '../support/config.js';
import { FakeFetcher, ok, tempSqliteStore, useCaseDeps } from '../support/fakes.js';
import { articlePage } from '../support/fixture-site.js';

/**
 * "Article concurrency N" in embedded mode: at most N article pages in flight in the
 * process, with more jobs than that held, so that while one job saves what it fetched the
 * next one is already fetching.
 */

const N = 2;
const JOBS = 7;
const source = testSource('cinn-industry', { categories: ['industry'] });
const config = testConfig([source]);

let store: Store;
let cleanup: () => Promise<void>;
beforeEach(() => ({ store, cleanup } = tempSqliteStore()));
afterEach(() => cleanup());

function pageUrl(i: number): string {
  return `https://finance.eastmoney.com/a/20220330232757${String(2500 + i)}.html`;
}

function job(i: number): ArticleJob {
  const code = `NW20220330232757${String(2500 + i)}`;
  return {
    key: code,
    infoCode: code,
    sourceId: source.id,
    categories: ['industry'],
    feedTitle: '工业频道',
    item: { guid: pageUrl(i), link: pageUrl(i), title: `专精特新企业第${i}篇`, summary: '摘要', categories: [], publishedAt: '2022-03-30T09:34:12+08:00' },
  };
}

/** A point the test opens: everything waiting on it goes on once `open()` is called, and from then on at once. */
class Hold {
  private waiters: (() => void)[] = [];
  private opened = false;
  waiting = 0;
  async wait(): Promise<void> {
    if (this.opened) return;
    this.waiting++;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.waiting--;
  }
  /** Lets the first waiter go on. */
  one(): void {
    this.waiters.shift()?.();
  }
  open(): void {
    this.opened = true;
    for (const go of this.waiters.splice(0)) go();
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (check()) return;
    await nextTurn();
  }
  throw new Error(`never: ${what}`);
}

it('fetches at most N article pages at once, while more jobs are held and one saves as the next fetches', async () => {
  const pages = new Hold();
  const saves = new Hold();
  let fetching = 0;
  let maxFetching = 0;
  const heldPage = (i: number) => async (req: FetchRequest): Promise<FetchResult> => {
    maxFetching = Math.max(maxFetching, ++fetching);
    try {
      await pages.wait();
      return ok(articlePage({ code: String(i), title: `专精特新企业第${i}篇`, publisher: '中国工业报', pageDate: '2022年03月30日 09:34', pubDate: '', paragraphs: [`重庆出台系列政策，第${i}篇。`] }), { contentType: 'text/html' })(req);
    } finally {
      fetching--;
    }
  };
  const fetcher = new FakeFetcher(Object.fromEntries(Array.from({ length: JOBS }, (_, i) => [pageUrl(i), heldPage(i)])));
  // The real store, with its saves held at a point the test opens.
  const holdingStore = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'saveItems') {
        return async (items: readonly Item[]) => {
          await saves.wait();
          return target.saveItems(items);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const depsFor = (jobs: Jobs): PipelineDeps => useCaseDeps({ config, store: holdingStore, fetcher, jobs });
  const base = pipelineProcessors(depsFor);
  let running = 0;
  let maxRunning = 0;
  const jobs = new InProcessJobs(
    {
      ...base,
      article: async (j, run) => {
        maxRunning = Math.max(maxRunning, ++running);
        try {
          return await base.article(j, run);
        } finally {
          running--;
        }
      },
    },
    { articleConcurrency: N, publishDebounceMs: 1 },
  );
  try {
    await jobs.enqueueArticles(Array.from({ length: JOBS }, (_, i) => job(i)));
    await until(() => fetching === N && running > N, 'N pages in flight and more jobs held');
    // The jobs past N wait for a page fetch; none has gone out beyond N.
    expect(jobs.articleGate.waiting).toBe(running - N);

    // Two pages answer: their jobs go on to save (held), and two more jobs fetch meanwhile.
    pages.one();
    await until(() => saves.waiting === 1 && fetching === N, 'one job saving while N fetch');
    pages.one();
    await until(() => saves.waiting === 2 && fetching === N, 'two jobs saving while N fetch');
    expect(running).toBe(2 * N);

    pages.open();
    saves.open();
    await jobs.onIdle();
    expect(maxFetching).toBe(N);
    expect(maxRunning).toBe(2 * N);
    const { items } = await store.listItems({ limit: JOBS + 1 });
    expect(items).toHaveLength(JOBS);
    expect(items.every((item) => item.contentHtml.includes('重庆出台系列政策'))).toBe(true);
  } finally {
    await jobs.close();
  }
});
