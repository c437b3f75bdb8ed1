import { expect, it } from 'vitest';
import { captureJsonLog } from '../support/harness.js';
import { createLogger } from '../../src/util/log.js';
import { createOutageLog } from '../../src/util/outage-log.js';

it('logs the first error, then one line per doubling period with the suppressed count, and starts over after recovery', async () => {
  const { lines, stream } = captureJsonLog<{ msg: string; suppressed?: number }>();
  let t = 0;
  const outage = createOutageLog(createLogger({ stream, pretty: false }), { firstMs: 1000, maxMs: 8000, now: () => t });
  // Five errors a second for 10 s.
  for (; t <= 10_000; t += 200) outage.error(new Error('ECONNREFUSED'), { queue: 'refresh' }, 'queue connection error');
  outage.recovered();
  t += 100;
  outage.error(new Error('ECONNREFUSED'), {}, 'queue connection error');
  await new Promise((r) => setImmediate(r));
  // t = 0, 1000, 3000, 7000 (periods 1 s, 2 s, 4 s, then 8 s), recovered, a new outage at once.
  expect(lines.map((l) => l.msg)).toEqual([
    'queue connection error',
    'queue connection error (still failing)',
    'queue connection error (still failing)',
    'queue connection error (still failing)',
    'connection restored',
    'queue connection error',
  ]);
  expect(lines[1]?.suppressed).toBe(4);
});
