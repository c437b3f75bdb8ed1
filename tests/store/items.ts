import type { Item } from '../../src/domain.js';

/** Eastmoney-style news key for a sequence number, e.g. NW202203302327570001. */
export function newsKey(n: number): string {
  return `NW2022033023275${String(n).padStart(5, '0')}`;
}

/** A stored-item fixture that looks like a republished 中国工业报 article. */
export function makeItem(key: string, overrides: Partial<Item> = {}): Item {
  return {
    key,
    infoCode: key.startsWith('NW') ? key : null,
    title: `工信部：一季度规模以上工业增加值同比增长6.5%（${key}）`,
    url: `https://finance.eastmoney.com/a/${key.replace(/^NW/, '')}.html`,
    publishedAt: '2022-03-30T09:34:12+08:00',
    publisher: '中国工业报',
    author: '刘英',
    categories: ['zhongguogongyebao'],
    tags: ['中国工业报新闻'],
    summary: '3月30日，工业和信息化部召开新闻发布会，介绍一季度工业通信业发展情况。',
    contentHtml:
      '<p>3月30日，工业和信息化部召开新闻发布会。</p><p class="em_media">（文章来源：中国工业报）</p>',
    sources: ['cinn-industry'],
    storedAt: '2022-03-30T09:40:00+08:00',
    ...overrides,
  };
}

/** ISO 8601 in +08:00 for an epoch ms, with milliseconds when it has any. */
export function isoShanghai(ms: number): string {
  const shifted = new Date(ms + 8 * 3600_000).toISOString();
  const withMillis = ms % 1000 !== 0;
  return `${withMillis ? shifted.slice(0, 23) : shifted.slice(0, 19)}+08:00`;
}

/** Newest-first order of the store: publishedAt ms desc, then key bytes desc. */
export function newestFirst(a: { ms: number; key: string }, b: { ms: number; key: string }): number {
  if (a.ms !== b.ms) return b.ms - a.ms;
  return Buffer.compare(Buffer.from(b.key), Buffer.from(a.key));
}
