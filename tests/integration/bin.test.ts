import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, symlink } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configYaml, freePort, REPO_ROOT, tempDir, writeConfig } from '../support/harness.js';

/** Runs `node bin/finews.js ...args` in `cwd`. */
async function runBin(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(cwd, 'bin/finews.js'), ...args], { cwd, env: { ...process.env, REDIS_URL: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('bin/finews.js', () => {
  it('says in one line that Redis is not reachable', async () => {
    const tmp = await tempDir();
    try {
      const port = await freePort();
      const config = await writeConfig(tmp.dir, configYaml([{ id: 'nowhere', url: 'http://127.0.0.1:9/feed.xml' }]));
      const r = await runBin(REPO_ROOT, ['status', '--config', config, '--redis', `redis://user:secret@127.0.0.1:${port}/2`]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        `finews: Redis at redis://user:***@127.0.0.1:${port}/2 is not reachable (connect ECONNREFUSED 127.0.0.1:${port}): start it, or leave REDIS_URL and --redis unset to run embedded`,
      ]);
    } finally {
      await tmp.cleanup();
    }
  });

  it('says in one line that the port is in use', async () => {
    const tmp = await tempDir();
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/finews.js'), 'start'], {
        cwd: REPO_ROOT,
        env: { ...process.env, REDIS_URL: '', FINEWS_DATA_DIR: path.join(tmp.dir, 'data'), PORT: String(port), LOG_LEVEL: 'silent', FINEWS_CONFIG: await writeConfig(tmp.dir, configYaml([{ id: 'nowhere', url: 'http://127.0.0.1:9/feed.xml' }])) },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([`finews: 127.0.0.1:${port} is already in use: stop what listens there, or choose another port (PORT=${port + 1}; finews demo --port ${port + 1})`]);
    } finally {
      busy.close();
      await tmp.cleanup();
    }
  });

  it('runs the sources through tsx in a checkout without a dist/ build (right after npm ci)', async () => {
    // A checkout as `npm ci` leaves it: the sources and node_modules, no dist/.
    const tmp = await tempDir();
    try {
      await mkdir(path.join(tmp.dir, 'bin'));
      await copyFile(path.join(REPO_ROOT, 'bin/finews.js'), path.join(tmp.dir, 'bin/finews.js'));
      await copyFile(path.join(REPO_ROOT, 'package.json'), path.join(tmp.dir, 'package.json'));
      await copyFile(path.join(REPO_ROOT, 'feeds.yaml'), path.join(tmp.dir, 'feeds.yaml'));
      for (const dir of ['src', 'node_modules', 'demo']) await symlink(path.join(REPO_ROOT, dir), path.join(tmp.dir, dir));

      const check = await runBin(tmp.dir, ['check']);
      expect(check.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND/);
      expect(check.code, check.stderr).toBe(0);
      expect(check.stdout).toMatch(/feeds\.yaml: ok/);

      const version = await runBin(tmp.dir, ['--version']);
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toBe(JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);

      const help = await runBin(tmp.dir, ['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/demo/);
    } finally {
      await tmp.cleanup();
    }
  });
});
