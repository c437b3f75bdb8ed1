import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { publishCategories, SOURCES_STATUS, type PublishDeps, type PublishStore } from '../../src/pipeline/publish.js';
import { apiCategoriesDocName, categoryPageDocName, feedDocName, homePageDocName, opmlDocName } from '../../src/publish/doc-names.js';
import { OUTPUT_FORMATS } from '../../src/publish/formats.js';
import type { RenderedDoc } from '../../src/publish/rendered.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { cinnItem, stcnItem, testConfig } from '../http/harness.js';

/** The store as publishing sees it, with its rendered-document writes counted by name. */
function countingWrites(store: Store): { store: PublishStore; puts: string[]; deletes: string[] } {
  const puts: string[] = [];
  const deletes: string[] = [];
  const counted: PublishStore = {
    listCategories: () => store.listCategories(),
    listItems: (query) => store.listItems(query),
    listSourceStates: () => store.listSourceStates(),
    renderedEtags: () => store.renderedEtags(),
    getItem: (key) => store.getItem(key),
    stories: store.stories,
    putRendered: (name: string, doc: RenderedDoc) => {
      puts.push(name);
      return store.putRendered(name, doc);
    },
    deleteRendered: (name: string) => {
      deletes.push(name);
      return store.deleteRendered(name);
    },
  };
  return { store: counted, puts, deletes };
}

let dir: string;
let base: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'finews-publish-'));
  base = openSqliteStore(join(dir, 'finews.db'));
});
afterEach(async () => {
  await base.close();
  rmSync(dir, { recursive: true, force: true });
});

function depsAt(store: PublishStore, iso: string): PublishDeps {
  const config = testConfig();
  return { config: () => config, store, metrics: createMetrics(), now: () => new Date(iso) };
}

describe('publishCategories', () => {
  it('stores every format of each category and the OPML list, each encoding decoding to the body', async () => {
    for (let n = 1; n <= 3; n++) await base.saveItem(cinnItem(n));
    const w = countingWrites(base);
    await publishCategories(depsAt(w.store, '2022-03-30T02:00:00Z'), ['zhongguogongyebao', 'all']);
    const expected = ['zhongguogongyebao', 'all'].flatMap((slug) => OUTPUT_FORMATS.map((f) => feedDocName(slug, f.id)));
    const pages = [categoryPageDocName('zhongguogongyebao'), categoryPageDocName('all'), homePageDocName(), apiCategoriesDocName()];
    expect(w.puts.sort()).toEqual([...expected, opmlDocName(), ...pages].sort());
    for (const name of w.puts) {
      const doc = await base.getRendered(name);
      expect(doc, name).not.toBeNull();
      expect(gunzipSync(doc?.gzip ?? Buffer.alloc(0)).equals(doc?.body ?? Buffer.alloc(1)), name).toBe(true);
      expect(brotliDecompressSync(doc?.br ?? Buffer.alloc(0)).equals(doc?.body ?? Buffer.alloc(1)), name).toBe(true);
      if (!pages.includes(name)) expect(doc?.lastModified, name).toBe('Wed, 30 Mar 2022 02:00:00 GMT');
    }
    // Pages carry the dates of what they show, the API none.
    expect((await base.getRendered(homePageDocName()))?.lastModified).toBe(new Date(cinnItem(3).storedAt).toUTCString());
    expect((await base.getRendered(apiCategoriesDocName()))?.lastModified).toBe('');
  });

  it('writes no rendered document when republishing categories whose bytes did not change', async () => {
    for (let n = 1; n <= 3; n++) await base.saveItem(cinnItem(n));
    await base.saveItem(stcnItem(20));
    await publishCategories(depsAt(base, '2022-03-30T02:00:00Z'), ['zhongguogongyebao', 'zhengquanshibao', 'industry', 'all']);
    const before = await base.getRendered(feedDocName('all', 'rss'));

    const w = countingWrites(base);
    await publishCategories(depsAt(w.store, '2022-03-30T05:00:00Z'), ['zhongguogongyebao', 'zhengquanshibao', 'industry', 'all']);
    expect(w.puts).toEqual([]);
    expect(w.deletes).toEqual([]);
    const after = await base.getRendered(feedDocName('all', 'rss'));
    expect(after?.etag).toBe(before?.etag);
    expect(after?.lastModified).toBe('Wed, 30 Mar 2022 02:00:00 GMT');
  });

  it('rewrites only the documents a new item changed', async () => {
    for (let n = 1; n <= 3; n++) await base.saveItem(cinnItem(n));
    await base.saveItem(stcnItem(20));
    await publishCategories(depsAt(base, '2022-03-30T02:00:00Z'), ['zhongguogongyebao', 'zhengquanshibao', 'industry', 'all']);

    await base.saveItem(stcnItem(21));
    const w = countingWrites(base);
    await publishCategories(depsAt(w.store, '2022-03-30T05:00:00Z'), ['zhongguogongyebao', 'zhengquanshibao', 'industry', 'all']);
    const changed = ['zhengquanshibao', 'all'].flatMap((slug) => [...OUTPUT_FORMATS.map((f) => feedDocName(slug, f.id)), categoryPageDocName(slug)]);
    // The home page and /api/categories show the new item and zhengquanshibao's count.
    expect(w.puts.sort()).toEqual([...changed, homePageDocName(), apiCategoriesDocName()].sort());
    expect((await base.getRendered(feedDocName('zhengquanshibao', 'json')))?.lastModified).toBe('Wed, 30 Mar 2022 05:00:00 GMT');
    expect((await base.getRendered(feedDocName('zhongguogongyebao', 'json')))?.lastModified).toBe('Wed, 30 Mar 2022 02:00:00 GMT');
  });

  it('forgets the feeds of a category that lost its items once, and writes nothing for it after', async () => {
    await base.saveItem(cinnItem(1));
    await base.saveItem(stcnItem(20));
    await publishCategories(depsAt(base, '2022-03-30T02:00:00Z'), ['zhengquanshibao', 'all']);
    expect(await base.getRendered(feedDocName('zhengquanshibao', 'atom'))).not.toBeNull();
    // Everything stored before the cut-off goes, as retention would prune it.
    await base.prune(new Date('2030-01-01T00:00:00Z'), new Date('2000-01-01T00:00:00Z'));

    const w = countingWrites(base);
    await publishCategories(depsAt(w.store, '2022-03-30T05:00:00Z'), ['zhengquanshibao']);
    expect(w.deletes.sort()).toEqual([...OUTPUT_FORMATS.map((f) => feedDocName('zhengquanshibao', f.id)), categoryPageDocName('zhengquanshibao')].sort());
    for (const f of OUTPUT_FORMATS) expect(await base.getRendered(feedDocName('zhengquanshibao', f.id))).toBeNull();

    const again = countingWrites(base);
    await publishCategories(depsAt(again.store, '2022-03-30T06:00:00Z'), ['zhengquanshibao']);
    expect(again.deletes).toEqual([]);
    expect(again.puts).toEqual([]);
  });

  it('renders only the home page for the sources status, showing the last poll', async () => {
    for (let n = 1; n <= 3; n++) await base.saveItem(cinnItem(n));
    await publishCategories(depsAt(base, '2022-03-30T02:00:00Z'), ['zhongguogongyebao', 'all']);
    await base.putSourceState({ id: 'cinn-industry', lastFetchAt: '2022-03-30T11:07:09+08:00', lastStatus: 304, consecutiveFailures: 0, items: 3 });

    const w = countingWrites(base);
    await publishCategories(depsAt(w.store, '2022-03-30T05:00:00Z'), [SOURCES_STATUS]);
    expect(w.puts).toEqual([homePageDocName()]);
    const home = (await base.getRendered(homePageDocName()))?.body.toString('utf8') ?? '';
    expect(home).toContain('2022-03-30 11:07:09');
    expect((await base.getRendered(homePageDocName()))?.lastModified).toBe('Wed, 30 Mar 2022 03:07:09 GMT');

    const again = countingWrites(base);
    await publishCategories(depsAt(again.store, '2022-03-30T06:00:00Z'), [SOURCES_STATUS]);
    expect(again.puts).toEqual([]);
  });
});
