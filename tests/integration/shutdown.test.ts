import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configYaml, freePort, REPO_ROOT, tempDir, waitFor, writeConfig } from '../support/harness.js';

/** How long `finews start` drains on SIGTERM (RuntimeOptions.drainMs), plus time to close. */
const DEADLINE_MS = 25_000 + 5_000;

describe('shutdown', () => {
  it('exits 0 on SIGTERM within the drain deadline when the reader of its stderr pipe is gone', async () => {
    const tmp = await tempDir();
    const port = await freePort();
    const configPath = await writeConfig(tmp.dir, configYaml([{ id: 'nowhere', url: 'http://127.0.0.1:9/feed.xml', every: '1h' }]));
    // A real OS pipe (a FIFO), as `finews start 2>&1 | tee log`: spawn's own stdio pipes are sockets.
    const fifo = path.join(tmp.dir, 'stderr.fifo');
    execFileSync('mkfifo', [fifo]);
    let reader: number | undefined = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli.ts'), 'start', '--config', configPath], {
      cwd: REPO_ROOT,
      env: { ...process.env, REDIS_URL: '', FINEWS_DATA_DIR: path.join(tmp.dir, 'data'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      stdio: ['ignore', writer, writer],
    });
    closeSync(writer);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok, 20_000, 'healthz');
      // tee is gone: nobody reads the pipe any more, and every log line meets EPIPE.
      closeSync(reader);
      reader = undefined;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
      const result = await exited;
      clearTimeout(timer);
      expect(result).toEqual({ code: 0, signal: null });
    } finally {
      if (reader !== undefined) closeSync(reader);
      child.kill('SIGKILL');
      await tmp.cleanup();
    }
  }, 60_000);
});
