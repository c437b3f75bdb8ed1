import { describe, expect, it } from 'vitest';
import type { RecordMapping, SourceKind } from '../../src/domain.js';
import { FinewsError } from '../../src/errors.js';
import { readerFor } from '../../src/sources/reader.js';
import { sourceOf } from '../fixtures/sources/records/manifest.js';

const URL_JSON = 'https://np-listapi.eastmoney.com/comm/web/getNewsByColumns?column=345';
const FIELDS: RecordMapping['fields'] = { infoCode: 'code', title: 'title', link: 'url', publishedAt: 'time', summary: 'summary' };

async function read(kind: SourceKind, body: string, mapping: RecordMapping, opts: { maxItems?: number; url?: string } = {}) {
  const url = opts.url ?? URL_JSON;
  const source = sourceOf({ name: 'test', kind, url, mapping, ...(opts.maxItems === undefined ? {} : { maxItems: opts.maxItems }) });
  return readerFor(kind).read(Buffer.from(body), { source, url, timezone: 'Asia/Shanghai' });
}

async function error(p: Promise<unknown>): Promise<FinewsError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FinewsError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

function recordsOf(n: number, first = 0, step = 1) {
  return Array.from({ length: n }, (_, i) => {
    const k = first + i * step;
    return { code: `2022033023275${String(k).padStart(5, '0')}`, title: `新闻${k}`, url: `/a/${k}.html`, time: 1648600000 + k * 60 };
  });
}

describe('json reader', () => {
  it('reads at most maxItems records, from the newest end of the list, and says how many it left out', async () => {
    const newestFirst = await read('json', JSON.stringify({ list: recordsOf(10, 9, -1) }), { items: 'list', fields: FIELDS }, { maxItems: 3 });
    expect(newestFirst.items.map((i) => i.title)).toEqual(['新闻9', '新闻8', '新闻7']);
    expect(newestFirst.warnings).toEqual(['10 records, more than maxItems (3): read the 3 newest, 7 left out']);
    const oldestFirst = await read('json', JSON.stringify({ list: recordsOf(10) }), { items: 'list', fields: FIELDS }, { maxItems: 3 });
    expect(oldestFirst.items.map((i) => i.title)).toEqual(['新闻7', '新闻8', '新闻9']);
  });

  it('caps titles at 1,000 characters and keeps only small raw records', async () => {
    const big = { code: '202203302327500001', title: '长'.repeat(5000), url: '/a/1.html', blob: 'x'.repeat(20_000) };
    const small = { code: '202203302327500002', title: '短', url: '/a/2.html' };
    const ok = await read('json', JSON.stringify({ list: [big, small] }), { items: 'list', fields: FIELDS });
    expect(ok.items[0]?.title).toHaveLength(1001); // 1,000 characters and an ellipsis
    expect(ok.items[0]?.record).toBeUndefined();
    expect(ok.items[1]?.record).toEqual(small);
    expect(ok.items[1]?.link).toBe('https://np-listapi.eastmoney.com/a/2.html');
  });

  it('a null list is no records, with a warning; a list that is a string is items-not-found', async () => {
    const empty = await read('json', '{"data":{"list":null}}', { items: 'data.list', fields: FIELDS });
    expect(empty).toEqual({ items: [], warnings: ['items path "data.list" is null: no records'], skipped: 0 });
    const err = await error(read('json', '{"data":{"list":"busy"}}', { items: 'data.list', fields: FIELDS }));
    expect(err.code).toBe('items-not-found');
    expect(err.message).toBe(`items path "data.list" is a string, not a list of records (in ${URL_JSON})`);
    const top = await error(read('json', '{"rc":0,"msg":"参数错误"}', { items: 'data.list', fields: FIELDS }));
    expect(top.message).toMatch(/^items path "data.list" not found; the body has keys: rc, msg/);
    expect(top.retryable).toBe(false);
    expect(top.sourceId).toBe('test');
  });

  it('an unreadable date is a warning and the item is kept; dateFormat reads what the built-in forms do not', async () => {
    const body = JSON.stringify({ list: [{ code: '202203302327500001', title: 'a', time: '30.03.2022 09:34' }] });
    const plain = await read('json', body, { items: 'list', fields: FIELDS });
    expect(plain.items).toHaveLength(1);
    expect(plain.items[0]?.publishedAt).toBeUndefined();
    expect(plain.warnings).toEqual(['record list.0 "a": unreadable date "30.03.2022 09:34", kept without a date']);
    const formatted = await read('json', body, { items: 'list', fields: FIELDS, dateFormat: 'dd.MM.yyyy HH:mm' });
    expect(formatted.items[0]?.publishedAt).toBe('2022-03-30T09:34:00+08:00');
    expect(formatted.warnings).toEqual([]);
  });
});

describe('html reader', () => {
  const mapping: RecordMapping = { items: 'li', fields: { link: 'a@href', title: 'a', publishedAt: 'span' } };

  it('resolves links against <base href> when the page has one', async () => {
    const page = '<html><head><base href="https://cdn.example.com/news/"></head><body><ul><li><a href="a/1.html">一</a><span>2022年03月30日 09:34</span></li></ul></body></html>';
    const feed = await read('html', page, mapping, { url: 'https://www.example.com/list.html' });
    expect(feed.items).toEqual([{ link: 'https://cdn.example.com/news/a/1.html', title: '一', categories: [], publishedAt: '2022-03-30T09:34:00+08:00' }]);
  });

  it('refuses a list page nested 50,000 deep as too-complex, naming the URL, and reads a long flat list', async () => {
    const url = 'https://www.example.com/list.html';
    const deep = `<html><body>${'<div>'.repeat(50_000)}<ul><li><a href="/a/1.html">一</a></li></ul>${'</div>'.repeat(50_000)}</body></html>`;
    const err = await error(read('html', deep, mapping, { url }));
    expect(err.code).toBe('too-complex');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`page too complex: ${url} is nested more than 256 deep`);
    const rows = Array.from({ length: 5000 }, (_, i) => `<li><a href="/a/${i}.html">新闻${i}</a><span>2022-03-30 09:34</span></li>`).join('');
    const feed = await read('html', `<html><body><ul>${rows}</ul></body></html>`, mapping, { url, maxItems: 5000 });
    expect(feed.items).toHaveLength(5000);
  });

  it('a JSON answer on an html source says so', async () => {
    const err = await error(read('html', '{"data":[]}', mapping, { url: 'https://www.example.com/list.html' }));
    expect(err.code).toBe('not-a-feed');
    expect(err.message).toBe('not an HTML page: https://www.example.com/list.html answered JSON; for a JSON API set kind: json');
  });
});
