/**
 * Serving a feed: `finews serve` as a user runs it (a process of its own, embedded mode
 * on the data dir `finews once` filled, and Redis mode on its prefix), against the
 * ceiling of the stack: a raw node:http process writing the very bytes and headers
 * finews answered with, from a Buffer. `GET /feeds/all.xml` with `Accept-Encoding:
 * gzip` (200) and with the ETag in `If-None-Match` (304), under one load generator
 * (wrk, one thread; lib/load.ts when wrk cannot be had), sides alternating run by run.
 */
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import {
  finewsOnce,
  freePort,
  median,
  newEnv,
  removeEnv,
  REPO_ROOT,
  rssMbOf,
  spawnFinews,
  spawnScript,
  stopProcess,
  waitForOk,
  type FinewsEnv,
  type Mode,
} from './lib/finews-process.js';
import { driveLoad } from './lib/load.js';
import { NewsSite } from './lib/news-site.js';
import type { BenchOptions } from './lib/options.js';
import { fmtMs, fmtNum, type Comparison, type Side } from './lib/report.js';
import { ensureWrk, runWrk } from './lib/wrk.js';

const PATH = '/feeds/all.xml';
const RAW_SERVER = join(REPO_ROOT, 'bench', 'lib', 'raw-server.ts');
/** Headers that belong to the connection or the moment, not to the document. */
const HOP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

type Kind = '200' | '304';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One GET with `headers`, body as sent (not decompressed). */
function get(origin: string, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) h[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Server {
  origin: string;
  child: ChildProcess;
}

interface Target {
  mode: Mode;
  ours: Server;
  raw: Server;
  etag: string;
  gzipBytes: number;
  env: FinewsEnv;
}

async function startRaw(env: FinewsEnv, ok: Answer, notModified: Answer): Promise<Server> {
  const bodyFile = join(env.dir, 'all.xml.gz');
  const specFile = join(env.dir, 'raw-server.json');
  writeFileSync(bodyFile, ok.body);
  writeFileSync(specFile, JSON.stringify({ path: PATH, body: bodyFile, etag: ok.headers.etag, headers200: ok.headers, headers304: notModified.headers }));
  const child = spawnScript(RAW_SERVER, [specFile]);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (s: string) => {
      out += s;
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.on('exit', (code) => reject(new Error(`raw server exited ${code}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, child };
}

/** `finews once` into a fresh env of `mode`, then `finews serve` on it and its raw twin. */
async function startTarget(mode: Mode, site: NewsSite): Promise<Target> {
  const env = newEnv(mode, { feedUrls: site.feedUrls() });
  await finewsOnce(env);
  const port = await freePort();
  const { child } = spawnFinews(env, ['serve'], { PORT: String(port), HOST: '127.0.0.1' });
  const origin = `http://127.0.0.1:${port}`;
  await waitForOk(`${origin}/healthz`, child);
  const ok = await get(origin, PATH, { 'accept-encoding': 'gzip' });
  if (ok.status !== 200 || ok.headers['content-encoding'] !== 'gzip' || ok.headers.etag === undefined) {
    throw new Error(`finews serve (${mode}) answered ${PATH} with ${ok.status} ${ok.headers['content-encoding'] ?? 'identity'}, etag ${ok.headers.etag ?? 'none'}`);
  }
  const etag = ok.headers.etag;
  const nm = await get(origin, PATH, { 'accept-encoding': 'gzip', 'if-none-match': etag });
  if (nm.status !== 304) throw new Error(`finews serve (${mode}) answered If-None-Match with ${nm.status}`);
  const raw = await startRaw(env, ok, nm);
  const check = await get(raw.origin, PATH, { 'accept-encoding': 'gzip' });
  if (!check.body.equals(ok.body)) throw new Error('raw server sends other bytes than finews');
  return { mode, ours: { origin, child }, raw, etag, gzipBytes: ok.body.length, env };
}

interface Run {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

async function measure(origin: string, kind: Kind, etag: string, opts: BenchOptions, useWrk: boolean, durationSec: number): Promise<Run> {
  const headers: Record<string, string> = { 'accept-encoding': 'gzip', ...(kind === '304' ? { 'if-none-match': etag } : {}) };
  if (useWrk) return runWrk(`${origin}${PATH}`, { connections: opts.connections, durationSec, headers });
  const r = await driveLoad(origin, PATH, {
    connections: opts.connections,
    warmupMs: 300,
    durationMs: durationSec * 1000,
    maxRequests: Number.MAX_SAFE_INTEGER,
    headers,
    expectStatus: Number(kind),
  });
  return { reqPerSec: r.reqPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors };
}

function sideOf(label: string, runs: readonly Run[], note: string): Side {
  const rates = runs.map((r) => r.reqPerSec);
  const errors = runs.reduce((a, r) => a + r.errors, 0);
  return {
    label,
    unit: 'req/s',
    rate: median(rates),
    detail: `p50 ${fmtMs(median(runs.map((r) => r.p50Ms)))} ms · p99 ${fmtMs(median(runs.map((r) => r.p99Ms)))} ms`,
    output: `runs ${rates.map((r) => fmtNum(r)).join(' / ')}; ${errors} errors; ${note}`,
  };
}

/** Runs the serve benchmark. */
export async function run(opts: BenchOptions): Promise<Comparison[]> {
  const feeds = 20;
  const perFeed = opts.quick ? 50 : 500;
  const rounds = opts.quick ? 1 : 3;
  const durationSec = opts.quick ? 3 : 10;
  const useWrk = ensureWrk();
  if (!useWrk) console.log('serve: wrk unavailable, load from lib/load.ts in this process instead');
  const site = await new NewsSite({ feeds, perFeed }).start();
  const targets: Target[] = [];
  const runs = new Map<string, Run[]>();
  const rssMb = new Map<string, number>();
  try {
    for (const mode of ['embedded', 'redis'] as const) targets.push(await startTarget(mode, site));
    for (const t of targets) {
      for (const s of [t.ours, t.raw]) await measure(s.origin, '200', t.etag, opts, useWrk, 1);
    }
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        for (const kind of ['200', '304'] as const) {
          const order = round % 2 === 0 ? (['ours', 'raw'] as const) : (['raw', 'ours'] as const);
          for (const side of order) {
            const key = `${t.mode}/${kind}/${side}`;
            const r = await measure(t[side].origin, kind, t.etag, opts, useWrk, durationSec);
            runs.set(key, [...(runs.get(key) ?? []), r]);
            const pid = t[side].child.pid;
            if (pid !== undefined) rssMb.set(`${t.mode}/${side}`, Math.max(rssMb.get(`${t.mode}/${side}`) ?? 0, rssMbOf(pid)));
          }
        }
      }
    }
  } finally {
    for (const t of targets) {
      await stopProcess(t.ours.child);
      await stopProcess(t.raw.child);
      await removeEnv(t.env);
    }
    await site.stop();
  }
  const loadGen = useWrk ? `wrk -t1 -c${opts.connections}` : `undici ×${opts.connections}`;
  const rows: Comparison[] = [];
  for (const t of targets) {
    for (const kind of ['200', '304'] as const) {
      const rss = (side: 'ours' | 'raw'): string => `server RSS ${Math.round(rssMb.get(`${t.mode}/${side}`) ?? 0)} MB`;
      rows.push({
        bench: 'serve',
        scenario: `GET ${PATH} gzip${kind === '304' ? ', If-None-Match → 304' : ` → 200 (${(t.gzipBytes / 1024).toFixed(1)} KB)`}, ${t.mode}; ${feeds * perFeed} items stored; ${loadGen}, ${rounds}×${durationSec} s`,
        ours: sideOf(`finews serve, ${t.mode}`, runs.get(`${t.mode}/${kind}/ours`) ?? [], rss('ours')),
        baseline: sideOf('raw node:http, same bytes and headers from a Buffer', runs.get(`${t.mode}/${kind}/raw`) ?? [], rss('raw')),
      });
    }
  }
  return rows;
}
