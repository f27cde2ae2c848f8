import { LATENCY_BUCKETS, MetricRegistry, type Counter, type Histogram } from './metric-registry.js';

/** The stages timed per request or per batch: the series of `sift_stage_duration_seconds`. */
export type Stage = 'queue' | 'tokenize' | 'inference' | 'retrieve' | 'rerank';

/** Pairs per merged inference batch: 1 means no merging happened; the ceiling is `--batch-pairs`. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;

/** Live values read when `/metrics` is scraped. */
export interface MetricSources {
  queuedPairs: () => number;
  queuedRequests: () => number;
  inFlight: () => number;
}

/** What the HTTP layer and the batcher record, and the registry `/metrics` renders. */
export interface ServerMetrics {
  readonly registry: MetricRegistry;
  readonly requests: Counter;
  readonly errors: Counter;
  readonly requestDuration: Histogram;
  readonly stageDuration: Histogram;
  readonly batchPairs: Histogram;
  readonly batchRequests: Histogram;
}

/**
 * Creates the server's metrics. Route labels are the registered paths only (`other` for anything
 * else), so a scan of random URLs cannot grow the series without bound.
 *
 * @example
 * const m = createServerMetrics({ queuedPairs: () => 0, queuedRequests: () => 0, inFlight: () => 0 });
 * m.requests.inc({ route: '/v1/rerank', method: 'POST', status: '200' });
 * m.registry.render() // '# HELP sift_http_requests_total ...'
 */
export function createServerMetrics(sources: MetricSources): ServerMetrics {
  const registry = new MetricRegistry();
  const metrics: ServerMetrics = {
    registry,
    requests: registry.counter('sift_http_requests_total', 'HTTP requests answered, by route, method and status.', [
      'route',
      'method',
      'status',
    ]),
    errors: registry.counter(
      'sift_http_errors_total',
      'HTTP requests answered with an error, by route, status and sift error code.',
      ['route', 'status', 'code'],
    ),
    requestDuration: registry.histogram(
      'sift_http_request_duration_seconds',
      'Time from request to response headers, by route.',
      LATENCY_BUCKETS,
      ['route'],
    ),
    stageDuration: registry.histogram(
      'sift_stage_duration_seconds',
      'Time per stage: queue (waiting for a batch), tokenize and inference (per merged batch), retrieve and rerank (per search).',
      LATENCY_BUCKETS,
      ['stage'],
    ),
    batchPairs: registry.histogram(
      'sift_batch_pairs',
      'Pairs per merged cross-encoder batch (above 1 when concurrent requests share a batch).',
      BATCH_BUCKETS,
    ),
    batchRequests: registry.histogram(
      'sift_batch_requests',
      'Requests whose pairs share one merged cross-encoder batch.',
      BATCH_BUCKETS,
    ),
  };
  registry.gauge(
    'sift_queue_pairs',
    'Pairs waiting for the cross-encoder (the bounded queue; full answers 429).',
    sources.queuedPairs,
  );
  registry.gauge('sift_queue_requests', 'Requests with pairs waiting for the cross-encoder.', sources.queuedRequests);
  registry.gauge('sift_http_in_flight_requests', 'HTTP requests being handled.', sources.inFlight);
  return metrics;
}
