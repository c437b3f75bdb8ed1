/**
 * Seeded list bodies for the readers benchmark: an Eastmoney getNewsByColumns JSON answer
 * and a Chinese news list page, both with N records of the same articles.
 */
import { intBetween, pick, seededRandom } from './rng.js';
import { headline, newsCodeAt, PUBLISHERS, sentence } from './zh-text.js';

const START_MS = Date.UTC(2022, 2, 30, 1, 34, 12);

export interface GeneratedRecord {
  code: string;
  title: string;
  summary: string;
  showTime: string;
  mediaName: string;
}

function shanghai(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function records(n: number, seed = 7): GeneratedRecord[] {
  const rand = seededRandom(seed);
  const out: GeneratedRecord[] = [];
  for (let i = 0; i < n; i++) {
    const ms = START_MS - i * intBetween(rand, 20_000, 90_000);
    const title = headline(rand);
    out.push({
      code: newsCodeAt(ms, i),
      title,
      // Eastmoney summaries repeat the title in 【】 before the text.
      summary: `【${title}】${sentence(rand)}${sentence(rand)}`,
      showTime: shanghai(ms),
      mediaName: pick(rand, PUBLISHERS),
    });
  }
  return out;
}

/** `{"code":"1","data":{"list":[…],"page_index":1,…}}` with the fields of getNewsByColumns. */
export function newsByColumnsJson(n: number): string {
  const list = records(n).map((r) => ({
    code: r.code,
    showTime: r.showTime,
    title: r.title,
    mediaName: r.mediaName,
    summary: r.summary,
    uniqueUrl: `http://finance.eastmoney.com/a/${r.code}.html`,
    image: [],
    stockList: [],
  }));
  return JSON.stringify({ req_trace: '1648604100123', code: '1', message: 'success', data: { list, page_index: 1, page_size: n, total_hits: n } });
}

/** A list page: `ul.news-list > li` with a relative link, a `年月日` time and an intro each, amid page chrome. */
export function newsListHtml(n: number): string {
  const items = records(n).map((r) => {
    const [date = '', time = ''] = r.showTime.split(' ');
    const [y, m, d] = date.split('-');
    return `    <li>\n      <a href="../a/${date.slice(0, 7)}/content_${r.code}.html" target="_blank">${r.title}</a>\n      <span class="time">${y}年${m}月${d}日 ${time.slice(0, 5)}</span>\n      <p class="intro">\u3000\u3000${r.summary.replace(/^【[^】]*】/, '')}</p>\n    </li>`;
  });
  const nav = Array.from({ length: 60 }, (_, i) => `<a href="/channel/${i}/">频道${i}</a>`).join(' ');
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>工业经济</title><script>var channel="gyjj";</script></head>\n<body><div class="nav">${nav}</div>\n<div class="main">\n  <ul class="news-list">\n${items.join('\n')}\n  </ul>\n</div><div class="footer">${nav}</div></body></html>\n`;
}
