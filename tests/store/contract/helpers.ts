import type { Item } from '../../../src/domain.js';
import type { PendingWork, Store } from '../../../src/store/store.js';

/** What a backend's test file hands the contract suite for each test. */
export interface StoreFixture {
  store: Store;
  /**
   * Opens another Store on the same data: a second connection to the same SQLite
   * file, or a new adapter object on the same Redis prefix. Closed by cleanup.
   */
  openAnother(): Promise<Store>;
  /** Closes every store opened and removes the test's data. */
  cleanup(): Promise<void>;
}

/** Options a contract test may ask of the adapter under test. */
export interface FixtureOptions {
  /** The store's clock. */
  now?: () => Date;
}

/** Builds a fresh, empty store (and its data) per test. */
export type MakeFixture = (opts?: FixtureOptions) => Promise<StoreFixture>;

/** The fixture of the running test, set by the suite before each test. */
export interface ContractContext {
  readonly fx: StoreFixture;
  readonly store: Store;
  readonly make: MakeFixture;
}

export const BASE_MS = Date.parse('2022-03-30T01:34:12Z');

/** The article work a refresh records on a claim: a feed item of 中国工业报 as parsed. */
export function workFor(key: string, sourceId = 'cinn-industry'): PendingWork {
  return {
    infoCode: key,
    sourceId,
    categories: ['industry'],
    feedTitle: '中国工业报 - 工业经济',
    item: {
      guid: key,
      link: `https://finance.eastmoney.com/a/${key.replace(/^NW/, '')}.html`,
      title: `工信部：一季度规模以上工业增加值同比增长6.5%（${key}）`,
      summary: '3月30日，工业和信息化部召开新闻发布会。',
      contentHtml: '<p>3月30日，工业和信息化部召开新闻发布会。</p>',
      categories: ['工业经济'],
      publishedAt: '2022-03-30T09:34:12+08:00',
    },
  };
}

export const later = (ms: number): Date => new Date(Date.now() + ms);

/** All pages of a listing, following `next` to the end. */
export async function allPages(store: Store, limit: number, category?: string): Promise<Item[]> {
  const out: Item[] = [];
  let before: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await store.listItems({ limit, before, ...(category === undefined ? {} : { category }) });
    out.push(...page.items);
    if (page.next === null) return out;
    before = page.next;
  }
  throw new Error('listing never ended');
}

export function keysOf(items: Item[]): string[] {
  return items.map((i) => i.key);
}
