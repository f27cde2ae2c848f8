import type { Hono } from 'hono';
import type { LongDocuments } from '../reranking/long-documents.js';
import type { BatchedReranker, BatchedRerankTimings } from '../reranking/batched-reranker.js';
import type { ServerMetrics } from './metrics/server-metrics.js';
import type { IngestService } from './ingest-service.js';
import type { SearchService } from './search-service.js';
import type { ServerLimits } from './server-limits.js';

/** Per-request values set by the middleware and the error handler. */
export interface ServerEnv {
  Variables: {
    /** The error code of a failed request, for `sift_http_errors_total`. */
    errorCode: string;
  };
}

export type ServerApp = Hono<ServerEnv>;

/** What the routes share: the judge behind the batcher, optional search, limits, metrics. */
export interface ServerContext {
  reranker: BatchedReranker;
  search: SearchService | undefined;
  /** Ingest over HTTP (`--ingest-root`); without it `/v1/ingest` is not registered. */
  ingest?: IngestService | undefined;
  limits: ServerLimits;
  /** How the Cohere routes read long documents when a request sends no `max_tokens_per_doc` (default truncate). */
  longDocuments: LongDocuments;
  metrics: ServerMetrics;
  /** HTTP requests being handled (a gauge in `/metrics`). */
  inFlight: { count: number };
  /** True once shutdown began: `/health` answers 503 and responses close their connections. */
  draining: () => boolean;
  /** Records a rerank call's queue wait (per request; tokenize and inference are recorded per batch). */
  observeRerank: (timings: BatchedRerankTimings) => void;
}
