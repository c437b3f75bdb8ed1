import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FinewsError } from '../../src/errors.js';
import { parseFeed } from '../../src/sources/parse-feed.js';

/**
 * Every fixture feed under tests/fixtures/sources is parsed and compared with the
 * golden `<name>.expected.json` beside it (the ParsedFeed, or the error it must
 * raise). `UPDATE_GOLDEN=1 npx vitest run tests/sources` rewrites the goldens: read
 * the diff before committing it.
 */
const DIR = join(import.meta.dirname, '..', 'fixtures', 'sources');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const fixtures = readdirSync(DIR).filter((f) => !f.endsWith('.expected.json') && /\.(xml|html|json|txt|rss|atom)$/.test(f));

async function run(file: string): Promise<unknown> {
  const text = readFileSync(join(DIR, file), 'utf8');
  try {
    return await parseFeed(text, { feedUrl: `https://rss.example.com/feeds/${file}`, timezone: 'Asia/Shanghai' });
  } catch (err) {
    if (!(err instanceof FinewsError)) throw err;
    return { error: { code: err.code, message: err.message, retryable: err.retryable } };
  }
}

describe('source feed fixtures match their golden files', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(7);
  });

  it.each(fixtures)('%s', async (file) => {
    const actual = await run(file);
    const goldenPath = join(DIR, file.replace(/\.[^.]+$/, '.expected.json'));
    if (UPDATE) writeFileSync(goldenPath, `${JSON.stringify(actual, null, 2)}\n`);
    const expected: unknown = JSON.parse(readFileSync(goldenPath, 'utf8'));
    expect(actual).toEqual(expected);
  });
});
