import { SiftError } from '../../errors.js';
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
  /** Bytes of the vector matrices (fp32 + int8, capacity included; ids not counted). */
  bytes: number;
}

const INITIAL_CAPACITY = 1024;

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

  private constructor(dimension: number, kernel: Int8Kernel, options: FlatDenseIndexOptions) {
    this.dimension = dimension;
    this.#kernel = kernel;
    this.#rescore = options.rescore ?? 200;
    this.#threads = options.threads ?? 1;
    if (!Number.isInteger(this.#rescore) || this.#rescore < 1) throw new SiftError('INVALID_OPTION', `rescore must be a whole number >= 1, got ${String(options.rescore)}`);
    if (!Number.isInteger(this.#threads) || this.#threads < 1) throw new SiftError('INVALID_OPTION', `threads must be a whole number >= 1, got ${String(options.threads)}`);
    this.#f32 = new Float32Array(INITIAL_CAPACITY * dimension);
    this.#i8 = new Int8Array(INITIAL_CAPACITY * dimension);
  }

  /** An empty index; loads the native int8 kernel (STORE_ERROR when it cannot be loaded on this platform). */
  static async create(dimension: number, options: FlatDenseIndexOptions = {}): Promise<FlatDenseIndex> {
    if (!Number.isInteger(dimension) || dimension < 1) throw new SiftError('INVALID_OPTION', `dimension must be a whole number >= 1, got ${dimension}`);
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
      throw new SiftError('INTERNAL', `upsert got ${vectors.length} floats for ${ids.length} vectors of dimension ${d}`);
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
    ids.forEach((id, r) => {
      let slot = this.#slots.get(id);
      if (slot === undefined) {
        slot = this.#ids.length;
        this.#ids.push(id);
        this.#slots.set(id, slot);
      }
      this.#f32.set(vectors.subarray(r * d, (r + 1) * d), slot * d);
      if (!requantise) this.#quantise(slot, slot + 1);
    });
    if (requantise) this.#quantise(0, this.#ids.length);
  }

  /** Removes these ids (unknown ones are ignored); the last row moves into each freed slot. */
  remove(ids: Iterable<string>): number {
    const d = this.dimension;
    let removed = 0;
    for (const id of ids) {
      const slot = this.#slots.get(id);
      if (slot === undefined) continue;
      const last = this.#ids.length - 1;
      if (slot !== last) {
        const moved = this.#ids[last]!;
        this.#f32.copyWithin(slot * d, last * d, (last + 1) * d);
        this.#i8.copyWithin(slot * d, last * d, (last + 1) * d);
        this.#ids[slot] = moved;
        this.#slots.set(moved, slot);
      }
      this.#ids.pop();
      this.#slots.delete(id);
      removed++;
    }
    return removed;
  }

  /** The k nearest ids by cosine similarity (vectors are unit length, so by dot product), best first. */
  search(query: Float32Array, k: number): DenseIndexHit[] {
    const d = this.dimension;
    if (query.length !== d) throw new SiftError('STORE_MODEL_MISMATCH', `query vector has dimension ${query.length}; the index holds ${d}`);
    const n = this.#ids.length;
    if (k <= 0 || n === 0) return [];
    const want = Math.min(n, Math.max(k, this.#rescore));
    let slots: ArrayLike<number>;
    if (want >= n) {
      slots = Uint32Array.from({ length: n }, (_, i) => i);
    } else {
      const q = new Int8Array(d);
      for (let j = 0; j < d; j++) q[j] = clampInt8(query[j]! * this.#scale);
      slots = this.#kernel.topK(this.#i8.subarray(0, n * d), q, d, want, this.#threads);
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
    return { chunks: this.#ids.length, dimension: this.dimension, bytes: this.#f32.byteLength + this.#i8.byteLength };
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
