import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configYaml, freePort, spawnCli, tempDir, waitFor, writeConfig } from '../support/harness.js';

describe('finews start reloads feeds.yaml on SIGHUP', () => {
  it('applies an edit the watch is told not to see, ignores an invalid one with line:col, and keeps running', async () => {
    const tmp = await tempDir();
    const port = await freePort();
    const configPath = await writeConfig(tmp.dir, configYaml([]));
    // Watching off: only the signal can bring the edit in.
    const child = spawnCli(['start', '--config', configPath], {
      FINEWS_DATA_DIR: path.join(tmp.dir, 'data'),
      FINEWS_CONFIG_WATCH: 'off',
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    let logs = '';
    child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const sourceIds = async (): Promise<string[]> =>
      ((await (await fetch(`http://127.0.0.1:${port}/api/sources`)).json()) as { sources: Array<{ id: string }> }).sources.map((s) => s.id);
    // Disabled, so the daemon never fetches it: the source only shows the config in use.
    const later = { id: 'later', url: 'http://127.0.0.1:9/rss.xml', enabled: false };
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok, 20_000, 'healthz');
      expect(await sourceIds()).toEqual([]);

      await writeFile(configPath, configYaml([later]));
      child.kill('SIGHUP');
      await waitFor(async () => (await sourceIds()).includes('later'), 10_000, 'source added by the SIGHUP reload');
      expect(logs).toMatch(/reloading config/);

      await writeFile(configPath, configYaml([{ ...later, every: 'sometimes' }]));
      child.kill('SIGHUP');
      await waitFor(() => /feeds\.yaml:\d+:\d+: sources\[0\]\.every/.test(logs), 10_000, 'invalid config logged with line:col');
      expect(child.exitCode).toBeNull();
      expect(await sourceIds()).toEqual(['later']);
    } finally {
      child.kill('SIGTERM');
      const code = await closed;
      await tmp.cleanup();
      expect(code, logs.slice(-2000)).toBe(0);
    }
  });
});
