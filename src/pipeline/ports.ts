import type { Config, SourceItem } from '../domain.js';
import type { FetchRequest, FetchResult } from '../fetch/fetcher.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../util/log.js';

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

/** Work handed from refreshing a source to processing one article. */
export interface ArticleJob {
  key: string;
  infoCode: string | null;
  sourceId: string;
  /** Extra categories of the source at the time the item was seen. */
  categories: string[];
  feedTitle?: string;
  item: SourceItem;
}

/** Where use cases put follow-up work: BullMQ queues in Redis mode, in-process queues embedded. */
export interface Jobs {
  /** Queues one article; a second job for the same key while one is pending is dropped. */
  enqueueArticle(job: ArticleJob): Promise<void>;
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
}
