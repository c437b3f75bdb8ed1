import path from 'node:path';
import { expect, it } from 'vitest';
import { FixtureSite } from '../support/fixture-site.js';
import { Redis } from 'ioredis';
import { createRedisStore } from '../../src/store/redis.js';
import { cleanupRedis, configYaml, freePort, REDIS_URL, redisPrefix, runCli, spawnCli, tempDir, waitFor, writeConfig } from '../support/harness.js';
import { threeFeedSite } from '../support/news-fixtures.js';

it('finews start in Redis mode polls through job schedulers, serves feeds and the queue dashboard, and exits 0 on SIGTERM', async () => {
  const site = await new FixtureSite().start();
  const tmp = await tempDir();
  const prefix = redisPrefix();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const configPath = await writeConfig(tmp.dir, configYaml(threeFeedSite(site)));
  const child = spawnCli(['start', '--config', configPath], {
    REDIS_URL,
    FINEWS_REDIS_PREFIX: prefix,
    FINEWS_DATA_DIR: path.join(tmp.dir, 'data'),
    PORT: String(port),
    ADMIN_TOKEN: 'test-admin-token',
  });
  let logs = '';
  child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
  try {
    await waitFor(async () => {
      const res = await fetch(`${base}/api/items`).catch(() => undefined);
      return res?.ok && ((await res.json()) as { items: unknown[] }).items.length === 3;
    }, 30_000, 'articles stored by the Redis workers');
    await waitFor(async () => (await fetch(`${base}/feeds/all.xml`)).status === 200, 15_000, 'all feed published');

    const { sources } = (await (await fetch(`${base}/api/sources`)).json()) as { sources: Array<{ id: string; state: string; items: number }> };
    expect(sources.map((s) => [s.id, s.state, s.items])).toEqual([
      ['industry', 'ok', 2],
      ['finance', 'ok', 2],
      ['policy', 'ok', 1],
    ]);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    expect((await fetch(`${base}/admin/queues`)).status).toBe(401);
    const dashboard = await fetch(`${base}/admin/queues`, { headers: { authorization: 'Bearer test-admin-token' } });
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-type')).toContain('text/html');
  } finally {
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    await site.stop();
    await tmp.cleanup();
    await cleanupRedis(prefix);
    expect(code, logs.slice(-3000)).toBe(0);
  }
});

it('finews once and status work on Redis too', async () => {
  const site = await new FixtureSite().start();
  const tmp = await tempDir();
  const prefix = redisPrefix();
  try {
    const configPath = await writeConfig(tmp.dir, configYaml(threeFeedSite(site)));
    const env = { FINEWS_REDIS_PREFIX: prefix };
    const once = await runCli(['once', '--config', configPath, '--redis', REDIS_URL], env);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toMatch(/3 sources, 0 failed/);
    const status = await runCli(['status', '--config', configPath, '--redis', REDIS_URL], env);
    expect(status.stdout.split('\n').filter((l) => / ok /.test(l))).toHaveLength(3);
    // The articles are in Redis, under this test's prefix.
    const redis = new Redis(REDIS_URL);
    try {
      const { items } = await createRedisStore({ redis, prefix }).listItems({ limit: 10 });
      expect(items.map((i) => i.infoCode).sort()).toEqual(['NW202203302327570001', 'NW202203302327570002', 'NW202203302327572513']);
    } finally {
      redis.disconnect();
    }
  } finally {
    await site.stop();
    await tmp.cleanup();
    await cleanupRedis(prefix);
  }
});
