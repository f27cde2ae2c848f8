export { RemoteReranker, type RemoteRerankerOptions, type RemoteScoreKind } from './remote-reranker.js';
export { endpointApiKey, inferShape, isEndpointUrl, parseEndpoint, type EndpointSpec } from './remote-endpoint.js';
export {
  parseRerankAnswer,
  rerankRequestBody,
  RERANK_SHAPES,
  type RerankShape,
  type WireScore,
} from './rerank-protocol.js';
export {
  AttemptTimer,
  backoffDelay,
  DEFAULT_REMOTE_TIMEOUT_MS,
  displayUrl,
  fetchWithRetry,
  isRetryableStatus,
  parseRetryAfter,
  type RemoteRequest,
  type RemoteResponse,
  type RetryPolicy,
} from './fetch-with-retry.js';
