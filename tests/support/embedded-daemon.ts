import type { ChildProcess } from 'node:child_process';
import { freePort, spawnCli, waitFor } from './harness.js';

/** An embedded `finews start` child on a free port, its stderr kept for failure messages. */
export interface EmbeddedDaemon {
  child: ChildProcess;
  port: number;
}

/**
 * Starts embedded daemons on one config and data dir, one after the other (a restart keeps
 * the data dir), and reads what they store. Every child is pushed on `children` so the
 * suite's afterEach can kill what a failed test left running.
 */
export function embeddedDaemons(opts: { configPath: string; dataDir: string; env?: NodeJS.ProcessEnv; children: ChildProcess[] }) {
  let logs = '';
  return {
    logs: (): string => logs,
    async start(): Promise<EmbeddedDaemon> {
      const port = await freePort();
      const child = spawnCli(['start', '--config', opts.configPath], { ...opts.env, FINEWS_DATA_DIR: opts.dataDir, PORT: String(port) });
      child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
      opts.children.push(child);
      return { child, port };
    },
    /** SIGKILL, as a crash: nothing drains. */
    async kill(daemon: EmbeddedDaemon): Promise<void> {
      daemon.child.kill('SIGKILL');
      await new Promise((r) => daemon.child.once('close', r));
    },
    /** Waits until `/api/items` lists at least one item; fails with the daemons' last logs. */
    async storedItems(daemon: EmbeddedDaemon, timeoutMs = 30_000): Promise<Array<{ infoCode: string; title: string }>> {
      return waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${daemon.port}/api/items`).catch(() => undefined);
        const body = res?.ok ? ((await res.json()) as { items: Array<{ infoCode: string; title: string }> }) : undefined;
        return body && body.items.length > 0 ? body.items : undefined;
      }, timeoutMs, 'article stored after the restart').catch((err: unknown) => {
        throw new Error(`${String(err)}\n${logs.slice(-4000)}`);
      });
    },
    /** SIGTERM and the exit code. */
    async stop(daemon: EmbeddedDaemon): Promise<number | null> {
      daemon.child.kill('SIGTERM');
      return new Promise((r) => daemon.child.once('close', (code: number | null) => r(code)));
    },
  };
}
