import { describe, expect, it } from 'vitest';
import { RESERVED_SLUG_REPLACEMENT, slugOf } from '../../src/tagging/slug.js';

describe('slugOf', () => {
  it.each([
    ['中国工业报', 'zhongguogongyebao'],
    ['重庆日报', 'chongqingribao'],
    ['21世纪经济报道', '21shijijingjibaodao'],
    ['上海证券报·中国证券网', 'shanghaizhengquanbaozhongguozhengquanwang'],
    ['银行家', 'yinhangjia'],
    ['TechWeb', 'techweb'],
    ['长江证券', 'changjiangzhengquan'],
    ['重要', 'zhongyao'],
  ])('%s → %s', (name, slug) => {
    expect(slugOf(name)).toBe(slug);
  });

  it('reads polyphonic characters by their phrase (重庆 vs 重要, 银行 vs 行业)', () => {
    expect(slugOf('重庆银行')).toBe('chongqingyinhang');
    expect(slugOf('行业周刊')).toBe('hangyezhoukan');
  });

  it('writes ü as v', () => {
    expect(slugOf('绿色金融')).toBe('lvsejinrong');
  });

  it('ignores surrounding whitespace and folds full-width letters and digits', () => {
    expect(slugOf('  重庆日报 ')).toBe('chongqingribao');
    expect(slugOf('ＡＢＣ财经１２')).toBe('abccaijing12');
  });

  it('drops spaces and punctuation, keeps only [a-z0-9]', () => {
    const slug = slugOf('Caixin 财新·周刊（网络版）!');
    expect(slug).toBe('caixincaixinzhoukanwangluoban');
    expect(slug).toMatch(/^[a-z0-9]+$/);
  });

  it('gives a name with no letters a stable p-<hash> fallback', () => {
    const slug = slugOf('·（）');
    expect(slug).toMatch(/^p-[0-9a-f]{8}$/);
    expect(slugOf('·（）')).toBe(slug);
    expect(slugOf(' ·（） ')).toBe(slug);
    expect(slugOf('——')).not.toBe(slug);
  });

  it('never returns the reserved slug "all"', () => {
    expect(slugOf('All')).toBe(RESERVED_SLUG_REPLACEMENT);
    expect(slugOf('ALL')).toBe('all-1');
    expect(slugOf('Allen')).toBe('allen');
  });
});
