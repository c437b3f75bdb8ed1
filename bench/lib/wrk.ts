/**
 * wrk as the load generator of the serving benchmark: a C program in a process of its
 * own, one thread, so nearly all of the machine's CPU is left to the server measured.
 * When wrk is missing and this process runs as root, it is installed from the Debian
 * archive (`apt-get install -y wrk`); otherwise the caller falls back to lib/load.ts.
 */
import { spawn, spawnSync } from 'node:child_process';

export interface WrkPlan {
  connections: number;
  durationSec: number;
  /** Request headers, e.g. Accept-Encoding and If-None-Match. */
  headers: Record<string, string>;
}

export interface WrkResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Responses with a status ≥ 400 plus socket errors. */
  errors: number;
}

function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** True when wrk is on PATH, installing it first when it is not and we may. */
export function ensureWrk(): boolean {
  if (hasWrk()) return true;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).error !== undefined) return false;
  console.log('wrk not found: apt-get install -y wrk');
  let r = spawnSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'ignore' });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
    r = spawnSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'ignore' });
  }
  return r.status === 0 && hasWrk();
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latencyMs(out: string, pct: string): number {
  const m = new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
  if (m === null) return Number.NaN;
  return Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1);
}

/** Runs wrk against `url` per `plan` and reads its summary. */
export async function runWrk(url: string, plan: WrkPlan): Promise<WrkResult> {
  const args = ['-t1', `-c${plan.connections}`, `-d${plan.durationSec}s`, '--latency'];
  for (const [name, value] of Object.entries(plan.headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (s: string) => (out += s));
  child.stderr.on('data', (s: Buffer) => (out += s.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`wrk exited ${code}: ${out.slice(-300)}`);
  const reqPerSec = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1] ?? Number.NaN);
  const requests = Number(/^\s*(\d+) requests in/m.exec(out)?.[1] ?? Number.NaN);
  const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((a, b) => a + Number(b), 0);
  if (!Number.isFinite(reqPerSec)) throw new Error(`could not read wrk's output: ${out.slice(0, 300)}`);
  return { reqPerSec, p50Ms: latencyMs(out, '50'), p99Ms: latencyMs(out, '99'), requests, errors: bad + socketErrors };
}
