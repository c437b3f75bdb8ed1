import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PolitenessConfig } from '../../src/domain.js';
import { createHttpClient, type FetchRequest, type HttpClient } from '../../src/fetch/fetcher.js';
import type { HostLimiter } from '../../src/pipeline/ports.js';
import { MemoryHostLimiter } from '../../src/politeness/memory-limiter.js';
import { createPoliteFetcher } from '../../src/politeness/polite-fetcher.js';
import { RedisHostLimiter } from '../../src/politeness/redis-limiter.js';
import { FixtureSite } from '../support/fixture-site.js';
import { cleanupRedis, REDIS_URL, redisPrefix } from '../support/harness.js';

const RULES: PolitenessConfig = { perHostConcurrency: 2, minSpacingMs: 60 };
/**
 * The fixture server shares the test's event loop, so its arrival times jitter with
 * load; request starts are checked exactly on the client side, arrivals only overall.
 */
const ARRIVAL_SLACK_MS = 40;

function request(url: string): FetchRequest {
  return { url, timeoutMs: 5000, maxBytes: 1_000_000, userAgent: 'finews-test/1', origin: 'operator', allowPrivateNetworks: true };
}

/** The real fetchUrl, noting when each request was started. */
function timed(http: HttpClient): { fetchUrl: HttpClient['fetchUrl']; starts: number[] } {
  const starts: number[] = [];
  return {
    starts,
    fetchUrl: (req) => {
      starts.push(Date.now());
      return http.fetchUrl(req);
    },
  };
}

function span(times: number[]): number {
  return Math.max(...times) - Math.min(...times);
}

/**
 * Every start at least `spacing` after the one before, give or take `slack`. Across
 * Redis clients the grant is spaced on the server's clock; each client learns of it
 * a few ms later, differently, so their local start times carry that jitter.
 */
function expectSpaced(starts: number[], spacing: number, slack: number): void {
  for (const gap of gaps(starts)) expect(gap).toBeGreaterThanOrEqual(spacing - slack);
  expect(span(starts)).toBeGreaterThanOrEqual((starts.length - 1) * spacing - slack);
}

function gaps(times: number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.slice(1).map((t, i) => t - (sorted[i] ?? t));
}

interface Harness {
  /** How far a locally observed start may come early (see expectSpaced). */
  slackMs: number;
  /** A limiter as one more process would have it. */
  limiter(rules: PolitenessConfig, opts?: { leaseTtlMs?: number }): HostLimiter;
  close(): Promise<void>;
}

function memoryHarness(): Harness {
  // One process: every "instance" is the same limiter, as in embedded mode.
  let shared: MemoryHostLimiter | undefined;
  return {
    // Grants are spaced exactly; the starts recorded after them can shift by however
    // long the (shared, loaded) event loop takes to run each granted task.
    slackMs: 15,
    limiter: (rules) => (shared ??= new MemoryHostLimiter(rules)),
    close: async () => shared?.close(),
  };
}

function redisHarness(): Harness {
  const prefix = redisPrefix();
  const clients: Redis[] = [];
  const limiters: RedisHostLimiter[] = [];
  return {
    slackMs: 20,
    limiter: (rules, opts = {}) => {
      const client = new Redis(REDIS_URL);
      clients.push(client);
      const limiter = new RedisHostLimiter(client, { prefix, politeness: rules, ...opts });
      limiters.push(limiter);
      return limiter;
    },
    close: async () => {
      for (const l of limiters) await l.close();
      for (const c of clients) c.disconnect();
      await cleanupRedis(prefix);
    },
  };
}

describe.each([
  ['MemoryHostLimiter', memoryHarness],
  ['RedisHostLimiter', redisHarness],
] as const)('%s behind the polite fetcher', (_name, makeHarness) => {
  let site: FixtureSite;
  let http: HttpClient;
  let harness: Harness;

  beforeEach(async () => {
    site = await new FixtureSite().start();
    site.latencyMs = 80;
    site.route('/page', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    http = createHttpClient();
    harness = makeHarness();
  });
  afterEach(async () => {
    await harness.close();
    await http.close();
    await site.stop();
  });

  it('keeps 20 requests to one host within its concurrency and spacing', async () => {
    const client = timed(http);
    const fetcher = createPoliteFetcher(harness.limiter(RULES), client.fetchUrl);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => fetcher.fetch(request(site.url(`/page?n=${i}`)))));

    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(site.requests).toHaveLength(20);
    expect(site.maxInFlight).toBeLessThanOrEqual(RULES.perHostConcurrency);
    expect(site.maxInFlight).toBe(RULES.perHostConcurrency);
    expectSpaced(client.starts, RULES.minSpacingMs, harness.slackMs);
    expect(span(site.requests.map((r) => r.at))).toBeGreaterThanOrEqual(19 * RULES.minSpacingMs - ARRIVAL_SLACK_MS);
  });

  it('holds a host of politeness.hosts to its own rules and the others to the global ones', async () => {
    const limiter = harness.limiter({
      perHostConcurrency: 4,
      minSpacingMs: 0,
      hosts: { 'slow.example': { perHostConcurrency: 1, minSpacingMs: 120 } },
    });
    const starts: Record<string, number[]> = { 'slow.example': [], 'fast.example': [] };
    const inFlight: Record<string, number> = { 'slow.example': 0, 'fast.example': 0 };
    const maxInFlight: Record<string, number> = { 'slow.example': 0, 'fast.example': 0 };
    await Promise.all(
      ['slow.example', 'fast.example'].flatMap((host) =>
        Array.from({ length: 4 }, () =>
          limiter.run(host, async () => {
            starts[host]?.push(Date.now());
            inFlight[host] = (inFlight[host] ?? 0) + 1;
            maxInFlight[host] = Math.max(maxInFlight[host] ?? 0, inFlight[host] ?? 0);
            await new Promise((r) => setTimeout(r, 30));
            inFlight[host] = (inFlight[host] ?? 0) - 1;
          }),
        ),
      ),
    );
    expect(maxInFlight['slow.example']).toBe(1);
    expectSpaced(starts['slow.example'] ?? [], 120, harness.slackMs);
    expect(maxInFlight['fast.example']).toBe(4);
  });

  it('starts runs on one host at least minSpacing apart and leaves other hosts alone', async () => {
    const limiter = harness.limiter({ perHostConcurrency: 5, minSpacingMs: 100 });
    const starts: Record<string, number[]> = { 'a.example': [], 'b.example': [] };
    const t0 = Date.now();
    await Promise.all(
      ['a.example', 'b.example'].flatMap((host) =>
        Array.from({ length: 4 }, () => limiter.run(host, async () => void starts[host]?.push(Date.now() - t0))),
      ),
    );
    for (const host of ['a.example', 'b.example']) {
      expectSpaced(starts[host] ?? [], 100, harness.slackMs);
    }
    // Each host's own 4 starts take ~300 ms; had the hosts shared a schedule it would be ~700 ms.
    expect(Math.max(...(starts['a.example'] ?? []), ...(starts['b.example'] ?? []))).toBeLessThan(600);
  });

  it('holds a host after a 429 with Retry-After, and only that host', async () => {
    let busy = true;
    site.route('/busy', (_req, res) => {
      if (busy) {
        busy = false;
        res.writeHead(429, { 'retry-after': '1' });
        res.end('slow down');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    const other = await new FixtureSite().start();
    other.route('/page', (_req, res) => void res.end('ok'));
    try {
      const fetcher = createPoliteFetcher(harness.limiter({ perHostConcurrency: 2, minSpacingMs: 0 }), http.fetchUrl);
      await expect(fetcher.fetch(request(site.url('/busy')))).rejects.toMatchObject({ code: 'http-status', status: 429, retryAfterMs: 1000 });
      const refusedAt = Date.now();

      // The fixture sites are both on 127.0.0.1; the second is reached as "localhost", another host.
      const elsewhere = await fetcher.fetch(request(other.url('/page').replace('127.0.0.1', 'localhost')));
      expect(elsewhere.status).toBe(200);
      expect(Date.now() - refusedAt).toBeLessThan(500);

      const again = await fetcher.fetch(request(site.url('/busy')));
      expect(again.status).toBe(200);
      const retriedAt = site.hits('/busy').at(-1)?.at ?? 0;
      expect(retriedAt - refusedAt).toBeGreaterThanOrEqual(1000 - 100 - ARRIVAL_SLACK_MS);
    } finally {
      await other.stop();
    }
  });

  it('pause() delays the next start on that host', async () => {
    const limiter = harness.limiter({ perHostConcurrency: 2, minSpacingMs: 0 });
    await limiter.pause('news.example', 400);
    const t0 = Date.now();
    const startedAfter = await limiter.run('news.example', async () => Date.now() - t0);
    expect(startedAfter).toBeGreaterThanOrEqual(390);
    expect(startedAfter).toBeLessThan(1000);
    // A shorter pause never shortens a longer one.
    await limiter.pause('news.example', 500);
    await limiter.pause('news.example', 50);
    const t1 = Date.now();
    expect(await limiter.run('news.example', async () => Date.now() - t1)).toBeGreaterThanOrEqual(490);
  });

  it('frees the slot when the run fails', async () => {
    const limiter = harness.limiter({ perHostConcurrency: 1, minSpacingMs: 0 });
    await expect(limiter.run('news.example', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const t0 = Date.now();
    await limiter.run('news.example', async () => undefined);
    expect(Date.now() - t0).toBeLessThan(300);
  });
});

describe('MemoryHostLimiter', () => {
  it('serves waiters for a host first come, first served', async () => {
    const limiter = new MemoryHostLimiter({ perHostConcurrency: 1, minSpacingMs: 5 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => limiter.run('news.example', async () => void order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('follows reloaded rules when given a getter', async () => {
    let rules: PolitenessConfig = { perHostConcurrency: 1, minSpacingMs: 0 };
    const limiter = new MemoryHostLimiter(() => rules);
    let inFlight = 0;
    let peak = 0;
    const job = (): Promise<void> =>
      limiter.run('news.example', async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
      });
    await Promise.all([job(), job(), job()]);
    expect(peak).toBe(1);
    rules = { perHostConcurrency: 3, minSpacingMs: 0 };
    peak = 0;
    await Promise.all([job(), job(), job()]);
    expect(peak).toBe(3);
  });

  it('refuses waiters once closed', async () => {
    const limiter = new MemoryHostLimiter({ perHostConcurrency: 1, minSpacingMs: 0 });
    let release!: () => void;
    const holding = limiter.run('news.example', () => new Promise<void>((r) => (release = r)));
    const waiting = limiter.run('news.example', async () => 'ran');
    await limiter.close();
    await expect(waiting).rejects.toThrow(/closed/);
    release();
    await holding;
  });
});

describe('RedisHostLimiter across processes', () => {
  let harness: Harness;
  let site: FixtureSite;
  let http: HttpClient;

  beforeEach(async () => {
    harness = redisHarness();
    site = await new FixtureSite().start();
    site.latencyMs = 80;
    site.route('/page', (_req, res) => void res.end('ok'));
    http = createHttpClient();
  });
  afterEach(async () => {
    await harness.close();
    await http.close();
    await site.stop();
  });

  it('two limiters on two Redis connections share one host budget', async () => {
    // Both "processes" note their starts in one list: the spacing must hold across them.
    const client = timed(http);
    const a = createPoliteFetcher(harness.limiter(RULES), client.fetchUrl);
    const b = createPoliteFetcher(harness.limiter(RULES), client.fetchUrl);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).fetch(request(site.url(`/page?n=${i}`)))));
    expect(site.requests).toHaveLength(20);
    expect(site.maxInFlight).toBeLessThanOrEqual(RULES.perHostConcurrency);
    expectSpaced(client.starts, RULES.minSpacingMs, harness.slackMs);
    expect(span(site.requests.map((r) => r.at))).toBeGreaterThanOrEqual(19 * RULES.minSpacingMs - ARRIVAL_SLACK_MS);
  });

  it('a pause set by one process holds the host for the other', async () => {
    const a = harness.limiter({ perHostConcurrency: 2, minSpacingMs: 0 });
    const b = harness.limiter({ perHostConcurrency: 2, minSpacingMs: 0 });
    await a.pause('news.example', 500);
    const t0 = Date.now();
    expect(await b.run('news.example', async () => Date.now() - t0)).toBeGreaterThanOrEqual(480);
  });

  it('frees the slot of a holder that died without releasing once its lease expires', async () => {
    const rules = { perHostConcurrency: 1, minSpacingMs: 0 };
    const dead = harness.limiter(rules, { leaseTtlMs: 1000 });
    const alive = harness.limiter(rules, { leaseTtlMs: 1000 });
    let acquiredAt = 0;
    // The holder takes the slot and never finishes; closing it stops its lease renewals, as a kill would.
    void dead.run('news.example', () => {
      acquiredAt = Date.now();
      return new Promise<never>(() => undefined);
    });
    await expect.poll(() => acquiredAt).toBeGreaterThan(0);
    await dead.close?.();

    const waitedUntil = await alive.run('news.example', async () => Date.now());
    expect(waitedUntil - acquiredAt).toBeGreaterThanOrEqual(950);
    expect(waitedUntil - acquiredAt).toBeLessThan(1600);
  });

  it('by default, frees the slot of a holder killed mid-request within 10 s', async () => {
    const rules = { perHostConcurrency: 1, minSpacingMs: 0 };
    const limiter = harness.limiter(rules);
    const redis = new Redis(REDIS_URL);
    try {
      let release!: () => void;
      const holding = limiter.run('news.example', () => new Promise<void>((r) => (release = r)));
      await expect.poll(() => release).toBeDefined();
      // What a kill -9 leaves behind: the lease as last written, expiring at its score (server clock).
      const key = (limiter as RedisHostLimiter).key('news.example', 'leases');
      const [, score] = await redis.zrange(key, 0, 0, 'WITHSCORES');
      const [sec, usec] = await redis.time();
      const lapsesInMs = Number(score) - (Number(sec) * 1000 + Math.floor(Number(usec) / 1000));
      expect(lapsesInMs).toBeGreaterThan(0);
      expect(lapsesInMs).toBeLessThanOrEqual(10_000);
      release();
      await holding;
    } finally {
      redis.disconnect();
    }
  });

  it('keeps the lease of a request running longer than the TTL', async () => {
    const rules = { perHostConcurrency: 1, minSpacingMs: 0 };
    const slow = harness.limiter(rules, { leaseTtlMs: 1000 });
    const other = harness.limiter(rules, { leaseTtlMs: 1000 });
    let finishedAt = 0;
    const holding = slow.run('news.example', async () => {
      await new Promise((r) => setTimeout(r, 2500));
      finishedAt = Date.now();
    });
    await new Promise((r) => setTimeout(r, 50));
    const startedAt = await other.run('news.example', async () => Date.now());
    await holding;
    expect(startedAt).toBeGreaterThanOrEqual(finishedAt);
  });
});
