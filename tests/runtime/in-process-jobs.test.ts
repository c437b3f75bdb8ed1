import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InProcessJobs, type InProcessProcessors } from '../../src/runtime/in-process-jobs.js';

/** Processors whose publish runs are recorded and held open until `release()`. */
function heldPublisher(): { processors: InProcessProcessors; runs: string[][]; running: () => number; peak: () => number; release(): void } {
  const runs: string[][] = [];
  let active = 0;
  let peak = 0;
  let gate: { promise: Promise<void>; open(): void } = openGate();
  return {
    processors: {
      article: async () => undefined,
      publish: async (slugs) => {
        runs.push([...slugs].sort());
        peak = Math.max(peak, ++active);
        await gate.promise;
        active--;
      },
    },
    runs,
    running: () => active,
    peak: () => peak,
    release: () => {
      gate.open();
      gate = openGate();
    },
  };
}

function openGate(): { promise: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await nextTurn();
}

describe('InProcessJobs publishing', () => {
  it('renders a burst of 200 requests once, and the requests made during that render in one more', async () => {
    const p = heldPublisher();
    const jobs = new InProcessJobs(p.processors, { publishDebounceMs: 0, publishMaxWaitMs: 0 });
    for (let i = 0; i < 200; i++) await jobs.requestPublish(['zhongguogongyebao', 'all']);
    await until(() => p.running() === 1);

    // Requests landing mid-render, each after its debounce has run out (the render already
    // read the store, so one more render must follow, but only one).
    for (let i = 0; i < 200; i++) {
      await jobs.requestPublish([i % 2 === 0 ? 'industry' : 'all']);
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(p.runs).toHaveLength(1);
    p.release();
    await until(() => p.runs.length === 2);
    p.release();
    await jobs.onIdle();

    expect(p.runs).toEqual([
      ['all', 'zhongguogongyebao'],
      ['all', 'industry'],
    ]);
    expect(p.peak()).toBe(1);
    await jobs.close(0);
  });

  it('publishes nothing for a request naming no category', async () => {
    const p = heldPublisher();
    const jobs = new InProcessJobs(p.processors, { publishDebounceMs: 0 });
    await jobs.requestPublish([]);
    await jobs.onIdle();
    expect(p.runs).toEqual([]);
    await jobs.close(0);
  });

  it('holds publishes until onIdle, then renders everything asked for in one run', async () => {
    const p = heldPublisher();
    const jobs = new InProcessJobs(p.processors, { holdPublishes: true });
    // Sources stored over a pass, seconds apart as far as any debounce could tell.
    for (const slug of ['zhongguogongyebao', 'industry', 'zhongguogongyebao']) {
      await jobs.requestPublish([slug, 'all']);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(p.runs).toEqual([]);
    const idle = jobs.onIdle();
    await until(() => p.running() === 1);
    p.release();
    await idle;
    expect(p.runs).toEqual([['all', 'industry', 'zhongguogongyebao']]);
    await jobs.close(0);
  });

  it('with held publishes, a failed render rejects onIdle instead of being asked for again later', async () => {
    let calls = 0;
    const jobs = new InProcessJobs(
      {
        article: async () => undefined,
        publish: async () => {
          calls++;
          throw new Error('disk full');
        },
      },
      { holdPublishes: true, publishAgainAfterMs: 1 },
    );
    await jobs.requestPublish(['all']);
    await expect(jobs.onIdle()).rejects.toThrow('disk full');
    await new Promise((r) => setTimeout(r, 20));
    await jobs.onIdle();
    expect(calls).toBe(1);
    await jobs.close(0);
  });
});
