import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bandsOf,
  BANDS,
  chooseStory,
  DEFAULT_STORY_RULES,
  fingerprintArticle,
  isFingerprint,
  leadOf,
  numbersAgree,
  storyEntry,
  textDistance,
} from '../../src/stories/index.js';
import { textDistanceAtMost } from '../../src/stories/fingerprint.js';
import { storyCorpus } from '../fixtures/stories/corpus.js';

const SEED = readFileSync(new URL('../fixtures/articles/seed-post.md', import.meta.url), 'utf8');
const seedBody = SEED.split('---\n')[2]?.split('\n\n<http')[0] ?? '';
const seedTitle = '政策引导 重庆推进专精特新企业持续创新';

describe('fingerprintArticle', () => {
  it('is a pure function of the text: the same article always gets the same print (stored prints stay comparable)', () => {
    const fp = fingerprintArticle(seedTitle, seedBody);
    expect(isFingerprint(fp)).toBe(true);
    expect(fingerprintArticle(seedTitle, seedBody)).toBe(fp);
    // Pinned: a change here makes every stored fingerprint incomparable with new ones.
    expect(fp.slice(0, 32)).toMatchInlineSnapshot(`"8030f892af86c78c69010b4df5c6bf2a"`);
    expect(bandsOf(fp)).toHaveLength(BANDS);
  });

  it('puts a reprint with other bookkeeping at distance 0 and its edited copy near, an unrelated piece far', () => {
    const original = fingerprintArticle(seedTitle, seedBody);
    const rebadged = fingerprintArticle(
      `【专精特新】${seedTitle}`,
      `<p>原标题：${seedTitle}</p>\n${seedBody.replace('（文章来源：中国工业报）', '（文章来源：重庆日报）')}<p>（责任编辑：DF120）</p>`,
    );
    expect(textDistance(original, rebadged)).toBe(0);

    const paragraphs = seedBody.split('</p>');
    const trimmed = fingerprintArticle('重庆出台专精特新企业专项行动计划', paragraphs.slice(0, -3).join('</p>'));
    expect(textDistance(original, trimmed)).toBeLessThanOrEqual(DEFAULT_STORY_RULES.maxDistance);
    expect(numbersAgree(original, trimmed)).toBe(true);

    const unrelated = fingerprintArticle('央行宣布下调存款准备金率', '<p>中国人民银行5日宣布，决定于2月15日下调金融机构存款准备金率0.5个百分点。</p>');
    expect(textDistance(original, unrelated)).toBeGreaterThan(56);
  });

  it('tells same-template market wraps apart by their figures', () => {
    const wrap = (sh: string, close: string, vol: string): string =>
      fingerprintArticle(
        `A股收评：沪指${sh}，两市成交额${vol}亿元`,
        `<p>截至收盘，沪指${sh}，报${close}点。沪深两市全天成交额${vol}亿元。</p><p>盘面上，半导体等板块涨幅居前，银行等板块跌幅居前。</p>`,
      );
    const up = wrap('涨1.96%', '3266.60', '9876');
    const down = wrap('跌0.52%', '3249.61', '8211');
    expect(numbersAgree(up, down)).toBe(false);
    expect(numbersAgree(up, wrap('涨1.96%', '3266.60', '9876'))).toBe(true);
  });

  it('counts a distance up to a limit exactly, and past it says only that it is past', () => {
    const prints = storyCorpus().map((a) => fingerprintArticle(a.title, a.contentHtml));
    for (const limit of [0, 8, DEFAULT_STORY_RULES.maxDistance, 64]) {
      for (const a of prints.slice(0, 20)) {
        for (const b of prints) expect(textDistanceAtMost(a, b, limit)).toBe(Math.min(textDistance(a, b), limit + 1));
      }
    }
  });
});

describe('chooseStory', () => {
  const rules = DEFAULT_STORY_RULES;
  const at = Date.parse('2024-02-05T17:00:00+08:00');
  const original = storyEntry('A', seedTitle, seedBody, at);
  const reprint = storyEntry('B', `【转载】${seedTitle}`, seedBody.replace('中国工业报', '证券时报'), at + 3600_000);

  it('joins the story of a near candidate, and starts a story named after the article otherwise', () => {
    expect(chooseStory(reprint, [{ ...original, storyId: 'A' }], rules)).toMatchObject({ storyId: 'A', distance: 0 });
    expect(chooseStory(reprint, [], rules)).toEqual({ storyId: 'B' });
  });

  it('ignores candidates outside the window and the article itself', () => {
    const late = { ...reprint, publishedMs: at + rules.windowMs + 1 };
    expect(chooseStory(late, [{ ...original, storyId: 'A' }], rules).storyId).toBe('B');
    expect(chooseStory(reprint, [{ ...reprint, storyId: 'X' }], rules).storyId).toBe('B');
  });

  it('takes the earliest member as lead', () => {
    expect(leadOf([{ key: 'b', publishedMs: 2 }, { key: 'c', publishedMs: 1 }, { key: 'a', publishedMs: 1 }])?.key).toBe('a');
  });
});
