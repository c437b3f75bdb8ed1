import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, formatIssue, parseConfig } from '../../src/config/load.js';
import { parseDuration } from '../../src/config/durations.js';
import { readFileSync } from 'node:fs';

const DOC = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

const BASE = `site:
  title: 财经新闻聚合
  url: https://finews.example.com
sources:
  - id: cinn
    url: https://news.example.org/rss.xml
`;

function withStories(block: string): string {
  return `${BASE}stories:\n${block}`;
}

function errors(text: string): string[] {
  const result = parseConfig(text, 'feeds.yaml');
  if (result.ok) throw new Error('expected errors, config was valid');
  return result.errors.map(formatIssue);
}

describe('stories config', () => {
  it('defaults to grouping on, a 72 h window and distance 24 when left out', () => {
    const result = parseConfig(BASE, 'feeds.yaml');
    if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
    expect(result.config.stories).toEqual({ enabled: true, windowMs: 72 * 3600_000, maxDistance: 24 });
    expect(result.config.stories).toEqual(CONFIG_DEFAULTS.stories);
  });

  it('reads every key as written', () => {
    const result = parseConfig(withStories('  enabled: false\n  window: 36h\n  maxDistance: 20\n'), 'feeds.yaml');
    if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
    expect(result.config.stories).toEqual({ enabled: false, windowMs: 36 * 3600_000, maxDistance: 20 });
  });

  it('reports a distance out of range or not whole, and a bad window, at their line and column', () => {
    expect(errors(withStories('  maxDistance: 65\n'))).toEqual([expect.stringMatching(/^feeds\.yaml:8:16: stories\.maxDistance: .*64/)]);
    expect(errors(withStories('  maxDistance: -1\n'))).toEqual([expect.stringMatching(/^feeds\.yaml:8:16: stories\.maxDistance: .*0/)]);
    expect(errors(withStories('  maxDistance: 2.5\n'))).toEqual([expect.stringMatching(/^feeds\.yaml:8:16: stories\.maxDistance: expected a whole number, got 2\.5/)]);
    expect(errors(withStories('  window: 72\n'))).toEqual([expect.stringMatching(/^feeds\.yaml:8:11: stories\.window: duration 72 has no unit/)]);
    expect(errors(withStories('  window: 5d\n'))).toEqual([expect.stringMatching(/^feeds\.yaml:8:11: stories\.window: story window 5d is too long \(at most 3d\)/)]);
    expect(errors(withStories('  enabled: yes please\n'))).toEqual([expect.stringMatching(/^feeds\.yaml:8:12: stories\.enabled: /)]);
  });

  it('refuses an unknown key under stories with a hint', () => {
    expect(errors(withStories('  maxDistanse: 20\n'))).toEqual([expect.stringMatching(/^feeds\.yaml:8:3: .*maxDistanse.*maxDistance/)]);
  });

  it('documents the defaults the code uses', () => {
    const start = DOC.indexOf('\n## `stories`\n');
    expect(start).toBeGreaterThan(0);
    const table = DOC.slice(start).split('\n\n').find((block) => block.startsWith('| key | default |')) ?? '';
    const documented = new Map([...table.matchAll(/^\| `([A-Za-z]+)` \| `([^`]+)` \|/gm)].map((m) => [m[1], m[2]]));
    expect({
      enabled: documented.get('enabled') === 'true',
      windowMs: parseDuration(documented.get('window') ?? ''),
      maxDistance: Number(documented.get('maxDistance')),
    }).toEqual(CONFIG_DEFAULTS.stories);
  });
});
