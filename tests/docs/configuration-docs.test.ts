import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownKeysAt } from '../../src/config/schema.js';

const DOC = readFileSync(path.join(import.meta.dirname, '../../docs/configuration.md'), 'utf8');

/** Stands for any entry of a list or any key of a mapping (sources[*], hosts.*, publishers.*). */
const ANY = '*';

/**
 * Every key feeds.yaml accepts, as dotted paths (`sources.*.article.api.headers`), found by
 * walking the config schema itself: an object's keys, then into each of them, through
 * lists and mappings alike.
 */
function schemaKeyPaths(): string[][] {
  const out: string[][] = [];
  const walk = (at: string[]): void => {
    if (at.length > 12) return;
    for (const key of knownKeysAt(at)) {
      const here = [...at, key];
      out.push(here);
      walk(here);
      walk([...here, ANY]);
    }
  };
  walk([]);
  return out;
}

/** True when the doc names `key` in code: `` `key` `` or a dotted `` `….key` ``. */
function documents(doc: string, key: string): boolean {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\`(?:[\\w.]+\\.)?${escaped}\``).test(doc);
}

function undocumented(doc: string): string[] {
  return schemaKeyPaths()
    .filter((p) => !documents(doc, p[p.length - 1] ?? ''))
    .map((p) => p.join('.'));
}

describe('docs/configuration.md', () => {
  it('walks the whole schema, nested objects, lists and mappings included', () => {
    const paths = schemaKeyPaths().map((p) => p.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'site.shareUrl',
        'defaults.article.api.content',
        'politeness.hosts.*.spacing',
        'publishers.*.alias',
        'categories.*.title',
        'sources.*.fields.publishedAt',
        'sources.*.infoCode.pattern',
        'sources.*.article.remove',
        'sources.*.allowPrivateNetworks',
      ]),
    );
  });

  it('names every key feeds.yaml accepts', () => {
    expect(undocumented(DOC)).toEqual([]);
  });

  it('notices a key the text does not name', () => {
    const without = DOC.replaceAll('`dateFormat`', 'the date format');
    expect(undocumented(without)).toEqual(['sources.*.dateFormat']);
  });
});
