import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric finews exports, on one registry built by the composition
 * root and passed to whoever records (no module-level singletons).
 */
export interface Metrics {
  registry: Registry;
  /** Source fetches by source id and outcome (ok, not-modified, error). */
  sourceFetches: Counter<'source' | 'outcome'>;
  /** Items seen in source feeds by source id and kind (new, duplicate). */
  items: Counter<'source' | 'kind'>;
  /** Article page fetches by outcome (ok, fallback, error). */
  articleFetches: Counter<'outcome'>;
  /** Render time of one category's documents. */
  publishDuration: Histogram<'slug'>;
  /** Jobs waiting per queue (sampled). */
  queueDepth: Gauge<'queue'>;
  /** HTTP requests by route and status code. */
  httpRequests: Counter<'route' | 'status'>;
  httpDuration: Histogram<'route'>;
}

/** Creates a fresh registry with finews metrics (and Node process metrics when `withDefaults`). */
export function createMetrics(opts: { withDefaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.withDefaults) collectDefaultMetrics({ register: registry, prefix: 'finews_' });
  const registers = [registry];
  return {
    registry,
    sourceFetches: new Counter({ name: 'finews_source_fetches_total', help: 'Source feed fetches by outcome', labelNames: ['source', 'outcome'], registers }),
    items: new Counter({ name: 'finews_items_total', help: 'Items seen in source feeds, new or duplicate', labelNames: ['source', 'kind'], registers }),
    articleFetches: new Counter({ name: 'finews_article_fetches_total', help: 'Article page fetches by outcome', labelNames: ['outcome'], registers }),
    publishDuration: new Histogram({ name: 'finews_publish_duration_seconds', help: 'Time to render one category', labelNames: ['slug'], buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers }),
    queueDepth: new Gauge({ name: 'finews_queue_depth', help: 'Jobs waiting per queue', labelNames: ['queue'], registers }),
    httpRequests: new Counter({ name: 'finews_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers }),
    httpDuration: new Histogram({ name: 'finews_http_request_duration_seconds', help: 'HTTP request duration by route', labelNames: ['route'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], registers }),
  };
}
