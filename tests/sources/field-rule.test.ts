import { describe, expect, it } from 'vitest';
import { selectorProblem } from '../../src/config/schema.js';
import { evaluateRule, fieldRuleProblem, itemsProblem } from '../../src/sources/field-rule.js';
import { getPath } from '../../src/sources/record-path.js';
import { parseSelectorRule } from '../../src/sources/selector.js';

describe('field rules', () => {
  const record = { showTime: '', showtime: '2022-03-30 09:34:12', code: 202203302327572513n.toString(), n: 0 };
  const lookup = (p: string): unknown => getPath(record, p);

  it('a fallback list takes the first present, non-empty value', () => {
    expect(evaluateRule('publishedAt', ['showTime', 'showtime'], lookup)).toBe('2022-03-30 09:34:12');
    expect(evaluateRule('title', ['missing', 'n'], lookup)).toBe(0);
    expect(evaluateRule('title', ['missing'], lookup)).toBeUndefined();
  });

  it('a template is rendered, URL-encoded for links', () => {
    expect(evaluateRule('link', 'https://finance.eastmoney.com/a/{code}.html', lookup)).toBe('https://finance.eastmoney.com/a/202203302327572513.html');
    expect(evaluateRule('link', ['https://x.cn/{missing}', 'https://y.cn/{code}'], lookup)).toBe('https://y.cn/202203302327572513');
  });

  it('names malformed paths, templates and selectors for config validation', () => {
    expect(fieldRuleProblem('json', 'data..title')).toMatch(/empty segment/);
    expect(fieldRuleProblem('json', [])).toMatch(/must not be empty/);
    expect(fieldRuleProblem('json', 'https://x.cn/{code')).toMatch(/unclosed/);
    expect(fieldRuleProblem('json', 'https://x.cn/{da..ta}')).toMatch(/in template .*empty segment/);
    expect(fieldRuleProblem('json', ['showTime', 'showtime'])).toBeUndefined();
    expect(fieldRuleProblem('html', 'a@href')).toBeUndefined();
    expect(fieldRuleProblem('html', '@data-code')).toBeUndefined();
    expect(fieldRuleProblem('html', 'a[href^="mailto:x@y"]')).toBeUndefined();
    expect(fieldRuleProblem('html', 'div[')).toMatch(/invalid CSS selector "div\["/);
    expect(fieldRuleProblem('html', 'a@')).toMatch(/names no attribute/);
    expect(fieldRuleProblem('html', '')).toMatch(/must not be empty/);
    expect(itemsProblem('html', 'ul.news-list > li')).toBeUndefined();
    expect(itemsProblem('html', 'ul > li[')).toMatch(/invalid CSS selector/);
    expect(itemsProblem('json', 'data.list')).toBeUndefined();
  });

  it('splits sel@attr, @attr and sel', () => {
    expect(parseSelectorRule('a@href')).toEqual({ selector: 'a', attr: 'href' });
    expect(parseSelectorRule('@data-code')).toEqual({ selector: '', attr: 'data-code' });
    expect(parseSelectorRule('span.time')).toEqual({ selector: 'span.time' });
    expect(parseSelectorRule('a[href^="mailto:x@y"]')).toEqual({ selector: 'a[href^="mailto:x@y"]' });
    expect(selectorProblem('#ContentBody > p')).toBeUndefined();
  });
});
