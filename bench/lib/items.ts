/**
 * Stored items for the serving benchmark: a store of Eastmoney-style items from eight
 * publishers, as the pipeline would have saved them.
 */
import type { Config, Item } from '../../src/domain.js';
import { intBetween, pick, seededRandom } from './rng.js';
import { AUTHORS, PUBLISHERS, PUBLISHER_SLUGS, headline, newsCodeAt, paragraph } from './zh-text.js';
import { testConfig } from '../../tests/support/config.js';

const NEWEST_MS = Date.parse('2022-03-30T18:00:00+08:00');

function isoShanghai(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

/** `count` items, newest first, deterministic. */
export function generateItems(count: number, seed = 20220401): Item[] {
  const rand = seededRandom(seed);
  const items: Item[] = [];
  let ms = NEWEST_MS;
  for (let i = 0; i < count; i++) {
    ms -= intBetween(rand, 30, 900) * 1000;
    const code = `NW${newsCodeAt(ms, i)}`;
    const publisher = pick(rand, PUBLISHERS);
    const author = pick(rand, AUTHORS);
    const paras: string[] = [];
    const n = intBetween(rand, 4, 10);
    for (let p = 0; p < n; p++) paras.push(`<p>${paragraph(rand, 1, 3)}</p>`);
    paras.push(`<p>(${author})</p>`, `<p class="em_media">（文章来源：${publisher}）</p>`);
    const categories = [PUBLISHER_SLUGS[publisher]];
    if (publisher === '中国工业报' || rand() < 0.2) categories.push('industry');
    items.push({
      key: code,
      infoCode: code,
      title: headline(rand),
      url: `https://finance.eastmoney.com/a/${code.slice(2)}.html`,
      publishedAt: isoShanghai(ms),
      publisher,
      author,
      categories,
      tags: [`${publisher}新闻`],
      summary: paragraph(rand, 1, 1).slice(0, 140),
      contentHtml: paras.join(''),
      sources: [i % 3 === 0 ? 'cinn-industry' : 'eastmoney-ccjdd'],
      storedAt: isoShanghai(ms + 120_000),
    });
  }
  return items;
}

/** A site config like the one in INTERFACE §2 (no sources: nothing is fetched). */
export function benchConfig(): Config {
  return testConfig([], { publishers: { 中国工业报: { slug: 'zhongguogongyebao' } }, categories: { industry: { title: '工业' } } });
}
