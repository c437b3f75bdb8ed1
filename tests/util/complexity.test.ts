import { describe, expect, it } from 'vitest';
import { isFinewsError } from '../../src/errors.js';
import { assertHtmlWithinBudget, DEFAULT_MARKUP_BUDGET, measureMarkup } from '../../src/util/complexity.js';

const URL = 'https://www.example.cn/a/1.html';

describe('measureMarkup', () => {
  it('counts depth and nodes of an ordinary page', () => {
    const size = measureMarkup('<html><body><div class="a"><p>一<b>二</b></p><img src="x.png"><br></div></body></html>');
    expect(size).toEqual({ depth: 5, nodes: 9 });
  });

  it('closes paragraphs and list items the way HTML does: 3,000 unclosed <p> are not 3,000 deep', () => {
    const size = measureMarkup(`<body>${'<p>段落'.repeat(3000)}<ul>${'<li>条目'.repeat(3000)}</ul></body>`);
    expect(size.over).toBeUndefined();
    expect(size.depth).toBeLessThan(10);
  });

  it('stops at the first crossing of the budget, without reading on', () => {
    const size = measureMarkup('<div>'.repeat(50_000) + '</div>'.repeat(50_000));
    expect(size.over).toBe(`nested more than ${DEFAULT_MARKUP_BUDGET.maxDepth} deep`);
    expect(size.nodes).toBe(DEFAULT_MARKUP_BUDGET.maxDepth);
  });

  it('refuses too many nodes in a flat page', () => {
    const size = measureMarkup(`<body>${'<span>字</span>'.repeat(30_000)}</body>`);
    expect(size.over).toBe(`more than ${DEFAULT_MARKUP_BUDGET.maxNodes} nodes`);
  });

  it('reads XML without HTML rules', () => {
    expect(measureMarkup('<rss><channel><item><p><p><p>x</p></p></p></item></channel></rss>', { xml: true }).depth).toBe(6);
  });

  it('reads XML nesting from its tags: markup inside CDATA, comments and quoted attribute values is text', () => {
    const xml =
      '<?xml version="1.0"?><rss version="2.0"><channel><item><title a=">" b=\'<x>\'>标题</title>' +
      '<description><![CDATA[<div><div><div>正文</div></div></div>]]></description><!-- <a><b><c> --><enclosure url="x"/></item></channel></rss>';
    expect(measureMarkup(xml, { xml: true })).toEqual({ depth: 4, nodes: 8 });
  });

  it('closes an XML element and those inside it at its end tag, and ignores an end tag naming nothing open', () => {
    expect(measureMarkup('<rss><channel><item><b><i>x</item><item>y</item></zzz></channel></rss>', { xml: true }).depth).toBe(5);
    const deep = measureMarkup(`<rss>${'<a></x>'.repeat(50_000)}</rss>`, { xml: true });
    expect(deep.over).toBe(`nested more than ${DEFAULT_MARKUP_BUDGET.maxDepth} deep`);
  });
});

describe('assertHtmlWithinBudget', () => {
  it('throws a permanent too-complex error naming the URL', () => {
    let caught: unknown;
    try {
      assertHtmlWithinBudget('<div>'.repeat(1000), URL);
    } catch (err) {
      caught = err;
    }
    expect(isFinewsError(caught, 'too-complex')).toBe(true);
    expect(caught).toMatchObject({ retryable: false, url: URL, message: `page too complex: ${URL} is nested more than 256 deep` });
  });

  it('lets a page within the budget pass', () => {
    expect(() => assertHtmlWithinBudget('<div>'.repeat(200) + '<p>正文</p>', URL)).not.toThrow();
  });
});
