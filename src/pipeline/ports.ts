import type { Config } from '../domain.js';
import { FinewsError, type FinewsErrorOptions } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { RenderedDoc } from '../publish/rendered.js';
import type { PendingWork, Store } from '../store/store.js';
import type { Logger } from '../util/log.js';

/** One HTTP request as the pipeline asks for it; the fetch adapter carries it out. */
export interface FetchRequest {
  url: string;
  /** Whole request, body included. */
  timeoutMs: number;
  /** Cap on body bytes, both as sent and after decompression; the transfer is aborted the moment it is exceeded. */
  maxBytes: number;
  userAgent: string;
  /** Sent as If-None-Match / If-Modified-Since. */
  validators?: { etag?: string; lastModified?: string };
  /**
   * 'operator' = a URL from config: that URL itself is trusted (may be private), its redirect
   * hops are checked like content URLs against its own origin; 'content' = a URL that came
   * from feed content (article links).
   */
  origin: 'operator' | 'content';
  /**
   * The source's URL (or its origin): content URLs on the same origin — scheme, host and
   * port — are allowed even if private. Another port of the same host is another service.
   */
  sourceOrigin?: string;
  allowPrivateNetworks: boolean;
  /** Accept header; any type when absent. */
  accept?: string;
  /** Extra headers from config (a source's `headers`); never Host, framing or validators. */
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/** A response as the pipeline reads it. */
export interface FetchResult {
  /** The URL asked for. */
  url: string;
  /** The URL of the last hop, after redirects. */
  finalUrl: string;
  status: number;
  /** 304: the caller's copy is current; body is empty. */
  notModified: boolean;
  /** A 301 or 308 happened on the way. */
  permanentRedirect: boolean;
  /** Body bytes, decompressed. */
  body: Buffer;
  /** Content-Type header value. */
  contentType?: string;
  /** ETag / Last-Modified of the response (on a 304 without them, the ones sent). */
  validators: { etag?: string; lastModified?: string };
  /** Freshness from Cache-Control max-age (or s-maxage), else Expires − Date. */
  maxAgeMs?: number;
  /** From Retry-After, when the server sent one. */
  retryAfterMs?: number;
  /** Response headers, names lower-cased, repeated headers joined with ", ". */
  headers: Record<string, string>;
}

/** One HTTP request, as the pipeline's Fetcher port wraps it. */
export type FetchUrl = (req: FetchRequest) => Promise<FetchResult>;

/** The codes a {@link FetchError} carries. */
export type FetchErrorCode =
  | 'timeout'
  | 'too-large'
  | 'http-status'
  | 'dns'
  | 'refused'
  | 'blocked-address'
  | 'bad-url'
  | 'too-many-redirects'
  | 'network';

export interface FetchErrorOptions extends FinewsErrorOptions {
  /** HTTP status of the response that failed ('http-status' and 'too-many-redirects' errors). */
  status?: number;
  /** How long the server asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
}

/**
 * A failed fetch, as every Fetcher reports it. `code` says what went wrong; `retryable` says
 * whether trying again later can help; `status` and `retryAfterMs` come from the response
 * when there was one.
 */
export class FetchError extends FinewsError {
  declare readonly code: FetchErrorCode;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(code: FetchErrorCode, message: string, opts: FetchErrorOptions = {}) {
    super(code, message, opts);
    this.name = 'FetchError';
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

/** HTTP for the pipeline: fetchUrl behind the politeness rules. */
export interface Fetcher {
  fetch(req: FetchRequest): Promise<FetchResult>;
}

/** Per-host politeness shared by everything that fetches (in-process or through Redis). */
export interface HostLimiter {
  /** Waits for a slot on `host` (concurrency and minimum spacing), runs `fn`, frees the slot. */
  run<T>(host: string, fn: () => Promise<T>): Promise<T>;
  /** Holds every request to `host` for `ms` from now (a 429/503 Retry-After). */
  pause(host: string, ms: number): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Work handed from refreshing a source to processing one article: the work a claim keeps
 * (`categories`: the source's at the time the item was seen), with its key.
 */
export interface ArticleJob extends PendingWork {
  key: string;
}

/** Where use cases put follow-up work: BullMQ queues in Redis mode, in-process queues embedded. */
export interface Jobs {
  /**
   * Queues articles (a feed's new keys, or one key) in one call; a job for a key whose
   * job is still pending is dropped. May wait for room when the queue is bounded, so a
   * refresh cannot run ahead of article processing.
   */
  enqueueArticles(jobs: readonly ArticleJob[]): Promise<void>;
  /** Asks for the given categories (and `all`, home, OPML) to be re-rendered, debounced. */
  requestPublish(categories: string[]): Promise<void>;
}

/**
 * Where use cases report work whose failure makes the process not ready (a publish
 * that fails leaves every feed stale), and its recovery. `/readyz` reads it.
 */
export interface HealthReport {
  failed(work: 'publish', err: unknown): void;
  succeeded(work: 'publish'): void;
}

/**
 * The documents a process serving HTTP holds in memory. A publisher in the same process
 * hands each document it stores (or forgets) to it at once; other processes learn of it
 * from the store.
 */
export interface PublishedDocuments {
  set(name: string, doc: RenderedDoc): void;
  delete(name: string): void;
}

/** Everything a use case may touch. */
export interface PipelineDeps {
  /** Current config (a getter: hot reload swaps it). */
  config(): Config;
  store: Store;
  fetcher: Fetcher;
  jobs: Jobs;
  log: Logger;
  metrics: Metrics;
  now(): Date;
  /** Absent where nothing reports readiness (one-off commands, tests). */
  health?: HealthReport;
  /** Absent where this process serves nothing. */
  documents?: PublishedDocuments;
}
