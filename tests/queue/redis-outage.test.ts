import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { createRedisJobs, startRedisWorkers } from '../../src/queue/redis-runtime.js';
import { compose } from '../../src/runtime/compose.js';
import { createLogger } from '../../src/util/log.js';
import { testConfig, testSource } from '../support/config.js';
import { captureJsonLog, redisPrefix, tempDir, waitFor } from '../support/harness.js';
import { wipe } from './support.js';
import { testOptions } from '../support/compose.js';
import { REDIS_URL } from '../support/redis-url.js';

/** A TCP proxy to the real Redis that can be cut (every connection dropped, new ones refused) and restored. */
async function redisProxy(): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  // The real Redis the suite runs on; the proxy's URL keeps its db and credentials.
  const target = new URL(REDIS_URL);
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    if (server !== undefined) return;
    server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const cut = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
  };
  await listen();
  const url = new URL(REDIS_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.href, cut, restore: listen, close: cut };
}

it('logs one error line per backoff period while Redis is down, not one per reconnect of every connection', async () => {
  const { lines, stream } = captureJsonLog<{ level: number; msg: string; suppressed?: number }>();
  const log = createLogger({ stream, pretty: false });
  const proxy = await redisProxy();
  const prefix = redisPrefix();
  const tmp = await tempDir();
  const config = testConfig([testSource('finance')]);
  const runtime = await compose({ ...testOptions({ dataDir: tmp.dir, redisUrl: proxy.url, prefix }), jobs: 'in-process' }, config, log, { metrics: createMetrics() });
  const redisJobs = await createRedisJobs({ redisUrl: proxy.url, keyPrefix: prefix, log });
  const workers = await startRedisWorkers(runtime.pipeline(redisJobs.jobs), { redisUrl: proxy.url, keyPrefix: prefix, queues: redisJobs.queues, sampleEveryMs: 500 });
  try {
    const before = lines.length;
    await proxy.cut();
    // Every connection (runtime, three queues, three workers and their blocking clients) retries
    // several times in these 4 s; one line says Redis is down.
    await new Promise((r) => setTimeout(r, 4000));
    const errors = lines.slice(before).filter((l) => l.level >= 50);
    expect(errors.map((l) => l.msg)).toHaveLength(1);

    await proxy.restore();
    await waitFor(() => lines.some((l) => l.msg === 'connection restored'), 15_000, 'the recovery line');
  } finally {
    await proxy.restore(); // closing needs Redis back
    await waitFor(() => lines.some((l) => l.msg === 'connection restored'), 15_000, 'Redis back').catch(() => undefined);
    await workers.close(2000);
    await wipe(redisJobs.queues, prefix);
    await redisJobs.close();
    await runtime.close();
    await proxy.close();
    await tmp.cleanup();
  }
}, 40_000);
