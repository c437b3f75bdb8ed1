import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InfoCodeRule } from '../../src/domain.js';
import { identify } from '../../src/identity/index.js';
import { parseFeed } from '../../src/sources/parse-feed.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'sources');

async function identities(file: string, rule: InfoCodeRule = { param: 'infoCode' }) {
  const feed = await parseFeed(readFileSync(join(FIXTURES, file), 'utf8'), {
    feedUrl: `https://rss.example.com/feeds/${file}`,
    timezone: 'Asia/Shanghai',
  });
  return feed.items.map((item) => identify(item, rule));
}

describe('identities of parsed feed items', () => {
  it('finds the infoCode in every Eastmoney link form of the RSS 2.0 fixture', async () => {
    const ids = await identities('rss2-eastmoney.xml');
    expect(ids.slice(0, 3)).toEqual([
      { key: 'ic-202203302327572513', infoCode: 'NW202203302327572513' },
      { key: 'ic-202203300921446071', infoCode: 'NW202203300921446071' },
      { key: 'ic-20220330093015123', infoCode: 'NW20220330093015123' },
    ]);
    // An announcement page carries no infoCode the defaults know: it is keyed by its guid…
    expect(ids[3]).toEqual({ key: expect.stringMatching(/^g-[0-9a-f]{20}$/), infoCode: null });
  });

  it('…unless the source says where its codes are', async () => {
    const ids = await identities('rss2-eastmoney.xml', { param: 'infoCode', pattern: String.raw`/(AN\d+)\.html` });
    expect(ids[3]).toEqual({ key: 'ic-AN202203301557001234', infoCode: 'AN202203301557001234' });
  });

  it('gives every item of a feed its own key', async () => {
    for (const file of ['rss2-eastmoney.xml', 'rss1-rdf.xml', 'rss091.xml', 'atom.xml', 'naive-dates.xml', 'dirty.xml']) {
      const keys = (await identities(file)).map((id) => id.key);
      expect(new Set(keys).size, file).toBe(keys.length);
    }
  });

  it('reads the infoCode of a dirty feed link with a bare & in it', async () => {
    const ids = await identities('dirty.xml');
    expect(ids[0]).toEqual({ key: 'ic-202203300725012198', infoCode: 'NW202203300725012198' });
  });
});
