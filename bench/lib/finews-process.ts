/**
 * finews as a user runs it: `bin/finews.js <command>` in a process of its own, on a
 * generated feeds.yaml, a temp data dir (embedded mode) or a fresh Redis key prefix
 * (Redis mode). Also the plumbing the whole-process benchmarks share: waiting for a
 * port, reading a process's RSS, deleting a Redis prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const FINEWS_BIN = join(REPO_ROOT, 'bin', 'finews.js');
const TSX_CLI = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** The shared local Redis the benchmarks use under their own prefix. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export type Mode = 'embedded' | 'redis';

/** Where one finews installation lives: its config, data dir and Redis prefix. */
export interface FinewsEnv {
  mode: Mode;
  dir: string;
  configPath: string;
  dataDir: string;
  redisPrefix: string;
}

export interface ConfigSpec {
  feedUrls: readonly string[];
  /** Fetch each item's article page. @defaultValue false */
  fetchArticles?: boolean;
  /** @defaultValue 1h: one pass, then quiet */
  every?: string;
}

/** A feeds.yaml of one rss source per URL; politeness opened up, since every source is the one local host. */
export function writeConfig(path: string, spec: ConfigSpec): void {
  const sources = spec.feedUrls.map((url, i) => `  - id: feed-${String(i + 1).padStart(3, '0')}\n    url: "${url}"`).join('\n');
  writeFileSync(
    path,
    `site:
  title: 财经新闻聚合
  url: https://finews.example.com
  language: zh-CN
  timezone: Asia/Shanghai
  itemsPerFeed: 50
  retentionDays: 100000
defaults:
  every: ${spec.every ?? '1h'}
  timeout: 120s
  allowPrivateNetworks: true
  article:
    fetch: ${spec.fetchArticles === true ? 'true' : 'false'}
politeness:
  perHost: 64
  spacing: 0s
sources:
${sources}
`,
  );
}

let envCounter = 0;

/** A fresh temp dir with feeds.yaml, a data dir and a Redis prefix no one else uses. */
export function newEnv(mode: Mode, spec: ConfigSpec): FinewsEnv {
  const dir = mkdtempSync(join(tmpdir(), `finews-bench-${mode}-`));
  const configPath = join(dir, 'feeds.yaml');
  writeConfig(configPath, spec);
  return { mode, dir, configPath, dataDir: join(dir, 'data'), redisPrefix: `finews-bench:${process.pid}-${Date.now()}-${envCounter++}:` };
}

/** Deletes the env's temp dir and its Redis keys. */
export async function removeEnv(env: FinewsEnv): Promise<void> {
  rmSync(env.dir, { recursive: true, force: true });
  if (env.mode === 'redis') await deleteRedisPrefix(env.redisPrefix);
}

/** Deletes every key under `prefix` in the bench Redis. */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** Environment of a finews process of `env`: its config, data dir or Redis, and quiet logs. */
function processEnv(env: FinewsEnv, extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', FINEWS_CONFIG: env.configPath, FINEWS_DATA_DIR: env.dataDir, FINEWS_CONFIG_WATCH: 'off', ...extra };
  delete e.REDIS_URL;
  if (env.mode === 'redis') {
    e.REDIS_URL = REDIS_URL;
    e.FINEWS_REDIS_PREFIX = env.redisPrefix;
  }
  return e;
}

/** Starts `finews <args>` for `env`; stdout is collected, stderr passed through. */
export function spawnFinews(env: FinewsEnv, args: readonly string[], extraEnv: Record<string, string> = {}): { child: ChildProcess; stdout: () => string } {
  const child = spawn(process.execPath, [FINEWS_BIN, ...args], { cwd: env.dir, env: processEnv(env, extraEnv), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (s: string) => (out += s));
  return { child, stdout: () => out };
}

/** Runs a process to its end; rejects on a non-zero exit. Returns its wall time and stdout. */
export async function runToExit(child: ChildProcess, stdout: () => string, what: string): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`${what} exited with ${code ?? signal}: ${stdout().slice(-300)}`);
  return { ms, stdout: stdout() };
}

/** `finews once` on `env`, to completion: wall time from spawn to exit, and its summary. */
export async function finewsOnce(env: FinewsEnv): Promise<{ ms: number; stdout: string }> {
  const { child, stdout } = spawnFinews(env, ['once']);
  return runToExit(child, stdout, `finews once (${env.mode})`);
}

/** Starts a bench-side TypeScript script (through tsx) in a process of its own. */
export function spawnScript(script: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; ipc?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, [TSX_CLI, script, ...args], {
    cwd: REPO_ROOT,
    env: opts.env ?? process.env,
    stdio: opts.ipc === true ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
  });
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Polls `url` until it answers 200 (or `child` exits, or `timeoutMs` passes). */
export async function waitForOk(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${url} answered`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** Current resident set of process `pid`, MB (Linux /proc). */
export function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** SIGTERMs `child` and waits for it to exit (SIGKILL after `graceMs`). */
export async function stopProcess(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
