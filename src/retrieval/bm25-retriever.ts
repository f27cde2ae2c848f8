import { performance } from 'node:perf_hooks';
import type { VectorStore } from '../stores/vector-store.js';
import { DEFAULT_K, roundMs, type RetrieveOptions, type RetrieveResponse, type Retriever } from './retriever.js';

/**
 * Keyword stage 1: the store's full-text index ranked by BM25 (Robertson & Zaragoza, 2009). Needs
 * no model, and "BM25 + cross-encoder" is a strong baseline on BEIR (Thakur et al., 2021), so it is
 * a legitimate first stage on its own, not only half of hybrid.
 *
 * @example
 * (await new Bm25Retriever(store).retrieve('error E1234', { k: 3 })).results.map((r) => r.rank); // [1, 2, 3]
 */
export class Bm25Retriever implements Retriever {
  readonly mode = 'bm25';
  readonly #store: VectorStore;
  readonly #headingPath: boolean;

  /** `headingPath`: rank by the chunk's heading path as well as its text (see `TextSearchOptions`). */
  constructor(store: VectorStore, options: { headingPath?: boolean } = {}) {
    this.#store = store;
    this.#headingPath = options.headingPath ?? false;
  }

  async retrieve(query: string, options: RetrieveOptions = {}): Promise<RetrieveResponse> {
    const t0 = performance.now();
    const hits = await this.#store.textSearch(query, {
      k: options.k ?? DEFAULT_K,
      ...(options.filter ? { filter: options.filter } : {}),
      ...(this.#headingPath ? { headingPath: true } : {}),
    });
    const ms = roundMs(performance.now() - t0);
    // Equal scores (duplicate passages: CACM holds many) come back in the store's physical row order,
    // which differs between two builds of the same corpus; the chunk id decides instead, so a ranking
    // (and everything fused from it) is the same in every store holding the same chunks.
    const ranked = [...hits].sort(
      (a, b) => b.score - a.score || (a.chunk.id < b.chunk.id ? -1 : a.chunk.id > b.chunk.id ? 1 : 0),
    );
    return {
      results: ranked.map((h, i) => ({ chunk: h.chunk, rank: i + 1, score: h.score })),
      timings: { searchMs: ms, totalMs: ms },
    };
  }
}
