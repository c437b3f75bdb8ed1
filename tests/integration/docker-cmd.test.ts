import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageSpec } from '../support/dockerfile.js';
import { freePort, REPO_ROOT, useFixtureSite, writeConfig } from '../support/harness.js';

/** A path inside the image (WORKDIR /app) as the same file in this checkout. */
const inCheckout = (p: string): string => (p.startsWith('/app/') ? path.join(REPO_ROOT, p.slice('/app/'.length)) : p);

describe("the image's start-up, outside Docker", () => {
  const fx = useFixtureSite();

  it('runs ENTRYPOINT + CMD with the image ENV: a data dir that does not exist yet, /healthz and the HEALTHCHECK pass, SIGTERM exits 0', async () => {
    const spec = imageSpec(REPO_ROOT);
    expect(spec.entrypoint).toEqual(['/app/bin/docker-entrypoint.sh']);
    expect(spec.cmd).toEqual(['start']);
    expect(spec.env).toMatchObject({ FINEWS_CONFIG: '/config/feeds.yaml', FINEWS_DATA_DIR: '/data', PORT: '8080' });

    // The image's paths are the only thing replaced (and HOST, so nothing listens beyond loopback).
    const config = await writeConfig(fx.dir, 'site:\n  title: 财经新闻聚合\n  url: https://finews.example.com\nsources: []\n');
    const port = await freePort();
    const env = { ...process.env, ...spec.env, FINEWS_CONFIG: config, FINEWS_DATA_DIR: path.join(fx.dir, 'data', 'nested'), HOST: '127.0.0.1', PORT: String(port), REDIS_URL: '' };
    const [entry, ...entryArgs] = spec.entrypoint.map(inCheckout);
    const child = spawn(entry ?? '', [...entryArgs, ...spec.cmd], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      let healthy = false;
      for (let i = 0; i < 150 && !healthy && child.exitCode === null; i++) {
        healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
        if (!healthy) await new Promise((r) => setTimeout(r, 200));
      }
      expect(healthy, stderr).toBe(true);
      const check = spawnSync('/bin/sh', ['-c', spec.healthcheck], { env, timeout: 10_000 });
      expect(check.status).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
