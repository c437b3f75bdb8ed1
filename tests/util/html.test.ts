import { describe, expect, it } from 'vitest';
import { joinParagraphs } from '../../src/util/html.js';

describe('joinParagraphs', () => {
  it('runs Chinese paragraphs on without a space, as Chinese is written', () => {
    expect(joinParagraphs(['今年一季度重庆工业投资同比增长12.6%，高于全国平均水平。', '  数据显示，汽车、电子投资增长较快。'])).toBe(
      '今年一季度重庆工业投资同比增长12.6%，高于全国平均水平。数据显示，汽车、电子投资增长较快。',
    );
    expect(joinParagraphs(['行动计划发布。', '《行动计划》提出'])).toBe('行动计划发布。《行动计划》提出');
  });

  it('keeps one space between paragraphs of other text, and skips empty ones', () => {
    expect(joinParagraphs(['Shares rose 2%.', '', 'Bonds fell.'])).toBe('Shares rose 2%. Bonds fell.');
    expect(joinParagraphs(['PMI 49.5', '制造业'])).toBe('PMI 49.5制造业');
  });
});
