import { Writable } from 'node:stream';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach } from 'vitest';
import { FixtureSite } from './fixture-site.js';
import { REDIS_URL } from './redis-url.js';

export { REDIS_URL };
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** A temporary directory removed by the returned cleanup. */
export async function tempDir(prefix = 'finews-test-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A Redis key prefix of this test's own. */
export function redisPrefix(): string {
  return `finews-test:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every Redis key under `prefix`. */
export async function cleanupRedis(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 10_000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface TestSource {
  id: string;
  url: string;
  every?: string;
  timeout?: string;
  maxBytes?: string;
  publisher?: string;
  categories?: string[];
  enabled?: boolean;
  articleFetch?: boolean;
}

/** A feeds.yaml for sources on the fixture site. */
export function configYaml(sources: TestSource[], extra: { politeness?: { perHost: number; spacing: string }; site?: Record<string, string | number> } = {}): string {
  const site = { title: '财经新闻聚合', url: 'https://finews.example.com', language: 'zh-CN', timezone: 'Asia/Shanghai', itemsPerFeed: 50, retentionDays: 36500, ...extra.site };
  const lines = ['site:', ...Object.entries(site).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)];
  lines.push('defaults:', '  every: 10m', '  timeout: 5s', '  userAgent: "finews-test/1"');
  if (extra.politeness) lines.push('politeness:', `  perHost: ${extra.politeness.perHost}`, `  spacing: ${extra.politeness.spacing}`);
  lines.push('sources:');
  for (const s of sources) {
    lines.push(`  - id: ${s.id}`, `    url: ${JSON.stringify(s.url)}`);
    if (s.every) lines.push(`    every: ${s.every}`);
    if (s.timeout) lines.push(`    timeout: ${s.timeout}`);
    if (s.maxBytes) lines.push(`    maxBytes: ${s.maxBytes}`);
    if (s.publisher) lines.push(`    publisher: ${s.publisher}`);
    if (s.categories) lines.push(`    categories: [${s.categories.join(', ')}]`);
    if (s.enabled === false) lines.push('    enabled: false');
    if (s.articleFetch === false) lines.push('    article:', '      fetch: false');
  }
  return lines.join('\n') + '\n';
}

export async function writeConfig(dir: string, yaml: string): Promise<string> {
  const file = path.join(dir, 'feeds.yaml');
  await writeFile(file, yaml);
  return file;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the finews CLI from source in a child process. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the finews CLI to completion. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 15_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A fixture news site and a temporary directory for every test of the calling
 * `describe` (or file): started before each test, stopped and removed after.
 */
export function useFixtureSite(): { readonly site: FixtureSite; readonly dir: string } {
  let site: FixtureSite | undefined;
  let tmp: { dir: string; cleanup(): Promise<void> } | undefined;
  beforeEach(async () => {
    site = await new FixtureSite().start();
    tmp = await tempDir();
  });
  afterEach(async () => {
    await site?.stop();
    await tmp?.cleanup();
  });
  return {
    get site(): FixtureSite {
      if (!site) throw new Error('useFixtureSite: used outside a test');
      return site;
    },
    get dir(): string {
      if (!tmp) throw new Error('useFixtureSite: used outside a test');
      return tmp.dir;
    },
  };
}

/** A Redis key prefix of its own for every test of the calling `describe` (or file), deleted after. */
export function useRedisPrefix(): { readonly prefix: string } {
  let prefix: string | undefined;
  beforeEach(() => {
    prefix = redisPrefix();
  });
  afterEach(async () => {
    if (prefix) await cleanupRedis(prefix);
  });
  return {
    get prefix(): string {
      if (!prefix) throw new Error('useRedisPrefix: used outside a test');
      return prefix;
    },
  };
}

/** A log stream that parses each JSON line it is written into `lines`, for a test to read what was logged. */
export function captureJsonLog<T>(): { lines: T[]; stream: Writable } {
  const lines: T[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as T);
      done();
    },
  });
  return { lines, stream };
}
