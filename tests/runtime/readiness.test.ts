/**
 * `/readyz` over the real runtime (embedded mode, SQLite): red when the store's file
 * is deleted under the daemon, and while publishing fails; green again after a
 * publish succeeds.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FinewsError } from '../../src/errors.js';
import { buildServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics.js';
import { feedDocName } from '../../src/publish/doc-names.js';
import { compose, type Composition } from '../../src/runtime/compose.js';
import { InProcessJobs, pipelineProcessors } from '../../src/runtime/in-process-jobs.js';
import type { Store } from '../../src/store/store.js';
import { testConfig } from '../support/config.js';
import { testOptions } from '../support/compose.js';
import { configYaml, runCli, tempDir, writeConfig } from '../support/harness.js';
import { makeItem, newsKey } from '../store/items.js';

interface LogLine {
  level: number;
  msg: string;
  file?: string;
  work?: string;
  err?: { message?: string };
}

describe('readiness of the embedded runtime', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let runtime: Composition;
  let lines: LogLine[];

  beforeEach(async () => {
    tmp = await tempDir('finews-ready-');
    lines = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
    runtime = await compose(testOptions({ dataDir: path.join(tmp.dir, 'data') }), testConfig([]), log, { metrics: createMetrics() });
  });
  afterEach(async () => {
    await runtime.close();
    await tmp.cleanup();
  });

  function server() {
    return buildServer({ config: runtime.config, store: runtime.store, metrics: runtime.metrics, log: pino({ level: 'silent' }), ready: runtime.ready });
  }

  it('turns /readyz red with the reason once the database file is deleted', async () => {
    const app = server();
    try {
      await runtime.store.saveItem(makeItem(newsKey(1)));
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);

      const file = path.join(tmp.dir, 'data', 'finews.db');
      rmSync(file);
      const res = await app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        status: 'unavailable',
        reason: expect.stringContaining(`store-unavailable: sqlite store ${file}: the database file is gone (ENOENT)`),
      });
      expect(lines.filter((l) => l.level >= 50)).toEqual([expect.objectContaining({ msg: 'sqlite store file lost: not ready', file })]);
    } finally {
      await app.close();
    }
  });

  it('is red while publishing fails, logging the cause, and green after a publish succeeds', async () => {
    let full = true;
    const store = runtime.store;
    // The disk fills: rendered documents cannot be written; everything else works.
    const fillingStore = new Proxy(store, {
      get(target, prop) {
        if (prop === 'putRendered' && full) {
          return async () => {
            throw new FinewsError('store-unavailable', 'sqlite store finews.db: putRendered failed: database or disk is full');
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as Store;
    const jobs = new InProcessJobs(pipelineProcessors((sink) => ({ ...runtime.pipeline(sink), store: fillingStore })), { log: runtime.log, publishDebounceMs: 5 });
    const app = server();
    try {
      await store.saveItem(makeItem(newsKey(1)));
      await jobs.requestPublish(['zhongguogongyebao']);
      await jobs.onIdle();

      const red = await app.inject({ url: '/readyz' });
      expect(red.statusCode).toBe(503);
      expect(red.json<{ reason: string }>().reason).toMatch(
        /^publish-failed: publish failing since \S+: store-unavailable: sqlite store finews\.db: putRendered failed: database or disk is full$/,
      );
      const errors = lines.filter((l) => l.level >= 50 && l.work === 'publish');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.err?.message).toContain('database or disk is full');

      // Failing again is not logged again as a new failure.
      await jobs.requestPublish(['zhongguogongyebao']);
      await jobs.onIdle();
      expect(lines.filter((l) => l.level >= 50 && l.work === 'publish')).toHaveLength(1);
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);

      full = false;
      await jobs.requestPublish(['zhongguogongyebao']);
      await jobs.onIdle();
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      expect(lines).toContainEqual(expect.objectContaining({ msg: 'publish succeeded again: ready', work: 'publish' }));
      expect(await store.getRendered(feedDocName('zhongguogongyebao', 'rss'))).not.toBeNull();
    } finally {
      await app.close();
      await jobs.close(1000);
    }
  });
});

describe('start-up on a damaged database file', () => {
  it('refuses to start, naming the file and what to do', async () => {
    const tmp = await tempDir('finews-corrupt-');
    try {
      const dataDir = path.join(tmp.dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      const file = path.join(dataDir, 'finews.db');
      writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a));
      const config = await writeConfig(tmp.dir, configYaml([{ id: 'cinn-industry', url: 'http://127.0.0.1:9/rss.xml' }]));
      const r = await runCli(['start', '--config', config], { FINEWS_DATA_DIR: dataDir, PORT: '0' });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`finews: sqlite store ${file}: the database file is corrupt or not a SQLite database`);
      expect(r.stderr).toContain('restore a backup');
    } finally {
      await tmp.cleanup();
    }
  }, 30_000);
});
