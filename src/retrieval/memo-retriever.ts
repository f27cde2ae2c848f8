import type { RetrieveOptions, RetrieveResponse, Retriever } from './retriever.js';

/**
 * Remembers a retriever's answers by query and k (filters and `exact` bypass the memory), so
 * several fusions of the same dense and BM25 lists (`sift eval --fusion a,b,c`) embed and search each
 * query once. The remembered response's timings are those of the first, real, call.
 */
export class MemoRetriever implements Retriever {
  readonly mode: string;
  readonly #inner: Retriever;
  readonly #seen = new Map<string, Promise<RetrieveResponse>>();

  constructor(inner: Retriever) {
    this.#inner = inner;
    this.mode = inner.mode;
  }

  retrieve(query: string, options: RetrieveOptions = {}): Promise<RetrieveResponse> {
    if (options.filter !== undefined || options.exact) return this.#inner.retrieve(query, options);
    const key = `${options.k ?? ''}\0${query}`;
    let found = this.#seen.get(key);
    if (!found) {
      found = this.#inner.retrieve(query, options);
      found.catch(() => this.#seen.delete(key));
      this.#seen.set(key, found);
    }
    return found;
  }
}
