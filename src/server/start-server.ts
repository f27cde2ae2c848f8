import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { SiftError } from '../errors.js';
import type { ChatClientOptions } from '../generation/chat-client.js';
import type { Reranker } from '../reranking/reranker.js';
import { checkBindAddress } from './api-key.js';
import { BatchedReranker } from '../reranking/batched-reranker.js';
import { Batcher, type BatcherOptions } from '../reranking/batcher.js';
import type { PairScorer } from '../reranking/pair-scorer.js';
import { createApp } from './create-app.js';
import { createServerMetrics, type ServerMetrics } from './metrics/server-metrics.js';
import type { IngestService } from './ingest-service.js';
import type { SearchService } from './search-service.js';
import type { ServerContext } from './server-context.js';
import { resolveLimits, type ServerLimits } from './server-limits.js';
import { longDocumentsMode, type LongDocuments } from '../reranking/long-documents.js';
import { loadWebAssets } from './web-assets.js';

export interface StartServerOptions {
  /**
   * The judge as a pair scorer: the cross-encoder itself, or `pairScorerFor(any reranker)`; loaded or
   * not (load it first to fail before listening). Closing it is the caller's job.
   */
  judge: PairScorer;
  /** Builds `/v1/search` over the server's batched reranker; without it the route is not registered. */
  search?: ((reranker: Reranker) => SearchService) | undefined;
  /** Ingest over HTTP into the server's store (`POST /v1/ingest`, confined to its roots); off without it. */
  ingest?: IngestService | undefined;
  /** The LLM for `/v1/ask` (OpenAI-compatible); without one, answers quote the best sentences. */
  llm?: ChatClientOptions | undefined;
  /** Address to bind (default 127.0.0.1). Anything but loopback needs `apiKey`. */
  host?: string | undefined;
  /** Port (default 8080; 0 picks a free one). */
  port?: number | undefined;
  /** Bearer key for the API routes and `/metrics`; required off loopback. */
  apiKey?: string | undefined;
  limits?: Partial<ServerLimits> | undefined;
  /**
   * How `/v1/rerank` and `/v2/rerank` read documents longer than the judge's passage budget when a
   * request sends no `max_tokens_per_doc`: `truncate` (default) or `window` (see `RerankOptions`).
   * `/rerank` (TEI) always truncates, as TEI does.
   */
  longDocuments?: LongDocuments | undefined;
  /** Dynamic batching: pairs per merged batch, wait, queue bound, merge on/off (see `BatcherOptions`). */
  batching?: Omit<BatcherOptions, 'scorer' | 'onBatch'> | undefined;
  /** Serve the web page at `/` (default true). */
  webPage?: boolean | undefined;
  /** On shutdown, how long in-flight requests may take before their connections are cut (default 30000 ms). */
  shutdownTimeoutMs?: number | undefined;
  /** Where unexpected errors are logged (default: stderr). */
  log?: ((message: string) => void) | undefined;
}

export interface RunningServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  host: string;
  port: number;
  metrics: ServerMetrics;
  batcher: Batcher;
  /**
   * Graceful stop: refuses new connections, lets in-flight requests finish (cut after
   * `shutdownTimeoutMs`), then waits for the batch queue to empty. Safe to call twice.
   */
  close(): Promise<void>;
}

/**
 * Starts the HTTP server: `/v1/rerank`, `/v2/rerank`, `/rerank`, `/v1/search` and `/v1/ask` (with `search`), `/health`,
 * `/metrics` and the web page at `/`, with concurrent rerank work merged into shared batches.
 *
 * @example
 * const judge = createReranker('cross-encoder/ms-marco-MiniLM-L-6-v2');
 * await judge.load();
 * const server = await startServer({ judge, port: 0 });
 * server.url // 'http://127.0.0.1:41234'
 * await server.close();
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new SiftError('INVALID_OPTION', `port must be a whole number from 0 to 65535, got ${String(port)}`);
  checkBindAddress(host, options.apiKey);
  const limits = resolveLimits(options.limits);
  const webAssets = options.webPage === false ? undefined : loadWebAssets();

  let draining = false;
  const inFlight = { count: 0 };
  // The metrics read the batcher's queue when scraped, and the batcher reports each batch to them.
  const metrics = createServerMetrics({
    queuedPairs: () => batcher.queuedPairs,
    queuedRequests: () => batcher.queuedRequests,
    inFlight: () => inFlight.count,
  });
  const batcher = new Batcher({
    ...options.batching,
    scorer: options.judge,
    onBatch: (b) => {
      metrics.batchPairs.observe(b.pairs);
      metrics.batchRequests.observe(b.requests);
      metrics.stageDuration.observe(b.tokenizeMs / 1000, { stage: 'tokenize' });
      metrics.stageDuration.observe(b.inferenceMs / 1000, { stage: 'inference' });
    },
  });
  const reranker = new BatchedReranker(options.judge, batcher);
  const context: ServerContext = {
    reranker,
    search: options.search?.(reranker),
    ingest: options.ingest,
    limits,
    longDocuments: longDocumentsMode(options.longDocuments),
    metrics,
    inFlight,
    draining: () => draining,
    observeRerank: (t) => metrics.stageDuration.observe(t.queueMs / 1000, { stage: 'queue' }),
  };
  const app = createApp({
    context,
    webAssets,
    apiKey: options.apiKey,
    queue: () => ({ pairs: batcher.queuedPairs, requests: batcher.queuedRequests }),
    llm: options.llm,
    log: options.log,
  });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host, overrideGlobalObjects: false }) as Server;
  await listen(server, host, port);
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timeout = options.shutdownTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const cut = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, timeout);
      });
      await Promise.race([closed, cut]);
      clearTimeout(timer);
      await batcher.drain();
    })();
    return closing;
  };

  return { url: `http://${shown}:${address.port}`, host: address.address, port: address.port, metrics, batcher, close };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const reason =
        err.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use; pick another with --port (0 picks a free one)`
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? `${host} is not an address of this machine; use 127.0.0.1 or one of its interfaces`
            : `cannot listen on ${host}:${port}: ${err.message}`;
      reject(new SiftError('INVALID_OPTION', reason, { cause: err, details: { host, port } }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
