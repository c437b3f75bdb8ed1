import type { FastifyPluginAsync } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FinewsError } from '../../src/errors.js';
import { buildServer } from '../../src/http/server.js';
import { startHarness, type Harness } from './harness.js';

const TOKEN = 's3cret-admin-token-2022';

describe('health, readiness and metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(() => {
    h.setNotReady(null);
  });

  it('/healthz is always 200 ok', async () => {
    const res = await h.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when ready() resolves and 503 with the reason when it throws', async () => {
    expect((await h.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    h.setNotReady(new FinewsError('store-unavailable', 'redis: connect ECONNREFUSED 127.0.0.1:6379', { retryable: true }));
    const res = await h.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', reason: 'store-unavailable: redis: connect ECONNREFUSED 127.0.0.1:6379' });
  });

  it('/readyz is 503 when ready() hangs past the timeout', async () => {
    const app = buildServer({ ...h.deps, ready: () => new Promise<void>(() => {}), readyTimeoutMs: 50 });
    try {
      const res = await app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json<{ reason: string }>().reason).toContain('timed out');
    } finally {
      await app.close();
    }
  });

  it('/metrics exposes request counts per route pattern in the Prometheus text format', async () => {
    await h.app.inject({ url: '/feeds/all.xml' });
    await h.app.inject({ url: '/feeds/zhongguogongyebao.atom' });
    await h.app.inject({ url: '/feeds/nosuch.json' });
    await h.app.inject({ url: '/wp-login.php' });
    const res = await h.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toContain('finews_http_requests_total{route="/feeds/:file",status="200"} 2');
    expect(res.body).toContain('finews_http_requests_total{route="/feeds/:file",status="404"} 1');
    expect(res.body).toContain('finews_http_requests_total{route="unmatched",status="404"} 1');
    expect(res.body).toMatch(/finews_http_request_duration_seconds_count\{route="\/feeds\/:file"\} 3/);
    expect(res.body).not.toContain('wp-login');
  });
});

describe('errors', () => {
  it('answers a failing store with a JSON 503 naming no paths and no stack trace', async () => {
    const h = await startHarness();
    try {
      await h.store.close();
      const res = await h.app.inject({ url: '/api/items' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.json()).toEqual({ error: { code: 'store-unavailable', message: 'the store is unavailable; retry shortly' } });
    } finally {
      await h.close();
    }
  });

  it('answers an unexpected failure with a JSON 500 that hides its message', async () => {
    const failing: FastifyPluginAsync = async (app) => {
      app.get('/', async () => {
        throw new Error('ENOENT: /var/lib/finews/secret.db');
      });
    };
    const h = await startHarness({ adminToken: TOKEN, adminPlugin: failing });
    try {
      const res = await h.app.inject({ url: '/admin/queues', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal server error' } });
    } finally {
      await h.close();
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    const h = await startHarness();
    try {
      const res = await h.app.inject({ url: '/nope?x=1' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'not-found', message: 'no route for GET /nope' } });
    } finally {
      await h.close();
    }
  });
});

describe('/admin/queues', () => {
  it('is a 404 when no admin token is configured', async () => {
    const h = await startHarness();
    try {
      const res = await h.app.inject({ url: '/admin/queues', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode).toBe(404);
    } finally {
      await h.close();
    }
  });

  it('needs the bearer token: 401 without it or with a wrong one, 200 with it', async () => {
    const h = await startHarness({ adminToken: TOKEN });
    try {
      const none = await h.app.inject({ url: '/admin/queues' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(none.json<{ error: { code: string } }>().error.code).toBe('unauthorized');
      for (const authorization of ['Bearer wrong', `Bearer ${TOKEN}x`, `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`, TOKEN]) {
        const res = await h.app.inject({ url: '/admin/queues', headers: { authorization } });
        expect(res.statusCode, authorization).toBe(401);
      }
      // Unknown admin paths are guarded too: no probing without the token.
      expect((await h.app.inject({ url: '/admin/other' })).statusCode).toBe(401);
      // However the path is spelled: fastify routes percent-decoded paths.
      expect((await h.app.inject({ url: '/%61dmin/queues' })).statusCode).toBe(401);
      expect((await h.app.inject({ url: '/admin/%71ueues' })).statusCode).toBe(401);
      const ok = await h.app.inject({ url: '/admin/queues', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json<{ queues: unknown[] }>().queues).toEqual([]);
      // Other paths never need the token.
      expect((await h.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('mounts the queue dashboard plugin under /admin/queues behind the token', async () => {
    const dashboard: FastifyPluginAsync = async (app) => {
      app.get('/', async () => ({ dashboard: 'bullmq', queues: ['finews-refresh', 'finews-article'] }));
      app.get('/api/queues', async () => ({ queues: [{ name: 'finews-refresh', waiting: 3 }] }));
    };
    const h = await startHarness({ adminToken: TOKEN, adminPlugin: dashboard });
    try {
      expect((await h.app.inject({ url: '/admin/queues/api/queues' })).statusCode).toBe(401);
      const auth = { authorization: `Bearer ${TOKEN}` };
      const home = await h.app.inject({ url: '/admin/queues', headers: auth });
      expect(home.statusCode).toBe(200);
      expect(home.json()).toMatchObject({ dashboard: 'bullmq' });
      const api = await h.app.inject({ url: '/admin/queues/api/queues', headers: auth });
      expect(api.json()).toEqual({ queues: [{ name: 'finews-refresh', waiting: 3 }] });
    } finally {
      await h.close();
    }
  });
});
