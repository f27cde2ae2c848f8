import { performance } from 'node:perf_hooks';
import type { Embedder } from '../embedding/embedder.js';
import { SiftError } from '../errors.js';
import { checkStoreEmbedding, embedderEmbedding } from '../stores/check-store-embedding.js';
import type { VectorStore } from '../stores/vector-store.js';
import { DEFAULT_K, roundMs, type RetrieveOptions, type RetrieveResponse, type Retriever } from './retriever.js';

/**
 * Dense stage 1: embeds the query with the bi-encoder and returns the nearest chunks by cosine
 * similarity. The embedder must be the one the store was built with (STORE_MODEL_MISMATCH otherwise).
 *
 * @example
 * const dense = new DenseRetriever(store, embedder);
 * (await dense.retrieve('how do I reset my password', { k: 5 })).results[0]; // { chunk: {…}, rank: 1, score: 0.71 }
 */
export class DenseRetriever implements Retriever {
  readonly mode = 'dense';
  readonly #store: VectorStore;
  readonly #embedder: Embedder;
  #checked: Promise<void> | undefined;

  constructor(store: VectorStore, embedder: Embedder) {
    this.#store = store;
    this.#embedder = embedder;
  }

  async retrieve(query: string, options: RetrieveOptions = {}): Promise<RetrieveResponse> {
    const t0 = performance.now();
    this.#checked ??= this.#check();
    await this.#checked;
    const [vector] = await this.#embedder.embed([query], {
      kind: 'query',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!vector) throw new SiftError('INTERNAL', 'embedder returned no vector for the query');
    const t1 = performance.now();
    const hits = await this.#store.denseSearch(vector, {
      k: options.k ?? DEFAULT_K,
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.exact ? { exact: true } : {}),
    });
    const t2 = performance.now();
    return {
      results: hits.map((h, i) => ({ chunk: h.chunk, rank: i + 1, score: h.score })),
      timings: { embedMs: roundMs(t1 - t0), searchMs: roundMs(t2 - t1), totalMs: roundMs(t2 - t0) },
    };
  }

  async #check(): Promise<void> {
    const info = await this.#store.info();
    const wanted = await embedderEmbedding(this.#embedder);
    if (info.embedding === null) {
      throw new SiftError(
        'STORE_MODEL_MISMATCH',
        `store ${info.location} is keyword-only (built with \`embedder\` none); dense search needs vectors, use \`mode\` bm25`,
        {
          details: { option: 'mode' },
        },
      );
    }
    checkStoreEmbedding(info.location, info.embedding, wanted);
  }
}
