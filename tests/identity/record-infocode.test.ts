import { describe, expect, it } from 'vitest';
import type { InfoCodeRule, SourceConfig, SourceItem } from '../../src/domain.js';
import { identify } from '../../src/identity/index.js';
import { parseFeed } from '../../src/sources/parse-feed.js';
import { readerFor } from '../../src/sources/reader.js';
import { testSource } from '../support/config.js';

const RULE: InfoCodeRule = { param: 'infoCode' };

function jsonSource(items: string, fields: NonNullable<SourceConfig['mapping']>['fields']): SourceConfig {
  return testSource('em-test', {
    kind: 'json',
    url: 'https://np-weblist.eastmoney.com/comm/web/getFastNewsList',
    mapping: { items, fields },
    article: { fetch: false, remove: [] },
    infoCode: RULE,
  });
}

async function readJson(source: SourceConfig, body: unknown): Promise<SourceItem[]> {
  const feed = await readerFor('json').read(Buffer.from(JSON.stringify(body)), { source, url: source.url, timezone: 'Asia/Shanghai' });
  return feed.items;
}

describe('identity across source kinds: fields.infoCode first, canonicalized', () => {
  it('np-weblist `code`, a type=45 `nodeList[].infocode` with NW and an RSS link are one article', async () => {
    const [fast] = await readJson(jsonSource('data.fastNewsList', { infoCode: 'code', title: 'title' }), {
      data: { fastNewsList: [{ code: '202203302327572513', title: '工信部：加快推进工业领域碳达峰', showTime: '2022-03-30 09:34:12' }] },
    });
    const [node] = await readJson(jsonSource('nodeList', { infoCode: 'infocode', title: 'title', publisher: 'from' }), {
      nodeList: [{ infocode: 'NW202203302327572513', title: '工信部：加快推进工业领域碳达峰', from: '中国工业报' }],
    });
    const rss = await parseFeed(
      `<rss version="2.0"><channel><title>东方财富</title><item><title>工信部：加快推进工业领域碳达峰</title><link>https://finance.eastmoney.com/a/202203302327572513.html</link></item></channel></rss>`,
      { feedUrl: 'https://rss.example.com/em.xml', timezone: 'Asia/Shanghai' },
    );
    const ids = [fast, node, rss.items[0]].map((item) => identify(item as SourceItem, RULE));
    expect(ids).toEqual(Array(3).fill({ key: 'ic-202203302327572513', infoCode: 'NW202203302327572513' }));
  });

  it('an 18-digit code sent as a JSON number keeps every digit', async () => {
    const body = Buffer.from('{"data":{"fastNewsList":[{"code":202203302327572513,"title":"快讯"}]}}');
    const source = jsonSource('data.fastNewsList', { infoCode: 'code', title: 'title' });
    const feed = await readerFor('json').read(body, { source, url: source.url, timezone: 'Asia/Shanghai' });
    expect(identify(feed.items[0] as SourceItem, RULE).infoCode).toBe('NW202203302327572513');
  });

  it('the record infoCode wins over a code in the link', () => {
    const item: SourceItem = { title: 't', categories: [], infoCode: ' AN202203301557 ', link: 'https://finance.eastmoney.com/a/202203302327572513.html' };
    expect(identify(item, RULE)).toEqual({ key: 'ic-AN202203301557', infoCode: 'AN202203301557' });
  });

  it('without a record infoCode the link and guid rules apply as before', () => {
    const item: SourceItem = { title: 't', categories: [], link: 'https://emwap.eastmoney.com/news/info?infoCode=NW202203302327572513' };
    expect(identify(item, RULE).infoCode).toBe('NW202203302327572513');
    expect(identify({ title: 't', categories: [], infoCode: '  ', guid: 'g-1' }, RULE).key).toMatch(/^g-/);
  });
});
