import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { atomFeed, rssFeed, type FixtureArticle, type FixtureSite } from './fixture-site.js';
import { REPO_ROOT, type TestSource } from './harness.js';

export const SEED_CODE = '202203302327572513';

const seedPage = path.join(REPO_ROOT, 'tests/fixtures/articles/seed-article.html');

/** The seed post's article, served from the rebuilt Eastmoney page fixture. */
export const seedArticle: FixtureArticle = {
  code: SEED_CODE,
  title: '政策引导 重庆推进专精特新企业持续创新',
  publisher: '中国工业报',
  pageDate: '2022年03月30日 09:34',
  pubDate: 'Wed, 30 Mar 2022 01:34:12 GMT',
  paragraphs: ['为培育壮大一批专注细分市场、创新能力强、质量效益高、产业支撑作用大的“专精特新”中小企业……'],
  author: '刘英',
  html: existsSync(seedPage) ? readFileSync(seedPage, 'utf8') : undefined,
};

export const bankArticle: FixtureArticle = {
  code: '202203302327570001',
  title: '央行开展1500亿元逆回购操作 维护季末流动性合理充裕',
  publisher: '证券时报网',
  pageDate: '2022年03月30日 10:12',
  pubDate: 'Wed, 30 Mar 2022 02:12:00 GMT',
  paragraphs: ['中国人民银行30日以利率招标方式开展了1500亿元7天期逆回购操作，中标利率2.1%。', '业内人士表示，季末因素扰动下，央行加大公开市场投放力度，有助于平抑资金面波动。'],
  author: '张欣然',
};

export const cqArticle: FixtureArticle = {
  code: '202203302327570002',
  title: '重庆一季度工业投资同比增长12.6%',
  publisher: '重庆日报',
  pageDate: '2022年03月30日 11:05',
  pubDate: 'Wed, 30 Mar 2022 03:05:00 GMT',
  paragraphs: ['记者从市经济信息委获悉，今年一季度重庆工业投资同比增长12.6%，高于全国平均水平。', '其中，汽车、电子两大支柱产业投资增长较快。'],
};

/**
 * The three-feed news site of the integration tests: the seed article appears in all
 * three feeds under different link forms.
 */
export function threeFeedSite(site: FixtureSite): TestSource[] {
  for (const a of [seedArticle, bankArticle, cqArticle]) site.addArticle(a);
  site.feed('/rss/industry.xml', () => rssFeed(site, '工业频道', [seedArticle, cqArticle], (a) => site.url(`/a/${a.code}.html`)));
  site.feed('/rss/finance.xml', () =>
    rssFeed(site, '财经频道', [bankArticle, seedArticle], (a) => site.url(`/news.html?infoCode=NW${a.code}&utm_source=rss`)),
  );
  site.feed(
    '/atom/policy.atom',
    () => atomFeed(site, '政策频道', [seedArticle], (a) => site.url(`/html_News/NewsShare.html?InfoCode=${a.code}#comments`)),
    'application/atom+xml; charset=utf-8',
  );
  return [
    { id: 'industry', url: site.url('/rss/industry.xml'), categories: ['industry'] },
    { id: 'finance', url: site.url('/rss/finance.xml'), categories: ['finance'] },
    { id: 'policy', url: site.url('/atom/policy.atom'), categories: ['policy'] },
  ];
}

/** Flash news item n, published n minutes after 08:00 UTC on 2022-03-30. */
export function flashArticle(n: number): FixtureArticle {
  return {
    code: `2022033023275${String(n).padStart(5, '0')}`,
    title: `第${n}条快讯`,
    publisher: '证券时报',
    pageDate: '2022年03月30日 16:00',
    pubDate: new Date(Date.UTC(2022, 2, 30, 8, n)).toUTCString(),
    paragraphs: [`快讯正文${n}`],
  };
}
