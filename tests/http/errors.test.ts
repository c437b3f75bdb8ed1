import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('errors in the project shape', () => {
  it('answers a URL the router cannot decode with the site error page or the JSON error body', async () => {
    const page = await h.app.inject({ url: '/category/%ff%fe.html' });
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<h1>400 请求无效</h1>');
    expect(page.body).toContain('返回首页');

    for (const url of ['/feeds/%ff.xml', '/api/items%ff', '/%']) {
      const res = await h.app.inject({ url });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type'], url).toBe('application/json; charset=utf-8');
      expect(res.json(), url).toEqual({ error: { code: 'bad-url', message: expect.stringContaining('not a valid URL') } });
    }
  });

  it("maps fastify's own errors to project codes", async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/items', headers: { 'content-type': 'application/json' }, payload: '{bad' });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const body = res.json<{ error: { code: string; message: string } }>();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('answers a request with malformed or oversized headers in the JSON error shape', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const raw = async (request: string): Promise<string> => {
      const socket = net.connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      socket.on('error', () => {});
      socket.write(request);
      await new Promise((resolve) => socket.on('close', resolve));
      return answer;
    };
    const bad = await raw('GET / HTTP/1.1\r\nHost: x\r\nBad Header: \u0001\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'bad-request', message: 'malformed HTTP request' } });
    const huge = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4)).error.code).toBe('headers-too-large');
  });
});
