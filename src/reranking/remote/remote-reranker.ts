import { performance } from 'node:perf_hooks';
import { SiftError } from '../../errors.js';
import type { RerankDocument, Reranker, RerankOptions, RerankResponse, RerankResult } from '../reranker.js';
import { sigmoid } from '../scores.js';
import { longDocumentsMode } from '../long-documents.js';
import { checkRerankRequest, sortByRelevance } from '../rerank-request.js';
import { displayUrl, fetchWithRetry, type RetryPolicy } from './fetch-with-retry.js';
import { endpointApiKey, parseEndpoint } from './remote-endpoint.js';
import { parseRerankAnswer, rerankRequestBody, type RerankShape } from './rerank-protocol.js';

/**
 * How to read the numbers an endpoint returns.
 * - `probability`: already relevance in 0..1 (Cohere and Jina `relevance_score`; TEI with
 *   `raw_scores: false`, which applies the sigmoid server-side).
 * - `logit`: raw model outputs; sift applies the sigmoid, as the local judge does.
 * - `auto` (default): probabilities when every score of the call lies in 0..1, else logits. Servers
 *   that return logits despite being asked not to (some vLLM and Infinity versions) are then still
 *   read on the 0..1 scale; a logit set that happens to fall entirely in 0..1 would be misread, so
 *   say `logit` for such servers.
 */
export type RemoteScoreKind = 'auto' | 'probability' | 'logit';

export interface RemoteRerankerOptions {
  /**
   * The endpoint: `http://host:8080/rerank` (TEI), `https://api.cohere.com/v2/rerank`,
   * `https://api.jina.ai/v1/rerank`, `http://vllm:8000/v1/rerank`. A fragment may set the shape and
   * model: `http://host/rerank#cohere`, `...#model=rerank-v3.5` (see `parseEndpoint`).
   */
  url: string;
  /** Request shape; default: from the URL (a bare `/rerank` path is TEI, anything else Cohere). */
  shape?: RerankShape;
  /** Model name sent in Cohere-shape requests (Cohere and Jina require one; TEI serves one model). */
  model?: string;
  /**
   * Bearer token; default `SIFT_RERANK_API_KEY`, else `COHERE_API_KEY` / `JINA_API_KEY` for those
   * providers' hosts only.
   */
  apiKey?: string;
  /** Milliseconds one request may take (default 30 000). Timeouts are not retried. */
  timeoutMs?: number;
  /** Retries of 408/429/5xx and network errors (default 3 retries, 500 ms doubling, at most 30 s). */
  retry?: RetryPolicy;
  /**
   * Documents per request (default: 32 for TEI, whose `--max-client-batch-size` defaults to 32;
   * 1000 for Cohere shape, Cohere's documented maximum). Larger lists are split into several
   * requests and merged. A call's `batchSize` option overrides it.
   */
  maxDocumentsPerRequest?: number;
  /** Requests in flight at once when a list is split (default 4). */
  concurrency?: number;
  /** See `RemoteScoreKind` (default `auto`). */
  scores?: RemoteScoreKind;
  /** Extra request headers (e.g. a gateway's routing header). */
  headers?: Record<string, string>;
  /** Environment to read keys from (default `process.env`; tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_MAX_DOCUMENTS: Record<RerankShape, number> = { tei: 32, cohere: 1000 };

/**
 * A judge on another machine: a `/rerank` HTTP endpoint in the Cohere/Jina or TEI shape, so that a
 * hosted API or a fleet of GPU servers can do stage 2. Results have the same shape as the local
 * judge's: sorted by descending score (ties keep input order), documents untouched, scores in 0..1.
 *
 * `truncated` is always false and `truncatedPairs` 0: the server truncates long pairs (TEI is asked
 * to with `truncate: true`) and does not say which. `maxLength` is ignored for the same reason.
 *
 * @example
 * const judge = new RemoteReranker({ url: 'http://localhost:8080/rerank' }); // TEI
 * const { results } = await judge.rerank('How many people live in Berlin?', ['Berlin is known for museums.', 'Berlin has 3.5 million inhabitants.']);
 * results.map((r) => r.index) // [1, 0]
 */
export class RemoteReranker implements Reranker {
  readonly model: string;
  readonly url: string;
  readonly shape: RerankShape;
  private readonly options: RemoteRerankerOptions;
  private readonly requestModel: string | undefined;
  private readonly headers: Record<string, string>;
  private readonly authHint: string;

  constructor(options: RemoteRerankerOptions) {
    const endpoint = parseEndpoint(options.url, { shape: options.shape, model: options.model });
    this.url = endpoint.url;
    this.shape = endpoint.shape;
    this.requestModel = endpoint.model;
    this.model = endpoint.model ? `${endpoint.model} via ${displayUrl(endpoint.url)}` : displayUrl(endpoint.url);
    this.options = options;
    positive('maxDocumentsPerRequest', options.maxDocumentsPerRequest);
    positive('concurrency', options.concurrency);
    positive('timeoutMs', options.timeoutMs);
    const { key, hint } = endpointApiKey(endpoint.url, options.apiKey, options.env ?? process.env);
    this.authHint = hint;
    this.headers = { ...options.headers, ...(key ? { authorization: `Bearer ${key}` } : {}) };
  }

  /** Nothing to load; present so the CLI can time "load" the same way for every judge. */
  async load(): Promise<{ model: string; url: string; shape: RerankShape }> {
    return { model: this.model, url: this.url, shape: this.shape };
  }

  async rerank<D extends RerankDocument>(
    query: string,
    documents: readonly D[],
    options: RerankOptions = {},
  ): Promise<RerankResponse<D>> {
    const started = performance.now();
    const { texts, topK } = checkRerankRequest(query, documents, options);
    if (longDocumentsMode(options.longDocuments) === 'window') {
      throw new SiftError(
        'INVALID_OPTION',
        `\`longDocuments\` "window" needs a local cross-encoder; ${this.model} reads documents its own way (Cohere's API windows them itself)`,
        {
          details: { option: 'longDocuments' },
        },
      );
    }
    if (documents.length === 0 || topK === 0)
      return {
        results: [],
        model: this.model,
        truncatedPairs: 0,
        timings: { tokenizeMs: 0, inferenceMs: 0, totalMs: 0 },
      };

    const perRequest = options.batchSize ?? this.options.maxDocumentsPerRequest ?? DEFAULT_MAX_DOCUMENTS[this.shape];
    positive('batchSize', perRequest);
    const ranges: [number, number][] = [];
    for (let start = 0; start < texts.length; start += perRequest)
      ranges.push([start, Math.min(texts.length, start + perRequest)]);
    // With one request a Cohere-shape server can cut to top_n itself; across several, every score is needed to merge.
    const topN = ranges.length === 1 && this.shape === 'cohere' && topK < texts.length ? topK : undefined;

    const raw = new Map<number, number>();
    await forEachLimited(ranges, this.options.concurrency ?? 4, async ([start, end]) => {
      const batch = texts.slice(start, end);
      for (const { index, score } of await this.request(query, batch, topN, options.signal))
        raw.set(start + index, score);
    });

    const values = [...raw.values()];
    const kind = this.options.scores ?? 'auto';
    const outside = values.some((s) => s < 0 || s > 1);
    if (kind === 'probability' && outside) {
      throw new SiftError(
        'REMOTE_ERROR',
        `reranker endpoint ${displayUrl(this.url)} sent scores outside 0..1 (${values.find((s) => s < 0 || s > 1)}) though told they are probabilities; use scores: 'logit' or 'auto'`,
      );
    }
    const logits = kind === 'logit' || (kind === 'auto' && outside);
    const results: RerankResult<D>[] = [...raw].map(([index, value]) => ({
      index,
      document: documents[index]!,
      text: texts[index]!,
      score: logits ? sigmoid(value) : value,
      logit: logits ? value : logitOf(value),
      truncated: false,
    }));
    sortByRelevance(results);
    const totalMs = performance.now() - started;
    return {
      results: results.slice(0, topK),
      model: this.model,
      truncatedPairs: 0,
      timings: { tokenizeMs: 0, inferenceMs: totalMs, totalMs },
    };
  }

  /** Nothing to release: requests share Node's global connection pool. */
  async close(): Promise<void> {}

  private async request(query: string, texts: string[], topN: number | undefined, signal: AbortSignal | undefined) {
    const where = `reranker endpoint ${displayUrl(this.url)}`;
    const { response, timer } = await fetchWithRetry({
      url: this.url,
      what: 'reranker endpoint',
      body: rerankRequestBody(this.shape, query, texts, { model: this.requestModel, topN }),
      headers: this.headers,
      authHint: this.authHint,
      signal,
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      ...(this.options.retry !== undefined ? { retry: this.options.retry } : {}),
    });
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw timer.translate(err, `${where} broke off its answer`);
    } finally {
      timer.clear();
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      const shown = text.replace(/\s+/g, ' ').trim().slice(0, 80);
      throw new SiftError(
        'REMOTE_ERROR',
        `${where} sent an answer that is not JSON (${response.headers.get('content-type') ?? 'no content-type'}): "${shown}"; check the URL`,
        { cause: err },
      );
    }
    return parseRerankAnswer(body, texts.length, where, topN ?? texts.length);
  }
}

/**
 * The logit a probability stands for, so `logit` keeps its meaning ("the raw model output") for
 * servers that only return probabilities. Clamped so that 0 and 1 give finite numbers (±16.1).
 */
function logitOf(p: number): number {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
  return Math.log(q / (1 - q));
}

/** Runs `work` over `items` with at most `limit` in flight; the first failure rejects. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}

function positive(name: string, n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
    throw new SiftError('INVALID_OPTION', `\`${name}\` must be a whole number >= 1, got ${String(n)}`, {
      details: { option: name },
    });
  }
}
