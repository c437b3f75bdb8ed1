/**
 * Vocabulary of generated Chinese financial news: publishers, headlines and body
 * sentences in the register of Eastmoney's wire (made up, with random figures).
 */
import { BASES } from '../../tests/fixtures/stories/bases.js';
import { intBetween, pick } from './rng.js';

export const PUBLISHERS = ['中国工业报', '证券时报网', '上海证券报', '中国证券报', '21世纪经济报道', '每日经济新闻', '经济参考报', '新华社'] as const;

/** Slugs of {@link PUBLISHERS} as finews derives them (toneless pinyin). */
export const PUBLISHER_SLUGS: Record<(typeof PUBLISHERS)[number], string> = {
  中国工业报: 'zhongguogongyebao',
  证券时报网: 'zhengquanshibaowang',
  上海证券报: 'shanghaizhengquanbao',
  中国证券报: 'zhongguozhengquanbao',
  '21世纪经济报道': '21shijijingjibaodao',
  每日经济新闻: 'meirijingjixinwen',
  经济参考报: 'jingjicankaobao',
  新华社: 'xinhuashe',
};

export const AUTHORS = ['刘英', '王军', '李明', '张晓', '陈静', '赵磊', '孙悦', '周婷'] as const;
export const FEED_CATEGORIES = ['工业', '宏观经济', '货币政策', '股市', '上市公司', '基金', '期货', '外汇', '专精特新', '新能源'] as const;

const REGIONS = ['重庆', '上海', '广东', '江苏', '浙江', '四川', '湖北', '山东', '安徽', '福建'];
const THEMES = ['专精特新', '数字经济', '新能源汽车', '光伏', '储能', '集成电路', '生物医药', '工业互联网', '绿色低碳', '高端装备'];
const FIRMS = ['某科技', '某新材', '某电子', '某能源', '某智造', '某医药', '某精工', '某汽车'];
const BOARDS = ['光伏', '储能', '锂电池', '半导体', '券商', '白酒', '煤炭', '有色金属', '军工', '医药商业'];

function pct(rand: () => number, max = 9): string {
  return (rand() * max + 0.01).toFixed(2);
}

/** A headline such as `央行开展1000亿元7天期逆回购操作`. */
export function headline(rand: () => number): string {
  switch (intBetween(rand, 0, 8)) {
    case 0:
      return `央行开展${intBetween(rand, 1, 30) * 100}亿元${pick(rand, [7, 14, 28])}天期逆回购操作`;
    case 1:
      return `A股三大指数集体${pick(rand, ['高开', '低开', '收涨', '收跌'])} 沪指${pick(rand, ['涨', '跌'])}${pct(rand, 3)}%`;
    case 2:
      return `工信部：一季度规模以上工业增加值同比增长${pct(rand, 8)}%`;
    case 3:
      return `政策引导 ${pick(rand, REGIONS)}推进${pick(rand, THEMES)}企业持续创新`;
    case 4:
      return `上市公司公告：${pick(rand, FIRMS)}关于回购股份进展的公告`;
    case 5:
      return `北向资金${pick(rand, ['今日', '本周'])}净${pick(rand, ['买入', '卖出'])}${pct(rand, 90)}亿元 ${pick(rand, BOARDS)}板块获加仓`;
    case 6:
      return `${intBetween(rand, 1, 12)}月官方制造业PMI为${(48 + rand() * 4).toFixed(1)}% 市场预期仍处扩张区间`;
    case 7:
      return `${pick(rand, REGIONS)}发布${pick(rand, THEMES)}专项行动计划（2022―2025年）`;
    default:
      return `${pick(rand, BOARDS)}板块午后拉升 ${pick(rand, FIRMS)}涨停`;
  }
}

/**
 * Sentences of the hand-written story corpus (tests/fixtures/stories/bases.ts: distinct
 * invented wire pieces), the pool body sentences are drawn from. Real articles share
 * little text (two unrelated bases share no LSH band of their story fingerprints); a
 * few fixed templates made every pair of generated articles look like a near-reprint
 * (a quarter of the pairs shared a band), which no real feed does.
 */
const SENTENCES: readonly string[] = BASES.flatMap((b) => b.paragraphs.flatMap((p) => p.split(/(?<=。)/u))).filter((t) => t.length >= 12);

/** One body sentence, ending with `。`: a corpus sentence with its figures drawn anew (same number of digits). */
export function sentence(rand: () => number): string {
  return pick(rand, SENTENCES).replace(/\d+/gu, (digits) => {
    let out = String(intBetween(rand, 1, 9));
    for (let i = 1; i < digits.length; i++) out += String(intBetween(rand, 0, 9));
    return out;
  });
}

/** A paragraph of `min`…`max` sentences. */
export function paragraph(rand: () => number, min = 1, max = 3): string {
  const n = intBetween(rand, min, max);
  let s = '';
  for (let i = 0; i < n; i++) s += sentence(rand);
  return s;
}

/** An 18-digit Eastmoney news code for a time (ms since epoch), e.g. 202203302327572513. */
export function newsCodeAt(ms: number, n: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const stamp = d.toISOString().slice(0, 19).replace(/[-T:]/g, '');
  return `${stamp}${String(n % 10_000).padStart(4, '0')}`;
}

/** RFC 822 date at +0800, as Chinese feeds write it. */
export function rfc822Shanghai(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const utc = d.toUTCString(); // "Wed, 30 Mar 2022 09:34:12 GMT"
  return utc.replace('GMT', '+0800');
}
