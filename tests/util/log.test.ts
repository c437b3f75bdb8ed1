import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, LOG_LIMITS } from '../../src/util/log.js';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { lines, stream };
}

describe('log line bounds', () => {
  it('keeps a 2.3 MB warnings array, a 1 MB title and a huge error message to a short line', async () => {
    const { lines, stream } = capture();
    const log = createLogger({ stream, pretty: false });
    const warnings = Array.from({ length: 23_000 }, (_v, i) => `item ${i}: invalid date ${'x'.repeat(90)}`);
    expect(JSON.stringify(warnings).length).toBeGreaterThan(2_300_000);
    log.warn({ sourceId: 'flood', warnings, title: '标'.repeat(1_000_000), err: new Error('e'.repeat(500_000)) }, 'source feed had broken items');
    log.info({ sourceId: 'small', warnings: ['item 3: invalid date'] }, 'fetched source');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(2);
    const [big, small] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]!.length).toBeLessThan(40_000);
    expect(big?.sourceId).toBe('flood');
    expect(big?.warnings).toHaveLength(LOG_LIMITS.array + 1);
    expect((big?.warnings as string[]).at(-1)).toBe(`… ${23_000 - LOG_LIMITS.array} more`);
    expect(String(big?.title)).toContain('more chars');
    expect((big?.err as { message: string; stack: string }).message.length).toBeLessThan(LOG_LIMITS.string + 50);
    expect(small).toMatchObject({ sourceId: 'small', warnings: ['item 3: invalid date'], msg: 'fetched source' });
  });

  it('still redacts secrets', async () => {
    const { lines, stream } = capture();
    createLogger({ stream, pretty: false }).info({ redisUrl: 'redis://:secret@h:6379', headers: { authorization: 'Bearer t' } }, 'x');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).not.toContain('secret');
    expect(lines[0]).not.toContain('Bearer');
  });
});
