import { describe, expect, it } from 'vitest';
import { DEFAULT_STORY_RULES, fingerprintArticle } from '../../src/stories/index.js';
import { storyCorpus } from '../fixtures/stories/corpus.js';
import { groupCorpus, pairwiseQuality } from '../fixtures/stories/evaluate.js';

describe('the labelled story corpus at the default threshold', () => {
  const corpus = storyCorpus();
  const prints = new Map(corpus.map((a) => [a.key, fingerprintArticle(a.title, a.contentHtml)]));

  it('is big enough to mean something: ≥ 30 groups, ≥ 100 articles, every kind of hard negative', () => {
    expect(new Set(corpus.map((a) => a.group)).size).toBeGreaterThanOrEqual(30);
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    expect(new Set(corpus.map((a) => a.kind))).toEqual(new Set(['reprint', 'market-wrap', 'sector-report', 'follow-up']));
  });

  it('groups reprints with precision ≥ 0.98 and recall ≥ 0.90', () => {
    const q = pairwiseQuality(corpus, groupCorpus(corpus, prints, DEFAULT_STORY_RULES));
    expect(q.falseExamples).toEqual([]);
    expect(q.precision).toBeGreaterThanOrEqual(0.98);
    expect(q.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('meets the goals too when reprints arrive newest first', () => {
    const q = pairwiseQuality(corpus, groupCorpus(corpus, prints, DEFAULT_STORY_RULES, 'reverse'));
    expect(q.precision).toBeGreaterThanOrEqual(0.98);
    expect(q.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps market wraps of different days, sector reports and follow-ups out of each other\'s stories', () => {
    const story = groupCorpus(corpus, prints, DEFAULT_STORY_RULES);
    for (const kind of ['market-wrap', 'sector-report', 'follow-up'] as const) {
      const groups = new Map<string, Set<string>>();
      for (const a of corpus.filter((c) => c.kind === kind)) {
        const s = story.get(a.key) ?? '';
        groups.set(s, (groups.get(s) ?? new Set()).add(a.group));
      }
      for (const labels of groups.values()) expect([...labels]).toHaveLength(1);
    }
  });
});
