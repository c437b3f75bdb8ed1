/**
 * An HTTP load generator: N keep-alive connections (undici Pool), each sending
 * requests back to back, for a bounded time and request count.
 */
import { Pool } from 'undici';

export interface LoadPlan {
  connections: number;
  /** Untimed requests first, for this long. */
  warmupMs: number;
  /** Measuring window. */
  durationMs: number;
  /** Stop early after this many measured requests. */
  maxRequests: number;
  /** Extra request headers (e.g. If-None-Match). */
  headers?: Record<string, string>;
  /** The status every response should have. @defaultValue 200 */
  expectStatus?: number;
}

export interface LoadResult {
  requests: number;
  /** Responses without the expected status (200 with a body by default), or failed. */
  errors: number;
  elapsedMs: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Body bytes of one response as sent (compressed). */
  responseBytes: number;
  /** Content-Encoding of the responses. */
  encoding: string;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** GETs `path` from `origin` with `Accept-Encoding: gzip` (and `plan.headers`) per `plan`. */
export async function driveLoad(origin: string, path: string, plan: LoadPlan): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: plan.connections, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let responseBytes = 0;
  let encoding = 'identity';

  const one = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await pool.request({ path, method: 'GET', headers: { 'accept-encoding': 'gzip', ...plan.headers } });
    let bytes = 0;
    for await (const chunk of res.body) bytes += (chunk as Buffer).length;
    const expect = plan.expectStatus ?? 200;
    if (res.statusCode !== expect || (expect === 200 && bytes === 0)) throw new Error(`HTTP ${res.statusCode}`);
    responseBytes = bytes;
    const ce = res.headers['content-encoding'];
    encoding = typeof ce === 'string' ? ce : 'identity';
    return performance.now() - t0;
  };

  const phase = async (ms: number, max: number, record: boolean): Promise<number> => {
    const end = performance.now() + ms;
    let started = 0;
    const worker = async (): Promise<void> => {
      while (performance.now() < end && started < max) {
        started++;
        try {
          const ms = await one();
          if (record) latencies.push(ms);
        } catch {
          if (record) errors++;
        }
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: plan.connections }, worker));
    return performance.now() - t0;
  };

  try {
    await phase(plan.warmupMs, Number.MAX_SAFE_INTEGER, false);
    const elapsedMs = await phase(plan.durationMs, plan.maxRequests, true);
    latencies.sort((a, b) => a - b);
    return {
      requests: latencies.length,
      errors,
      elapsedMs,
      reqPerSec: (latencies.length * 1000) / elapsedMs,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      responseBytes,
      encoding,
    };
  } finally {
    await pool.close();
  }
}
