/**
 * `sift-rerank/server`: the HTTP API (`/v1/rerank`, `/v2/rerank`, `/rerank`, `/v1/search`, `/v1/ask`,
 * `/v1/ingest`, `/health`, `/metrics`) and the web page, as `sift serve` runs them.
 *
 * @example
 * import { createReranker, pairScorerFor } from 'sift-rerank';
 * import { startServer } from 'sift-rerank/server';
 * const judge = createReranker();
 * await judge.load?.();
 * const server = await startServer({ judge: pairScorerFor(judge), port: 8080 });
 */
export { startServer, type RunningServer, type StartServerOptions } from './start-server.js';
export { createApp, type CreateAppOptions } from './create-app.js';
export {
  createSearchService,
  type SearchRequest,
  type SearchService,
  type SearchServiceOptions,
} from './search-service.js';
export {
  createIngestService,
  resolveIngestPaths,
  type IngestService,
  type IngestServiceOptions,
} from './ingest-service.js';
export {
  errorResponse,
  inFieldTerms,
  OPTION_FIELDS,
  statusForCode,
  type ErrorBody,
  type ErrorResponse,
} from './error-response.js';
export { HttpError, type HttpErrorCode } from './http-error.js';
export { DEFAULT_LIMITS, resolveLimits, type ServerLimits } from './server-limits.js';
