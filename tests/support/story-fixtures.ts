import { rssFeed, type FixtureArticle, type FixtureSite } from './fixture-site.js';
import type { TestSource } from './harness.js';

/** Page date (`2024年03月15日 19:30`) and feed date of a time in Asia/Shanghai, written `2024-03-15T19:30`. */
function dates(local: string): Pick<FixtureArticle, 'pageDate' | 'pubDate'> {
  const [day = '', time = ''] = local.split('T');
  const [y, m, d] = day.split('-');
  return { pageDate: `${y}年${m}月${d}日 ${time}`, pubDate: new Date(`${local}:00+08:00`).toUTCString() };
}

const BODY = [
  '意见提出，要进一步压实发行人第一责任和中介机构“看门人”责任，将现场检查覆盖比例由5%提高至不低于20%。',
  '同时，证监会将提高主板、创业板上市标准，完善科创板科创属性评价标准，严厉打击欺诈发行、财务造假等违法行为。',
  '在加强上市公司监管方面，证监会表示将严格规范大股东减持行为，推动上市公司提升投资价值，加大分红力度。',
  '证监会有关负责人表示，四项文件坚持问题导向，聚焦投资者关切，进一步完善资本市场基础制度，推动资本市场高质量发展。',
];

/** The original: 证券时报, first. */
export const storyOriginal: FixtureArticle = {
  code: '202403153012345601',
  title: '证监会发布四项政策文件 严把发行上市准入关',
  publisher: '证券时报',
  ...dates('2024-03-15T19:30'),
  paragraphs: ['证券时报记者获悉，3月15日，证监会发布《关于严把发行上市准入关从源头上提高上市公司质量的意见（试行）》等四项政策文件。', ...BODY],
  author: '程丹',
  editor: 'DF537',
};

/** 上海证券报's reprint: its own dateline and headline, another editor. */
export const storyReprint: FixtureArticle = {
  code: '202403153012345602',
  title: '重磅！证监会连发四文 从严把好IPO入口关',
  publisher: '上海证券报',
  ...dates('2024-03-15T20:05'),
  paragraphs: ['上证报中国证券网讯 3月15日晚间，证监会发布《关于严把发行上市准入关从源头上提高上市公司质量的意见（试行）》等四项政策文件。', ...BODY],
  editor: 'DF142',
};

/** 中国证券报's reprint: its own first line and reporter. */
export const storyShortReprint: FixtureArticle = {
  code: '202403153012345603',
  title: '证监会发布四项政策文件 严把发行上市准入关',
  publisher: '中国证券报',
  ...dates('2024-03-15T21:10'),
  paragraphs: ['中证报中证网讯（记者 昝秀丽）证监会3月15日发布《关于严把发行上市准入关从源头上提高上市公司质量的意见（试行）》等四项政策文件。', ...BODY],
  editor: 'DF318',
};

interface Close {
  local: string;
  day: string;
  sh: string;
  shClose: string;
  cy: string;
  volume: string;
  up: string;
  down: string;
}

/** The daily market wrap of one close: one template, that day's figures. */
function marketWrap(code: string, c: Close): FixtureArticle {
  return {
    code,
    title: `A股收评：沪指${c.sh}，创业板指${c.cy}，两市成交额${c.volume}亿元`,
    publisher: '中证网',
    ...dates(c.local),
    paragraphs: [
      `中证网讯，${c.day}，A股三大指数收盘。截至收盘，沪指${c.sh}，报${c.shClose}点；创业板指${c.cy}。`,
      `沪深两市全天成交额${c.volume}亿元。盘面上，${c.up}等板块涨幅居前，${c.down}等板块跌幅居前。`,
      '总体来看，个股涨多跌少，市场情绪有所回暖。机构人士表示，短期市场仍以震荡为主，建议投资者关注业绩确定性较强的板块。',
    ],
    editor: 'DF537',
  };
}

/** Two wraps of two trading days, the same template with other numbers: two stories. */
export const wrapBefore = marketWrap('202403142998765401', {
  local: '2024-03-14T15:10',
  day: '3月14日',
  sh: '涨1.96%',
  shClose: '3066.60',
  cy: '涨2.34%',
  volume: '9876',
  up: '半导体、汽车整车',
  down: '煤炭、银行',
});
export const wrapAfter = marketWrap('202403152998765402', {
  local: '2024-03-15T15:10',
  day: '3月15日',
  sh: '跌0.52%',
  shClose: '3050.54',
  cy: '跌1.17%',
  volume: '8415',
  up: '房地产、保险',
  down: '光伏设备、电池',
});

export const STORY_MEMBERS = [storyOriginal, storyReprint, storyShortReprint];
export const MARKET_WRAPS = [wrapBefore, wrapAfter];

/**
 * A site whose one feed (category `markets`) carries three reprints of one story by
 * three publishers, each under its own infoCode, and two market wraps of two days.
 */
export function reprintSite(site: FixtureSite): TestSource[] {
  const all = [...STORY_MEMBERS, ...MARKET_WRAPS];
  for (const a of all) site.addArticle(a);
  site.feed('/rss/markets.xml', () => rssFeed(site, '证券频道', all, (a) => site.url(`/a/${a.code}.html`)));
  return [{ id: 'markets', url: site.url('/rss/markets.xml'), categories: ['markets'] }];
}
