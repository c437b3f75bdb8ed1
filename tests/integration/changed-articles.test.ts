import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_SLUG } from '../../src/domain.js';
import { feedDocName } from '../../src/publish/doc-names.js';
import type { Composition } from '../../src/runtime/compose.js';
import { rssFeed } from '../support/fixture-site.js';
import { configYaml, useFixtureSite, useRedisPrefix, writeConfig } from '../support/harness.js';
import { bankArticle, cqArticle, seedArticle } from '../support/news-fixtures.js';
import { runPass, type Mode } from '../support/pass.js';

const CORRECTED = '央行开展2000亿元逆回购操作 维护季末流动性合理充裕';

async function renderedText(runtime: Composition, format: 'rss' | 'atom' | 'json'): Promise<string> {
  const doc = await runtime.store.getRendered(feedDocName(ALL_SLUG, format));
  return doc?.body.toString('utf8') ?? '';
}

describe.each<Mode>(['embedded', 'redis'])('an article that changes at its source (%s mode)', (mode) => {
  const fixture = useFixtureSite();
  const redis = useRedisPrefix();

  it('is fetched once more and updated in place; unchanged items are not fetched again', async () => {
    const { site, dir } = fixture;
    const bank = { ...bankArticle };
    for (const a of [seedArticle, bank, cqArticle]) site.addArticle(a);
    // The feed is built from the articles as they are now, so a corrected title changes its bytes and ETag.
    site.feed('/rss/finance.xml', () => rssFeed(site, '财经频道', [seedArticle, bank, cqArticle], (a) => site.url(`/a/${a.code}.html`)));
    const configPath = await writeConfig(dir, configYaml([{ id: 'finance', url: site.url('/rss/finance.xml'), categories: ['finance'] }]));
    const run = (): ReturnType<typeof runPass> =>
      runPass({ mode, configPath, dataDir: path.join(dir, 'data'), prefix: redis.prefix, jobs: { publishDebounceMs: 20 } });

    const first = await run();
    const before = await first.runtime.store.listItems({ limit: 10 });
    await first.close();
    expect(before.items).toHaveLength(3);
    expect(before.items.every((i) => i.updatedAt === undefined)).toBe(true);
    const original = before.items.find((i) => i.infoCode === `NW${bank.code}`);
    for (const a of [seedArticle, bank, cqArticle]) expect(site.articleHits(a.code), a.code).toHaveLength(1);

    bank.title = CORRECTED;
    const second = await run();
    let secondOpen = true;
    try {
      const { items } = await second.runtime.store.listItems({ limit: 10 });
      expect(items).toHaveLength(3);
      const updated = items.find((i) => i.infoCode === `NW${bank.code}`);
      expect(updated).toMatchObject({ key: original?.key, title: CORRECTED, publishedAt: original?.publishedAt, storedAt: original?.storedAt });
      expect(updated?.updatedAt).toEqual(expect.any(String));
      expect(items.filter((i) => i.updatedAt !== undefined)).toHaveLength(1);
      // Exactly one extra page fetch, for the changed article only.
      expect(site.articleHits(bank.code)).toHaveLength(2);
      expect(site.articleHits(seedArticle.code)).toHaveLength(1);
      expect(site.articleHits(cqArticle.code)).toHaveLength(1);

      // Feeds re-rendered: the same id, the new title, Atom <updated> and JSON Feed date_modified; RSS dates unchanged.
      const json = JSON.parse(await renderedText(second.runtime, 'json')) as { items: Array<{ id: string; title: string; date_published: string; date_modified?: string }> };
      const entry = json.items.find((i) => i.title === CORRECTED);
      expect(entry?.date_modified).toBeDefined();
      expect(entry?.date_modified).not.toBe(entry?.date_published);
      expect(json.items).toHaveLength(3);
      expect(json.items.filter((i) => i.date_modified !== undefined)).toHaveLength(1);
      expect(entry?.id).toContain(bank.code);
      const atom = await renderedText(second.runtime, 'atom');
      const atomEntry = atom.split('<entry>').find((e) => e.includes(CORRECTED)) ?? '';
      const updatedTag = /<updated>([^<]+)<\/updated>/.exec(atomEntry)?.[1];
      const publishedTag = /<published>([^<]+)<\/published>/.exec(atomEntry)?.[1];
      expect(Date.parse(updatedTag ?? '')).toBe(Date.parse(updated?.updatedAt ?? 'x'));
      expect(Date.parse(publishedTag ?? '')).toBe(Date.parse(original?.publishedAt ?? 'x'));
      const rss = await renderedText(second.runtime, 'rss');
      expect(rss).toContain(CORRECTED);
      expect(rss.split('<item>')).toHaveLength(4);

      // A third pass with nothing new at the source fetches no page at all.
      await second.close();
      secondOpen = false;
      const third = await run();
      await third.close();
      expect(site.articleHits(bank.code)).toHaveLength(2);
      expect(site.articleHits(seedArticle.code)).toHaveLength(1);
    } finally {
      if (secondOpen) await second.close();
    }
  });
});
