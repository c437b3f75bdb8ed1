import type { Item } from '../../src/domain.js';

/** Eight publishers and their category slugs. */
export const SCALE_PUBLISHERS = [
  ['中国工业报', 'zhongguogongyebao'],
  ['证券时报', 'zhengquanshibao'],
  ['经济参考报', 'jingjicankaobao'],
  ['上海证券报', 'shanghaizhengquanbao'],
  ['中国证券报', 'zhongguozhengquanbao'],
  ['第一财经', 'diyicaijing'],
  ['新华社', 'xinhuashe'],
  ['人民日报', 'renminribao'],
] as const;

const NEWEST_MS = Date.parse('2026-11-30T18:00:00+08:00');

/**
 * `count` small items, newest first, deterministic: a publisher's category first, then
 * `industry` for every third and `gold` (a title category) for every seventh; every
 * eleventh has `industry` as its own first category. Every fifth shares its
 * publishedAt with the one before it, so equal dates are broken by key.
 */
export function* scaleItems(count: number, offset = 0): Generator<Item> {
  for (let n = offset; n < offset + count; n++) {
    const ms = NEWEST_MS - (n - Math.floor(n / 5)) * 7_000;
    const [publisher, slug] = SCALE_PUBLISHERS[n % SCALE_PUBLISHERS.length] ?? SCALE_PUBLISHERS[0];
    const categories: string[] = n % 11 === 0 ? ['industry', slug] : [slug];
    if (n % 3 === 0 && !categories.includes('industry')) categories.push('industry');
    if (n % 7 === 0) categories.push('gold');
    const at = new Date(ms).toISOString();
    yield {
      key: `NW${String(9_000_000_000 - n).padStart(12, '0')}`,
      infoCode: null,
      title: `一季度规模以上工业增加值同比增长 ${n}`,
      url: `https://finance.eastmoney.com/a/${n}.html`,
      publishedAt: at,
      publisher,
      author: '',
      categories,
      tags: [],
      summary: '',
      contentHtml: '<p>3月30日，工业和信息化部召开新闻发布会。</p>',
      sources: ['eastmoney-ccjdd'],
      storedAt: at,
    };
  }
}
