/**
 * In-memory stand-ins for the pipeline's Fetcher and Jobs ports, for use-case tests over a
 * real store: canned answers per URL, the real FetchError for failures, and a Jobs sink
 * that records what the use cases ask for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/domain.js';
import { isRetryableStatus } from '../../src/fetch/fetch-error.js';
import { createMetrics } from '../../src/metrics.js';
import {
  FetchError,
  type ArticleJob,
  type FetchErrorCode,
  type FetchErrorOptions,
  type Fetcher,
  type FetchRequest,
  type FetchResult,
  type Jobs,
  type PipelineDeps,
} from '../../src/pipeline/ports.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/util/log.js';

/** What the fake fetcher does for one request: a canned response, an error to throw, or a function of the request. */
export type FakeAnswer = FetchResult | FetchError | ((req: FetchRequest) => FetchResult | Promise<FetchResult>);

/** A 200 with `body` (text is UTF-8 encoded), validators and freshness as given. */
export function ok(
  body: string | Buffer,
  opts: { contentType?: string; etag?: string; lastModified?: string; maxAgeMs?: number; finalUrl?: string } = {},
): (req: FetchRequest) => FetchResult {
  return (req) => ({
    url: req.url,
    finalUrl: opts.finalUrl ?? req.url,
    status: 200,
    notModified: false,
    permanentRedirect: false,
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    ...(opts.contentType !== undefined ? { contentType: opts.contentType } : {}),
    validators: {
      ...(opts.etag !== undefined ? { etag: opts.etag } : {}),
      ...(opts.lastModified !== undefined ? { lastModified: opts.lastModified } : {}),
    },
    ...(opts.maxAgeMs !== undefined ? { maxAgeMs: opts.maxAgeMs } : {}),
    headers: {},
  });
}

/** A 304 carrying back the validators the request sent, as the real fetcher reports one. */
export function notModified(): (req: FetchRequest) => FetchResult {
  return (req) => ({
    url: req.url,
    finalUrl: req.url,
    status: 304,
    notModified: true,
    permanentRedirect: false,
    body: Buffer.alloc(0),
    validators: { ...req.validators },
    headers: {},
  });
}

/** An HTTP error status as the real fetcher throws it (retryable for 408/425/429/5xx). */
export function httpError(status: number, opts: Omit<FetchErrorOptions, 'status'> = {}): FetchError {
  return new FetchError('http-status', `HTTP ${status}`, { retryable: isRetryableStatus(status), ...opts, status });
}

/** A transport failure (timeout, refused, …) as the real fetcher throws it. */
export function transportError(code: FetchErrorCode, opts: FetchErrorOptions = {}): FetchError {
  return new FetchError(code, `fetch failed: ${code}`, { retryable: true, ...opts });
}

/**
 * A Fetcher answering from a table of URLs. Each URL holds one answer, or a list used in
 * order whose last entry repeats. An unknown URL is a 404. Every request is recorded.
 */
export class FakeFetcher implements Fetcher {
  readonly requests: FetchRequest[] = [];
  private readonly answers = new Map<string, FakeAnswer[]>();

  constructor(answers: Record<string, FakeAnswer | FakeAnswer[]> = {}) {
    for (const [url, answer] of Object.entries(answers)) this.on(url, answer);
  }

  /** Sets what `url` answers from now on (replacing any earlier answers). */
  on(url: string, answer: FakeAnswer | FakeAnswer[]): this {
    this.answers.set(url, Array.isArray(answer) ? [...answer] : [answer]);
    return this;
  }

  /** The requests made for `url`. */
  requestsFor(url: string): FetchRequest[] {
    return this.requests.filter((r) => r.url === url);
  }

  async fetch(req: FetchRequest): Promise<FetchResult> {
    this.requests.push(req);
    const queue = this.answers.get(req.url);
    const answer = queue === undefined ? httpError(404, { url: req.url }) : queue.length > 1 ? queue.shift() : queue[0];
    if (answer === undefined || answer instanceof FetchError) throw answer ?? httpError(404, { url: req.url });
    return typeof answer === 'function' ? answer(req) : answer;
  }
}

/** A Jobs port that runs nothing and records every article job and publish request. */
export class RecordingJobs implements Jobs {
  readonly articles: ArticleJob[] = [];
  readonly publishes: string[][] = [];

  async enqueueArticles(jobs: readonly ArticleJob[]): Promise<void> {
    this.articles.push(...jobs);
  }

  async requestPublish(categories: string[]): Promise<void> {
    this.publishes.push([...categories]);
  }

  /** Every category a publish was requested for, each once, sorted. */
  publishedCategories(): string[] {
    return [...new Set(this.publishes.flat())].sort();
  }
}

/** A SQLite store in a fresh temporary directory; `cleanup` closes it and removes the directory. */
export function tempSqliteStore(): { store: Store; cleanup(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'finews-usecase-'));
  const store = openSqliteStore(join(dir, 'finews.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A clock that stays where it is set until moved. */
export class FakeClock {
  constructor(private ms: number) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Use-case dependencies over the given store, fetcher and jobs, silent, with fresh metrics. */
export function useCaseDeps(parts: { config: Config; store: Store; fetcher: Fetcher; jobs: Jobs; now?: () => Date }): PipelineDeps {
  const { config } = parts;
  return {
    config: () => config,
    store: parts.store,
    fetcher: parts.fetcher,
    jobs: parts.jobs,
    log: silentLogger(),
    metrics: createMetrics(),
    now: parts.now ?? ((): Date => new Date()),
  };
}
