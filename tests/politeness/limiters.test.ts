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

function request(url: string): FetchRequest {
  return { url, timeoutMs: 5000, maxBytes: 1_000_000, userAgent: 'finews-test/1', origin: 'operator', allowPrivateNetworks: true };
}

/**
 * The k-th of `times` (0-based, in time order) comes at least k × `spacing` after
 * `since`, a moment before the first request was asked for. A limiter grants the k-th
 * start no earlier than that, and a loaded machine only ever delays what is observed
 * after a grant (a start, an arrival at the site), never brings it forward; so this
 * holds exactly however noisy the timing, while a limiter letting two requests through
 * together, or spacing them short, fails it.
 */
function expectPaced(times: number[], since: number, spacing: number): void {
  const sorted = [...times].sort((a, b) => a - b);
  sorted.forEach((t, k) => expect(t - since, `request ${k + 1} of ${sorted.length}`).toBeGreaterThanOrEqual(k * spacing));
}

interface Harness {
  /** A limiter as one more process would have it. */
  limiter(rules: PolitenessConfig, opts?: { leaseTtlMs?: number }): HostLimiter;
  close(): Promise<void>;
}

function memoryHarness(): Harness {
  // One process: every "instance" is the same limiter, as in embedded mode.
  let shared: MemoryHostLimiter | undefined;
  return {
    limiter: (rules) => (shared ??= new MemoryHostLimiter(rules)),
    close: async () => shared?.close(),
  };
}

function redisHarness(): Harness {
  const prefix = redisPrefix();
  const clients: Redis[] = [];
  const limiters: RedisHostLimiter[] = [];
  return {
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
    const fetcher = createPoliteFetcher(harness.limiter(RULES), http.fetchUrl);
    const asked = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => fetcher.fetch(request(site.url(`/page?n=${i}`)))));

    expect(results.every((r) => r.status === 200)).toBe(true);
    // As the site saw them: never more than the concurrency at once, and the n-th no sooner than n spacings in.
    expect(site.requests).toHaveLength(20);
    expect(site.maxInFlight).toBeLessThanOrEqual(RULES.perHostConcurrency);
    expect(site.maxInFlight).toBe(RULES.perHostConcurrency);
    expectPaced(site.requests.map((r) => r.at), asked, RULES.minSpacingMs);
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
    const asked = Date.now();
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
    expectPaced(starts['slow.example'] ?? [], asked, 120);
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
      expectPaced(starts[host] ?? [], 0, 100);
    }
    // Each host's own 4 starts take ~300 ms; had the hosts shared a schedule, the last of the 8
    // could not start before 700 ms. Anything short of that tells them apart, and leaves the
    // most room for a loaded machine's delays.
    expect(Math.max(...(starts['a.example'] ?? []), ...(starts['b.example'] ?? []))).toBeLessThan(7 * 100);
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
      const askedAt = Date.now();
      await expect(fetcher.fetch(request(site.url('/busy')))).rejects.toMatchObject({ code: 'http-status', status: 429, retryAfterMs: 1000 });
      const refusedAt = Date.now();

      // The fixture sites are both on 127.0.0.1; the second is reached as "localhost", another host.
      const elsewhere = await fetcher.fetch(request(other.url('/page').replace('127.0.0.1', 'localhost')));
      expect(elsewhere.status).toBe(200);
      expect(Date.now() - refusedAt).toBeLessThan(500);

      const again = await fetcher.fetch(request(site.url('/busy')));
      expect(again.status).toBe(200);
      const retriedAt = site.hits('/busy').at(-1)?.at ?? 0;
      // The pause began after the 429 was asked for, so its second turn reaches the site a full second after that.
      expect(retriedAt - askedAt).toBeGreaterThanOrEqual(1000);
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
    // The site sees the two "processes" as one client: spacing and concurrency hold across them.
    const a = createPoliteFetcher(harness.limiter(RULES), http.fetchUrl);
    const b = createPoliteFetcher(harness.limiter(RULES), http.fetchUrl);
    const asked = Date.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).fetch(request(site.url(`/page?n=${i}`)))));
    expect(site.requests).toHaveLength(20);
    expect(site.maxInFlight).toBeLessThanOrEqual(RULES.perHostConcurrency);
    expectPaced(site.requests.map((r) => r.at), asked, RULES.minSpacingMs);
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
