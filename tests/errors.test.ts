import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, errorMessage, FinewsError, isRetryable, statusOf, type ErrorCode } from '../src/errors.js';
import { FetchError } from '../src/pipeline/ports.js';

describe('error catalogue', () => {
  it('gives an error the retryable default of its code unless the thrower says otherwise', () => {
    expect(new FinewsError('not-rendered', 'x').retryable).toBe(true);
    expect(new FinewsError('config-invalid', 'x').retryable).toBe(false);
    expect(new FinewsError('config-invalid', 'x', { retryable: true }).retryable).toBe(true);
    expect(new FetchError('http-status', 'x', { status: 503, retryable: true })).toMatchObject({ status: 503, retryable: true });
  });

  it('treats anything that is not a FinewsError as transient', () => {
    expect(isRetryable(new Error('driver hiccup'))).toBe(true);
    expect(isRetryable('thrown string')).toBe(true);
    expect(isRetryable(new FinewsError('bad-cursor', 'x'))).toBe(false);
    expect(isRetryable(new FetchError('timeout', 'x'))).toBe(true);
  });

  it('words the fixed-form HTTP messages from their templates', () => {
    expect(errorMessage('bad-limit', 200)).toBe('limit must be an integer from 1 to 200');
    expect(errorMessage('unknown-category', 'foo')).toBe('no category "foo"');
    expect(errorMessage('not-rendered', 'OPML list')).toBe('the OPML list is being rendered; retry shortly');
    expect(errorMessage('not-found', 'no such admin path')).toBe('no such admin path');
    expect(statusOf('unauthorized')).toBe(401);
    expect(statusOf('store-unavailable')).toBe(503);
  });

  it('holds every code docs/http.md names, with the status it documents', () => {
    const doc = readFileSync(new URL('../docs/http.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('Codes include'), doc.indexOf('## Health'));
    const named = [...section.matchAll(/`([a-z][a-z-]+)`/g)].map((m) => m[1] as string);
    expect(named.length).toBeGreaterThan(5);
    for (const code of named) expect(Object.keys(ERRORS), code).toContain(code);
    const documented: Partial<Record<ErrorCode, number>> = { 'not-rendered': 503, 'store-unavailable': 503, internal: 500 };
    for (const [code, status] of Object.entries(documented)) expect(statusOf(code as ErrorCode), code).toBe(status);
  });
});
