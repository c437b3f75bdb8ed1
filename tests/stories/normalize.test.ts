import { describe, expect, it } from 'vitest';
import { isEditorLine, parseAttribution, parseByline } from '../../src/articles/lines.js';
import { isBoilerplateLine, paragraphsOf, storyText } from '../../src/stories/index.js';

describe('storyText', () => {
  it('drops attribution, editor, author, reporter and 原标题 lines and keeps the piece', () => {
    const body = [
      '<p>原标题：政策引导 重庆推进专精特新企业持续创新</p>',
      '<p>记者 刘英</p>',
      '<p>《行动计划》提出，到2025年，重庆市创新型中小企业达到2.5万家。</p>',
      '<p>(刘英) </p><p class="em_media">（文章来源：中国工业报）</p>',
      '<p>（责任编辑：DF537）</p>',
      '<p>编辑：王明</p>',
      '<p>作者：李红</p>',
      '<p>免责声明：本文仅供参考，不构成投资建议。</p>',
    ].join('\n');
    expect(storyText('', body)).toBe('行动计划提出到2025年重庆市创新型中小企业达到25万家');
  });

  it('reads a reprint with other bookkeeping, 【】 prefixes, full-width forms and spacing as the same text', () => {
    const original = storyText(
      '央行宣布下调存款准备金率',
      '<p>中国人民银行5日宣布，决定于2月15日下调金融机构存款准备金率0.5个百分点。</p><p class="em_media">（文章来源：新华社）</p>',
    );
    const reprint = storyText(
      '【重磅】央行宣布下调存款准备金率',
      '<p>【央行降准】 中国人民银行５日宣布 , 决定于２月１５日下调金融机构存款准备金率０.５个百分点 。</p>\n<p>（文章来源：证券时报）</p><p>责任编辑：张伟</p>',
    );
    expect(reprint).toBe(original);
  });

  it('keeps ordinary paragraphs that merely start like a byline', () => {
    expect(isBoilerplateLine('记者从工信部获悉，一季度规模以上工业增加值同比增长6.5%，增速比上年全年加快。')).toBe(false);
    expect(isBoilerplateLine('编辑部认为，这一做法值得推广。')).toBe(false);
    expect(isBoilerplateLine('（本报记者 刘英 王明）')).toBe(true);
    expect(isBoilerplateLine('（完）')).toBe(true);
  });

  it('ignores every attribution, editor and byline line extraction recognises', () => {
    for (const line of ['（文章来源：中国工业报）', '文章来源：新华社（北京）', '（责任编辑：DF537）', '责任编辑：王明', '【责编：张三】', '（校对：李红）']) {
      expect(isEditorLine(line) || parseAttribution(line) !== undefined, line).toBe(true);
      expect(isBoilerplateLine(line), line).toBe(true);
    }
    for (const line of ['(刘英)', '（本报记者 刘英 王明）', '(记者:张三、李四)', '文/刘英', '作者：欧阳明华']) {
      expect(parseByline(line), line).toBeDefined();
      expect(isBoilerplateLine(line), line).toBe(true);
    }
  });

  it('splits stored HTML and plain text into paragraphs, entities decoded', () => {
    expect(paragraphsOf('<p>甲&amp;乙</p>\n<p> </p><p>丙<br>丁</p>')).toEqual(['甲&乙', '丙', '丁']);
    expect(paragraphsOf('第一段\n\n第二段')).toEqual(['第一段', '第二段']);
  });
});
