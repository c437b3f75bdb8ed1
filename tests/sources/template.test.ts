import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/domain.js';
import { listUrl } from '../../src/sources/reader.js';
import { getPath, pathProblem, walkPath } from '../../src/sources/record-path.js';
import { isTemplate, renderTemplate, templateNames, templateProblem } from '../../src/sources/template.js';

describe('templates', () => {
  const record = { code: '202203302327572513', media: { name: '中国 工业报' }, list: [{ id: 7 }] };
  const lookup = (name: string): unknown => getPath(record, name);

  it('renders {path}s of a record, URL-encoded inside URLs except a value that starts the URL', () => {
    expect(renderTemplate('https://finance.eastmoney.com/a/{code}.html', { lookup }, { url: true })).toBe(
      'https://finance.eastmoney.com/a/202203302327572513.html',
    );
    expect(renderTemplate('https://x.cn/s?m={media.name}&id={list.0.id}', { lookup }, { url: true })).toBe('https://x.cn/s?m=%E4%B8%AD%E5%9B%BD%20%E5%B7%A5%E4%B8%9A%E6%8A%A5&id=7');
    expect(renderTemplate('{url}', { lookup: () => 'https://x.cn/a?b=1' }, { url: true })).toBe('https://x.cn/a?b=1');
    expect(renderTemplate('{media.name}：{code}', { lookup })).toBe('中国 工业报：202203302327572513');
  });

  it('gives nothing when a {path} is missing or empty, rather than a broken link', () => {
    expect(renderTemplate('https://x.cn/a/{nope}.html', { lookup }, { url: true })).toBeUndefined();
    expect(renderTemplate('https://x.cn/a/{e}.html', { lookup: () => '' }, { url: true })).toBeUndefined();
  });

  it('{{ and }} are literal braces; {now} is milliseconds, {page} the page, {infoCode} the canonical code', () => {
    expect(renderTemplate('a{{b}}c', {})).toBe('a{b}c');
    expect(isTemplate('a{{b}}c')).toBe(false);
    expect(isTemplate('x{code}')).toBe(true);
    expect(renderTemplate('GetNewsText.do?id={infoCode}&t={now}', { infoCode: 'NW1', now: new Date(1648600000000) })).toBe(
      'GetNewsText.do?id=NW1&t=1648600000000',
    );
    expect(templateNames('{a}-{b.c}')).toEqual(['a', 'b.c']);
  });

  it('names what is wrong with a malformed template', () => {
    expect(templateProblem('https://x.cn/{code')).toMatch(/unclosed "\{" at character 14/);
    expect(templateProblem('a{}b')).toMatch(/empty "\{\}"/);
    expect(templateProblem('a}b')).toMatch(/stray "\}".*"\}\}"/);
    expect(templateProblem('https://x.cn/{code}?t={now}')).toBeUndefined();
  });

  it('listUrl fills {now} fresh and {page}, leaving literal braces', () => {
    const source = { url: 'https://np-listapi.eastmoney.com/list?page_index={page}&req_trace={now}&cb={{x}}' } as SourceConfig;
    expect(listUrl(source, 2, new Date(1648600000123))).toBe('https://np-listapi.eastmoney.com/list?page_index=2&req_trace=1648600000123&cb={x}');
    expect(listUrl(source, 1, new Date(1648600000999))).toContain('req_trace=1648600000999');
  });
});

describe('record paths', () => {
  const body = { data: { list: [{ title: 'a' }, { title: 'b' }], page_index: 1 } };

  it('dot paths with numeric indices', () => {
    expect(getPath(body, 'data.list.1.title')).toBe('b');
    expect(getPath(body, 'data.list.9.title')).toBeUndefined();
    expect(getPath(body, 'data.list.x')).toBeUndefined();
    expect(getPath({ a: { '0': 'zero' } }, 'a.0')).toBe('zero');
  });

  it('tells where a walk stopped', () => {
    expect(walkPath(body, 'data.items')).toEqual({ found: false, value: undefined, parent: 'data', holder: body.data });
  });

  it('names malformed paths', () => {
    expect(pathProblem('')).toMatch(/empty/);
    expect(pathProblem('data..list')).toMatch(/empty segment/);
    expect(pathProblem('.list')).toMatch(/empty segment/);
    expect(pathProblem('data.my list')).toMatch(/whitespace/);
    expect(pathProblem('data.list.0.title')).toBeUndefined();
  });
});
