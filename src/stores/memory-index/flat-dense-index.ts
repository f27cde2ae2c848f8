import { SiftError } from '../../errors.js';
import { HnswGraph, type HnswGraphOptions } from './hnsw-graph.js';
import { loadInt8Kernel, type Int8Kernel } from './int8-kernel.js';

/** Tunables of the in-memory dense index. */
export interface FlatDenseIndexOptions {
  /**
   * Candidates the int8 pass hands to the exact fp32 re-score (default 200, at least k). The int8
   * scores rank the true top 20 inside the top 200 on real all-MiniLM-L6-v2 vectors (recall@20 1.0
   * in `bench/dense-index.bench.ts`); more costs a little re-scoring time. Range k–2000.
   */
  rescore?: number;
  /** Threads of the int8 pass (default 1: a search is short, and a server runs many at once). Range 1–cores. */
  threads?: number;
  /**
   * From this many vectors on, an HNSW graph over the int8 rows is built in the background and,
   * once complete, replaces the full int8 scan as the candidate generator (its `rescore` best
   * candidates are still re-scored exactly in fp32). The scan answers until then, so results never
   * wait for the graph. Default `Infinity` (never): on real all-MiniLM-L6-v2 vectors grown to 1M rows
   * the graph answered in ~0.7 ms but found only 0.92 of the exact top 20 (ef 200; 0.94 at ef 400),
   * while the exact int8 scan took ~25 ms with recall 1.0 (`bench/dense-index.bench.ts`,
   * bench/RESULTS.md). Set it for stores far past 1M rows, where the scan grows linearly, if that
   * recall is acceptable.
   */
  graphMinRows?: number;
  /** Graph shape (default connectivity 16, expansion on insert 64, on search 200; recall@20 0.994 at 100k and 0.919 at 1M rows in the bench). */
  graph?: HnswGraphOptions;
  /** Native threads that build the graph (default 2). */
  graphThreads?: number;
}

/** A hit of {@link FlatDenseIndex.search}: a chunk id and its exact fp32 cosine similarity. */
export interface DenseIndexHit {
  id: string;
  /** Row (slot) of the id in the index at the time of the search. */
  slot: number;
  score: number;
}

/** Size of an in-memory dense index. */
export interface DenseIndexStats {
  /** Vectors held. */
  chunks: number;
  dimension: number;
  /** Bytes of the vector matrices (fp32 + int8, capacity included; ids and the graph not counted). */
  bytes: number;
  /** The HNSW graph of a large index: `building` while the int8 scan still answers, `ready` once searches use it. */
  graph?: { state: 'building' | 'ready'; rows: number };
}

const INITIAL_CAPACITY = 1024;
/** Rows per native graph insert during a background build: short enough not to hold the event loop long. */
const GRAPH_STEP = 512;
/** New rows an upsert adds to a complete graph in line; more go to a background pass. */
const GRAPH_INLINE_ROWS = 1024;

/**
 * An in-memory dense index over unit vectors: a contiguous fp32 matrix (exact scores) and its int8
 * scalar quantisation (fast first pass). A search scores every int8 row with a native SIMD kernel,
 * keeps the best `rescore` rows, re-scores them exactly in fp32 and returns the top k — an exact
 * scan with a quarter of the memory traffic, so recall stays at 1.0 in practice while the scan is
 * several times faster than fp32. Memory: 5 bytes per dimension per vector (1,920 MB per million
 * 384-d vectors: 1,536 fp32 + 384 int8).
 *
 * Quantisation is symmetric with one scale for the whole matrix, `127 / max |component|`; a vector
 * with a larger component re-quantises the matrix (rare: the first batch sets the range).
 *
 * The index is a cache: the store it mirrors stays the source of truth (see `LanceDenseIndex`).
 *
 * @example
 * const index = await FlatDenseIndex.create(384);
 * index.upsert(['a', 'b'], matrix); // matrix: Float32Array of 2 × 384
 * index.search(query, 1); // [{ id: 'a', slot: 0, score: 0.83 }]
 */
export class FlatDenseIndex {
  readonly dimension: number;
  readonly #kernel: Int8Kernel;
  readonly #rescore: number;
  readonly #threads: number;
  #f32: Float32Array;
  #i8: Int8Array;
  #ids: string[] = [];
  readonly #slots = new Map<string, number>();
  #maxAbs = 0;
  #scale = 1;
  // Graph keys are stable per row (a slot changes when a row moves), assigned in insertion order.
  #keyOfSlot: number[] = [];
  #slotOfKey = new Int32Array(INITIAL_CAPACITY).fill(-1);
  #nextKey = 0;
  readonly #graphOptions: FlatDenseIndexOptions;
  #graph: HnswGraph | undefined;
  #graphReady = false;
  #graphBuild: Promise<void> | undefined;
  #graphFailed = false;
  #disposed = false;

  private constructor(dimension: number, kernel: Int8Kernel, options: FlatDenseIndexOptions) {
    this.dimension = dimension;
    this.#kernel = kernel;
    this.#rescore = options.rescore ?? 200;
    this.#threads = options.threads ?? 1;
    this.#graphOptions = options;
    const minRows = options.graphMinRows ?? Infinity;
    if (!(minRows >= 1))
      throw new SiftError('INVALID_OPTION', `graphMinRows must be >= 1, got ${String(options.graphMinRows)}`);
    if (!Number.isInteger(this.#rescore) || this.#rescore < 1)
      throw new SiftError('INVALID_OPTION', `rescore must be a whole number >= 1, got ${String(options.rescore)}`);
    if (!Number.isInteger(this.#threads) || this.#threads < 1)
      throw new SiftError('INVALID_OPTION', `threads must be a whole number >= 1, got ${String(options.threads)}`);
    this.#f32 = new Float32Array(INITIAL_CAPACITY * dimension);
    this.#i8 = new Int8Array(INITIAL_CAPACITY * dimension);
  }

  /** An empty index; loads the native int8 kernel (STORE_ERROR when it cannot be loaded on this platform). */
  static async create(dimension: number, options: FlatDenseIndexOptions = {}): Promise<FlatDenseIndex> {
    if (!Number.isInteger(dimension) || dimension < 1)
      throw new SiftError('INVALID_OPTION', `dimension must be a whole number >= 1, got ${dimension}`);
    return new FlatDenseIndex(dimension, await loadInt8Kernel(), options);
  }

  /** Vectors held. */
  get size(): number {
    return this.#ids.length;
  }

  has(id: string): boolean {
    return this.#slots.has(id);
  }

  /** Every id held, in slot order. */
  ids(): readonly string[] {
    return this.#ids;
  }

  /** Adds vectors (row-major, `ids.length × dimension`), overwriting those whose id is already held. */
  upsert(ids: readonly string[], vectors: Float32Array): void {
    const d = this.dimension;
    if (vectors.length !== ids.length * d) {
      throw new SiftError(
        'INTERNAL',
        `upsert got ${vectors.length} floats for ${ids.length} vectors of dimension ${d}`,
      );
    }
    let maxAbs = this.#maxAbs;
    for (let i = 0; i < vectors.length; i++) {
      const a = Math.abs(vectors[i]!);
      if (a > maxAbs) maxAbs = a;
    }
    this.#reserve(this.#ids.length + ids.length);
    const requantise = maxAbs > this.#maxAbs;
    if (requantise) {
      this.#maxAbs = maxAbs;
      this.#scale = maxAbs > 0 ? 127 / maxAbs : 1;
    }
    const fresh: number[] = [];
    ids.forEach((id, r) => {
      let slot = this.#slots.get(id);
      if (slot === undefined) {
        slot = this.#ids.length;
        this.#ids.push(id);
        this.#slots.set(id, slot);
      } else {
        // An overwritten row gets a new key, so the graph never keeps its old vector.
        this.#graph?.remove(this.#keyOfSlot[slot]!);
        this.#slotOfKey[this.#keyOfSlot[slot]!] = -1;
      }
      this.#assignKey(slot);
      fresh.push(slot);
      this.#f32.set(vectors.subarray(r * d, (r + 1) * d), slot * d);
      if (!requantise) this.#quantise(slot, slot + 1);
    });
    if (requantise) {
      this.#quantise(0, this.#ids.length);
      // The graph's int8 rows were quantised with the old scale: build a new one.
      this.#graph = undefined;
      this.#graphReady = false;
    }
    this.#maintainGraph(fresh);
  }

  /** Removes these ids (unknown ones are ignored); the last row moves into each freed slot. */
  remove(ids: Iterable<string>): number {
    const d = this.dimension;
    let removed = 0;
    for (const id of ids) {
      const slot = this.#slots.get(id);
      if (slot === undefined) continue;
      const key = this.#keyOfSlot[slot]!;
      this.#graph?.remove(key);
      this.#slotOfKey[key] = -1;
      const last = this.#ids.length - 1;
      if (slot !== last) {
        const moved = this.#ids[last]!;
        this.#f32.copyWithin(slot * d, last * d, (last + 1) * d);
        this.#i8.copyWithin(slot * d, last * d, (last + 1) * d);
        this.#ids[slot] = moved;
        this.#slots.set(moved, slot);
        const movedKey = this.#keyOfSlot[last]!;
        this.#keyOfSlot[slot] = movedKey;
        this.#slotOfKey[movedKey] = slot;
      }
      this.#ids.pop();
      this.#keyOfSlot.pop();
      this.#slots.delete(id);
      removed++;
    }
    // Deleted nodes still cost search time: past a quarter of the graph, build it again.
    if (this.#graph && this.#graph.removed > this.#graph.size / 4) {
      this.#graph = undefined;
      this.#graphReady = false;
    }
    this.#maintainGraph([]);
    return removed;
  }

  /** Resolves when the graph (of an index at or past `graphMinRows`) is complete; at once when none is being built. */
  async graphReady(): Promise<void> {
    while (this.#graphBuild) await this.#graphBuild;
  }

  /** Stops a background graph build (the index stays usable by its scan). */
  async dispose(): Promise<void> {
    this.#disposed = true;
    await this.#graphBuild;
  }

  /**
   * The k nearest ids by cosine similarity (vectors are unit length, so by dot product), best first.
   * `options.rescore` overrides the index's candidate count for this search (the graph explores at least that many).
   */
  search(query: Float32Array, k: number, options: { rescore?: number } = {}): DenseIndexHit[] {
    const d = this.dimension;
    if (query.length !== d)
      throw new SiftError('STORE_MODEL_MISMATCH', `query vector has dimension ${query.length}; the index holds ${d}`);
    const n = this.#ids.length;
    if (k <= 0 || n === 0) return [];
    const want = Math.min(n, Math.max(k, options.rescore ?? this.#rescore));
    let slots: ArrayLike<number>;
    if (want >= n) {
      slots = Uint32Array.from({ length: n }, (_, i) => i);
    } else {
      const q = new Int8Array(d);
      for (let j = 0; j < d; j++) q[j] = clampInt8(query[j]! * this.#scale);
      if (this.#graph && this.#graphReady) {
        const keys = this.#graph.search(q, want);
        slots = keys.map((key) => this.#slotOfKey[key]!).filter((slot) => slot >= 0);
      } else {
        slots = this.#kernel.topK(this.#i8.subarray(0, n * d), q, d, want, this.#threads);
      }
    }
    const hits: DenseIndexHit[] = [];
    const f = this.#f32;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      const o = slot * d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        a0 += f[o + j]! * query[j]!;
        a1 += f[o + j + 1]! * query[j + 1]!;
        a2 += f[o + j + 2]! * query[j + 2]!;
        a3 += f[o + j + 3]! * query[j + 3]!;
      }
      for (; j < d; j++) a0 += f[o + j]! * query[j]!;
      hits.push({ id: this.#ids[slot]!, slot, score: a0 + a1 + a2 + a3 });
    }
    // Ties broken by id, so equal vectors rank the same way on every run.
    hits.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    return hits.slice(0, k);
  }

  stats(): DenseIndexStats {
    const stats: DenseIndexStats = {
      chunks: this.#ids.length,
      dimension: this.dimension,
      bytes: this.#f32.byteLength + this.#i8.byteLength,
    };
    if (this.#graph || this.#graphBuild)
      stats.graph = { state: this.#graphReady ? 'ready' : 'building', rows: this.#graph?.size ?? 0 };
    return stats;
  }

  #assignKey(slot: number): void {
    const key = this.#nextKey++;
    if (key >= this.#slotOfKey.length) {
      const grown = new Int32Array(this.#slotOfKey.length * 2).fill(-1);
      grown.set(this.#slotOfKey);
      this.#slotOfKey = grown;
    }
    this.#slotOfKey[key] = slot;
    this.#keyOfSlot[slot] = key;
  }

  /** After a change: adds a few new rows to a complete graph in line, else (re)starts the background build when the index is large enough. */
  #maintainGraph(freshSlots: readonly number[]): void {
    const minRows = this.#graphOptions.graphMinRows ?? Infinity;
    if (this.#disposed || this.#ids.length < minRows) return;
    const graph = this.#graph;
    if (graph && this.#graphReady && !this.#graphBuild && freshSlots.length <= GRAPH_INLINE_ROWS) {
      const d = this.dimension;
      const rows = new Int8Array(freshSlots.length * d);
      freshSlots.forEach((slot, i) => rows.set(this.#i8.subarray(slot * d, (slot + 1) * d), i * d));
      graph.add(
        freshSlots.map((slot) => this.#keyOfSlot[slot]!),
        rows,
        1,
      );
      return;
    }
    if (freshSlots.length > 0 || !graph) this.#graphReady = false;
    if (this.#graphFailed) return;
    // A failed build (the native library out of memory, say) leaves the scan answering; no retry loop.
    this.#graphBuild ??= this.#buildGraph()
      .catch(() => {
        this.#graphFailed = true;
        this.#graph = undefined;
        this.#graphReady = false;
      })
      .finally(() => (this.#graphBuild = undefined));
  }

  /**
   * Puts every row into the graph, a step at a time with the event loop free in between (searches
   * meanwhile use the scan). Passes repeat until the graph holds every row: rows added, moved or
   * re-quantised during a pass are caught by the next. Marks the graph ready in the same
   * synchronous step as the check that found it complete.
   */
  async #buildGraph(): Promise<void> {
    const d = this.dimension;
    const threads = this.#graphOptions.graphThreads ?? 2;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.#disposed) return;
      const graph = (this.#graph ??= await HnswGraph.create(d, this.#graphOptions.graph));
      for (let slot = 0; slot < this.#ids.length;) {
        if (this.#disposed || this.#graph !== graph) break;
        const keys: number[] = [];
        const rows = new Int8Array(GRAPH_STEP * d);
        for (; slot < this.#ids.length && keys.length < GRAPH_STEP; slot++) {
          const key = this.#keyOfSlot[slot]!;
          if (graph.has(key)) continue;
          rows.set(this.#i8.subarray(slot * d, (slot + 1) * d), keys.length * d);
          keys.push(key);
        }
        graph.add(keys, rows.subarray(0, keys.length * d), threads);
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (this.#disposed) return;
      if (this.#graph !== graph) continue;
      // Live keys are exactly the rows, so equal counts mean every row is in.
      if (graph.size === this.#ids.length) {
        this.#graphReady = true;
        return;
      }
    }
  }

  #reserve(rows: number): void {
    const d = this.dimension;
    if (rows * d <= this.#f32.length) return;
    let capacity = this.#f32.length / d;
    while (capacity < rows) capacity *= 2;
    const f32 = new Float32Array(capacity * d);
    f32.set(this.#f32.subarray(0, this.#ids.length * d));
    const i8 = new Int8Array(capacity * d);
    i8.set(this.#i8.subarray(0, this.#ids.length * d));
    this.#f32 = f32;
    this.#i8 = i8;
  }

  #quantise(from: number, to: number): void {
    const d = this.dimension;
    const s = this.#scale;
    for (let i = from * d; i < to * d; i++) this.#i8[i] = clampInt8(this.#f32[i]! * s);
  }
}

function clampInt8(x: number): number {
  const r = Math.round(x);
  return r > 127 ? 127 : r < -127 ? -127 : r;
}
