import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/check.js';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/config');
const ROOT_CONFIG = path.join(import.meta.dirname, '../../feeds.yaml');

async function check(configPath: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await checkCommand({ configPath, defaultSiteUrl: 'http://127.0.0.1:8080' }, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

describe('checkCommand', () => {
  it('exits 0 with a one-line summary for the shipped feeds.yaml', async () => {
    const { code, out, err } = await check(ROOT_CONFIG);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([`${ROOT_CONFIG}: ok — 6 sources (3 enabled), 4 publishers, 3 categories`]);
  });

  it('exits 1 and prints every error as file:line:col: message', async () => {
    const file = path.join(FIXTURES, 'many-mistakes.yaml');
    const { code, out, err } = await check(file);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    const errorLines = err.slice(0, -1);
    expect(errorLines.length).toBeGreaterThanOrEqual(15);
    for (const line of errorLines) expect(line).toMatch(new RegExp(`^${escape(file)}:\\d+:\\d+: \\S`));
    expect(errorLines).toContain(`${file}:34:5: unknown key "evrey" in sources[2] (did you mean "every"?)`);
    expect(err.at(-1)).toBe(`${file}: ${errorLines.length} errors`);
  });

  it('prints warnings before the summary and still exits 0', async () => {
    const file = path.join(FIXTURES, 'slug-collision.yaml');
    const { code, out, err } = await check(file);
    expect(code).toBe(0);
    expect(err).toHaveLength(2);
    expect(err[0]).toMatch(new RegExp(`^${escape(file)}:7:3: warning: publishers "中国工业报" \\(line 6\\) and "中工网"`));
    expect(out).toEqual([`${file}: ok — 3 sources (3 enabled), 4 publishers, 0 categories, 2 warnings`]);
  });

  it('refuses a catastrophic infoCode pattern with its line and column', async () => {
    const file = path.join(FIXTURES, 'catastrophic-regex.yaml');
    const { code, out, err } = await check(file);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err[0]).toMatch(new RegExp(`^${escape(file)}:9:16: sources\\[0\\]\\.infoCode\\.pattern.*"\\(a\\+\\)\\+\\$".*exponential time`));
    expect(err[1]).toBe(`${file}: 1 error`);
  });

  it('exits 1 naming a missing file', async () => {
    const file = path.join(FIXTURES, 'does-not-exist.yaml');
    const { code, err } = await check(file);
    expect(code).toBe(1);
    expect(err[0]).toBe(`${file}:1:1: cannot read config file ${file}: no such file`);
    expect(err[1]).toBe(`${file}: 1 error`);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
