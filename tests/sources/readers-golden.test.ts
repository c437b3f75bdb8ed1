import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FinewsError } from '../../src/errors.js';
import { readerFor } from '../../src/sources/reader.js';
import { readerCases, sourceOf, type ReaderCase } from '../fixtures/sources/records/manifest.js';

/**
 * Every json/html reader fixture under tests/fixtures/sources/records is read with its
 * mapping and compared with the golden `<case>.expected.json` (the items, warnings and
 * skipped count, or the error the source must end in). `UPDATE_GOLDEN=1 npx vitest run
 * tests/sources` rewrites the goldens: read the diff before committing it.
 */
const DIR = join(import.meta.dirname, '..', 'fixtures', 'sources', 'records');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

async function run(c: ReaderCase): Promise<unknown> {
  const body = readFileSync(join(DIR, c.file));
  try {
    return await readerFor(c.kind).read(body, {
      source: sourceOf(c),
      url: c.url,
      ...(c.contentType === undefined ? {} : { contentType: c.contentType }),
      timezone: 'Asia/Shanghai',
    });
  } catch (err) {
    if (!(err instanceof FinewsError)) throw err;
    return { error: { code: err.code, message: err.message, retryable: err.retryable } };
  }
}

describe('json and html reader fixtures match their golden files', () => {
  it.each(readerCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const actual = await run(c);
    const goldenPath = join(DIR, `${c.name}.expected.json`);
    if (UPDATE) writeFileSync(goldenPath, `${JSON.stringify(actual, null, 2)}\n`);
    const expected: unknown = JSON.parse(readFileSync(goldenPath, 'utf8'));
    expect(actual).toEqual(expected);
  });
});
