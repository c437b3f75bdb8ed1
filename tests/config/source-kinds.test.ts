import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, parseConfig } from '../../src/config/load.js';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/config');

async function parse(name: string): Promise<ReturnType<typeof parseConfig>> {
  return parseConfig(await readFile(path.join(FIXTURES, name), 'utf8'), 'feeds.yaml');
}

describe('json/html sources in feeds.yaml', () => {
  it('reports every kind, mapping, template, selector, header and article.api mistake at its line:col, all at once', async () => {
    const result = await parse('source-kinds-mistakes.yaml');
    expect(result.ok).toBe(false);
    const lines = result.ok ? [] : result.errors.map(formatIssue);
    expect(lines).toEqual([
      'feeds.yaml:7:21: politeness.hosts["https://bad/"]: "https://bad/" is not a host name (write it without scheme, port or path, e.g. np-listapi.eastmoney.com)',
      'feeds.yaml:10:11: sources[0].kind: unknown kind "jsn" (expected one of: rss, json, html)',
      'feeds.yaml:14:5: sources[1]: "items" is only for json and html sources; add kind: json or kind: html, or remove it (an rss source maps its items itself)',
      'feeds.yaml:15:5: sources[1]: "fields" is only for json and html sources; add kind: json or kind: html, or remove it (an rss source maps its items itself)',
      'feeds.yaml:17:5: sources[2]: a json source needs "items": the dot path to its list of records (e.g. data.list)',
      'feeds.yaml:17:5: sources[2]: a json source needs "fields" with at least title and link or infoCode',
      'feeds.yaml:18:10: sources[2].url: url "https://a.example/api?t={now}&p={page}&x={foo}" names {foo}; a source url may only use {now} and {page}',
      'feeds.yaml:19:53: sources[2].headers.Host: header "Host" is set by finews itself and cannot be configured',
      'feeds.yaml:24:12: sources[3].items: path "data..list" has an empty segment (a leading, trailing or doubled ".")',
      'feeds.yaml:25:12: sources[3].pages: 3 pages, but the url has no {page}: every page would be the same request',
      'feeds.yaml:26:5: sources[3].fields: give "link" or "infoCode" (or both), so each record has an identity',
      'feeds.yaml:27:22: sources[3].fields.title[1]: path must not be empty',
      'feeds.yaml:28:16: sources[3].fields.summary: template "{digest" has an unclosed "{" at character 1',
      'feeds.yaml:30:7: sources[3].article.api: missing required key "url"',
      'feeds.yaml:34:12: sources[4].items: invalid CSS selector "ul >> li[": Did not expect successive traversals.',
      'feeds.yaml:37:13: sources[4].fields.link: "a@" names no attribute after "@"',
    ]);
  });

  it('reports a json source without fields.title, and article.api without content', () => {
    const text = [
      'site: { title: t, url: "https://x.example" }',
      'sources:',
      '  - id: a',
      '    kind: json',
      '    url: "https://a.example/api"',
      '    items: data.list',
      '    fields: { link: url }',
      '    article:',
      '      api: { url: "https://a.example/body?id={infoCode}" }',
    ].join('\n');
    const result = parseConfig(text, 'feeds.yaml');
    expect(result.ok ? [] : result.errors.map(formatIssue)).toEqual([
      'feeds.yaml:7:5: sources[0].fields: missing "title" (which path holds each record\'s title)',
      'feeds.yaml:9:7: sources[0].article.api: missing required key "content"',
    ]);
  });

  it('resolves kind, headers, pages, mapping, maxItems, article.api and per-host politeness', async () => {
    const result = await parse('source-kinds.yaml');
    if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
    const { config } = result;
    expect(config.politeness.hosts).toEqual({ 'np-listapi.eastmoney.com': { perHostConcurrency: 3, minSpacingMs: 2000 } });
    const [source] = config.sources;
    expect(source).toMatchObject({
      kind: 'json',
      headers: { Referer: 'https://a.example/' },
      pages: 2,
      maxItems: 50,
      mapping: { items: 'data.list', fields: { title: 'title', infoCode: 'code', link: 'https://a.example/a/{code}.html' } },
      article: {
        api: { url: 'http://a.example/GetNewsText.do?id={infoCode}', content: ['content', 'text'], headers: { Referer: 'https://a.example/' } },
      },
    });
  });

  it('keeps an rss source as before: kind rss, no headers, one page, maxItems 1000', () => {
    const result = parseConfig('site: { title: t, url: "https://x.example" }\nsources:\n  - { id: a, url: "https://a.example/rss" }\n', 'feeds.yaml');
    if (!result.ok) throw new Error('invalid');
    expect(result.config.sources[0]).toMatchObject({ kind: 'rss', headers: {}, pages: 1, maxItems: 1000 });
    expect(result.config.sources[0]?.mapping).toBeUndefined();
  });
});
