import { loadUsearch } from './load-usearch.js';

/** Tunables of {@link HnswGraph}. */
export interface HnswGraphOptions {
  /** Links per node (HNSW `M`, default 16). */
  connectivity?: number;
  /** Candidates kept while inserting (`efConstruction`, default 64). */
  expansionAdd?: number;
  /** Candidates kept while searching (`ef`, default 200); a search for more keeps that many. */
  expansionSearch?: number;
}

/** The part of USearch's `Index` this file uses. */
interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Int8Array, threads?: number): void;
  search(vector: Int8Array, k: number, threads: number): { keys: BigUint64Array };
  remove(keys: bigint): number | number[];
  size(): number;
}
interface UsearchModule {
  Index: new (config: Record<string, unknown>) => UsearchIndex;
  MetricKind: { IP: string };
  ScalarKind: { I8: string };
}

/**
 * An HNSW graph over int8 rows (USearch, native, SIMD distances), keyed by whole numbers: the
 * candidate generator of `FlatDenseIndex` for large stores. It answers "which rows are probably
 * nearest", never the final scores — the caller re-scores its candidates exactly in fp32.
 * Memory: the int8 rows (dimension bytes each) plus about 2 × connectivity 4-byte links per row
 * at the base layer.
 */
export class HnswGraph {
  readonly #index: UsearchIndex;
  readonly #expansionSearch: number;
  /** 1 where a key is in the graph, by key. */
  #present = new Uint8Array(1024);
  #size = 0;
  #removed = 0;

  private constructor(index: UsearchIndex, expansionSearch: number) {
    this.#index = index;
    this.#expansionSearch = expansionSearch;
  }

  static async create(dimension: number, options: HnswGraphOptions = {}): Promise<HnswGraph> {
    const usearch = (await loadUsearch()) as unknown as UsearchModule;
    const expansionSearch = options.expansionSearch ?? 200;
    const index = new usearch.Index({
      dimensions: dimension,
      metric: usearch.MetricKind.IP,
      quantization: usearch.ScalarKind.I8,
      connectivity: options.connectivity ?? 16,
      expansion_add: options.expansionAdd ?? 64,
      expansion_search: expansionSearch,
      multi: false,
    });
    return new HnswGraph(index, expansionSearch);
  }

  /** Keys in the graph. */
  get size(): number {
    return this.#size;
  }

  /** Keys removed since the graph was built (they still cost search time until a rebuild). */
  get removed(): number {
    return this.#removed;
  }

  has(key: number): boolean {
    return key < this.#present.length && this.#present[key] === 1;
  }

  /** Inserts rows (`keys.length × dimension` int8, row-major); `threads` native threads share the work. */
  add(keys: readonly number[], rows: Int8Array, threads: number): void {
    if (keys.length === 0) return;
    const big = new BigUint64Array(keys.length);
    keys.forEach((k, i) => (big[i] = BigInt(k)));
    this.#index.add(big, rows, threads);
    const top = Math.max(...keys);
    if (top >= this.#present.length) {
      let capacity = this.#present.length;
      while (capacity <= top) capacity *= 2;
      const present = new Uint8Array(capacity);
      present.set(this.#present);
      this.#present = present;
    }
    for (const k of keys) this.#present[k] = 1;
    this.#size += keys.length;
  }

  remove(key: number): void {
    if (!this.has(key)) return;
    this.#index.remove(BigInt(key));
    this.#present[key] = 0;
    this.#size--;
    this.#removed++;
  }

  /** Keys of about the `count` nearest rows by int8 inner product (at least `expansionSearch` are explored). */
  search(query: Int8Array, count: number): number[] {
    if (this.#size === 0) return [];
    const found = this.#index.search(query, Math.min(count, this.#size), 1).keys;
    const out: number[] = [];
    // USearch pads a short answer with the largest key value.
    for (let i = 0; i < found.length; i++) if (found[i]! < 0xffffffffn) out.push(Number(found[i]));
    return out;
  }

  /** Explored candidates per search. */
  get expansionSearch(): number {
    return this.#expansionSearch;
  }
}
