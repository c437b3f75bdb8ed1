import { describe, expect, it } from 'vitest';
import {
  attributionParagraph,
  ensureAttribution,
  isEditorLine,
  parseAttribution,
  parseByline,
} from '../../src/articles/lines.js';

describe('parseAttribution', () => {
  it.each([
    ['（文章来源：中国工业报）', '中国工业报'],
    ['(文章来源:中国工业报)', '中国工业报'],
    ['（文章来源: 中国工业报 ）', '中国工业报'],
    ['文章来源：中国工业报', '中国工业报'],
    ['\u3000\u3000（文章来源：上海证券报·中国证券网）', '上海证券报·中国证券网'],
    ['（文章来源：新华社（北京））', '新华社（北京）'],
    ['文章来源：新华社（北京）', '新华社（北京）'],
    ['（文章来源：）', ''],
  ])('%s → %s', (text, publisher) => {
    expect(parseAttribution(text)).toBe(publisher);
  });

  it('is not fooled by a sentence mentioning a source', () => {
    expect(parseAttribution('据了解，文章来源：不明')).toBeUndefined();
    expect(parseAttribution('来源：中国工业报')).toBeUndefined();
  });

  it('builds the em_media paragraph, escaped', () => {
    expect(attributionParagraph('中国工业报')).toBe('<p class="em_media">（文章来源：中国工业报）</p>');
    expect(attributionParagraph('A&B<x>')).toBe('<p class="em_media">（文章来源：A&amp;B&lt;x&gt;）</p>');
  });

  it('adds an attribution from the publisher only when the body has none', () => {
    expect(ensureAttribution('<p>正文。 </p>', '中国工业报')).toBe(
      '<p>正文。 </p><p class="em_media">（文章来源：中国工业报）</p>',
    );
    const done = '<p>正文。 </p><p class="em_media">（文章来源：中国工业报）</p>';
    expect(ensureAttribution(done, '证券时报')).toBe(done);
  });
});

describe('parseByline', () => {
  it.each([
    ['(刘英)', '刘英'],
    ['（刘英）', '刘英'],
    ['（记者 刘英）', '刘英'],
    ['（本报记者 刘英 王明）', '刘英 王明'],
    ['(记者:张三、李四)', '张三、李四'],
    ['文/刘英', '刘英'],
    ['文／刘英', '刘英'],
    ['作者：欧阳明华', '欧阳明华'],
    ['\u3000\u3000(刘英) ', '刘英'],
  ])('%s → %s', (text, author) => {
    expect(parseByline(text)).toBe(author);
  });

  it.each(['（完）', '（待续）', '(2022―2025年)', '营造良好氛围。', '（以下简称《行动计划》，下同）', '(刘英)说'])(
    'is not a byline: %s',
    (text) => {
      expect(parseByline(text)).toBeUndefined();
    },
  );
});

describe('isEditorLine', () => {
  it.each(['（责任编辑：DF537）', '(责任编辑:王明)', '责任编辑：王明', '（编辑：李小红）', '【责编：张三】'])(
    'drops %s',
    (text) => {
      expect(isEditorLine(text)).toBe(true);
    },
  );

  it('keeps prose that mentions editors', () => {
    expect(isEditorLine('该报编辑部表示，将继续关注。')).toBe(false);
  });
});
