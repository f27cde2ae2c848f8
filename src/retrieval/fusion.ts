import { SiftError } from '../errors.js';
import { reciprocalRankFusion, RRF_K } from './reciprocal-rank-fusion.js';
import type { RetrievedChunk } from './retriever.js';

/**
 * How hybrid search merges its dense and BM25 lists:
 * - `rrf`: reciprocal rank fusion, Σ w / (k + rank), ranks only (no score calibration needed);
 * - `minmax`: each list's scores scaled to [0, 1] (min-max), then `alpha · dense + (1 − alpha) · bm25`;
 * - `zscore`: each list's scores standardised (mean 0, sd 1), then the same convex combination;
 * - `tmm`: theoretical min-max (Bruch, Gai & Ingber, "An Analysis of Fusion Functions for Hybrid
 *   Retrieval", 2023): each list's scores over its best score, from the floor 0 that BM25 and cosine
 *   similarity share (BM25 >= 0; a cosine at or below 0 says "unrelated"), then the convex combination.
 *   Unlike min-max, the scale does not hang on the weakest candidate that happened to make the list.
 * A chunk missing from one list gets that list's floor (0 for min-max and tmm, the list's minimum z for z-score).
 */
export const FUSION_METHODS = ['rrf', 'minmax', 'zscore', 'tmm'] as const;
export type FusionMethod = (typeof FUSION_METHODS)[number];

export interface FusionOptions {
  /** Default `tmm` ({@link DEFAULT_FUSION}). */
  method?: FusionMethod;
  /**
   * Weight of the dense list, 0..1 (BM25 gets `1 − alpha`). Default 0.8 ({@link DEFAULT_FUSION});
   * 0.5 weighs both lists equally, which for `rrf` is plain RRF. Measured 0.3–0.9: README (quality).
   */
  alpha?: number;
  /** RRF constant (default 60). */
  rrfK?: number;
}

/**
 * The default fusion: theoretical min-max, dense weight 0.8 (with the hybrid depth of 100,
 * `DEFAULT_HYBRID_DEPTH`). Chosen on development sets only, SciFact train (809 queries) and the
 * DBpedia subset, by their mean nDCG@10 among RRF (k 20/60, α 0.5–0.7), min-max, z-score (α 0.5–0.7)
 * and tmm (α 0.4–0.9) at depths 30/50/100 (real all-MiniLM-L6-v2 scout): SciFact train 0.7136 → 0.7288
 * against the previous default (weighted RRF k = 60, α 0.7, depth 50), DBpedia within its noise; then
 * checked once on SciFact test and the classic collections (README, retrieval quality).
 */
export const DEFAULT_FUSION: Readonly<Required<FusionOptions>> = { method: 'tmm', alpha: 0.8, rrfK: RRF_K };

/** The alpha of a spec that names none: dense and BM25 weigh the same. */
const EQUAL_WEIGHTS = 0.5;

/** The dense list's name in fused `parts` and in `fuse`'s input. */
export const DENSE = 'dense';

/** Validates fusion options, throwing INVALID_OPTION naming the option (`details.option`). */
export function resolveFusion(options: FusionOptions = {}): Required<FusionOptions> {
  const method = options.method ?? DEFAULT_FUSION.method;
  if (!(FUSION_METHODS as readonly string[]).includes(method)) {
    throw new SiftError(
      'INVALID_OPTION',
      `\`fusion\` must be one of ${FUSION_METHODS.join(', ')}, got "${String(method)}"`,
      { details: { option: 'fusion' } },
    );
  }
  const alpha = options.alpha ?? DEFAULT_FUSION.alpha;
  if (!(typeof alpha === 'number' && alpha >= 0 && alpha <= 1)) {
    throw new SiftError(
      'INVALID_OPTION',
      `\`alpha\` must be a number from 0 to 1 (the dense list's weight), got ${String(alpha)}`,
      { details: { option: 'alpha' } },
    );
  }
  const rrfK = options.rrfK ?? DEFAULT_FUSION.rrfK;
  if (!(Number.isFinite(rrfK) && rrfK >= 0)) {
    throw new SiftError('INVALID_OPTION', `\`rrfK\` must be a number >= 0, got ${String(rrfK)}`, {
      details: { option: 'rrfK' },
    });
  }
  return { method, alpha, rrfK };
}

/**
 * Parses a fusion spec as `sift eval --fusion` takes it: `rrf`, `rrf:20` (k), `rrf:60:0.7` (k, alpha:
 * weighted RRF), `minmax:0.6`, `zscore:0.4`, `tmm:0.8` (alpha). A spec spells out its weights: without an alpha
 * both lists weigh the same (0.5; `rrf:60` is plain RRF), whatever the default fusion is.
 *
 * @example
 * parseFusionSpec('minmax:0.6'); // { method: 'minmax', alpha: 0.6, rrfK: 60 }
 * parseFusionSpec('rrf:20'); // { method: 'rrf', alpha: 0.5, rrfK: 20 }
 */
export function parseFusionSpec(spec: string): Required<FusionOptions> {
  const [method, ...rest] = spec.trim().split(':');
  const nums = rest.map((s) => Number(s));
  if (nums.some((n) => !Number.isFinite(n)))
    throw new SiftError(
      'INVALID_OPTION',
      `\`fusion\` ${spec}: numbers expected after the method, e.g. rrf:20 or minmax:0.6`,
      { details: { option: 'fusion' } },
    );
  if (method === 'rrf')
    return resolveFusion({
      method,
      ...(nums[0] !== undefined ? { rrfK: nums[0] } : {}),
      alpha: nums[1] ?? EQUAL_WEIGHTS,
    });
  return resolveFusion({ method: method as FusionMethod, alpha: nums[0] ?? EQUAL_WEIGHTS });
}

/** A short label for reports: `rrf:60`, `rrf:60:0.7`, `minmax:0.6`. */
export function fusionLabel(options: Required<FusionOptions>): string {
  if (options.method === 'rrf')
    return options.alpha === EQUAL_WEIGHTS ? `rrf:${options.rrfK}` : `rrf:${options.rrfK}:${options.alpha}`;
  return `${options.method}:${options.alpha}`;
}

/**
 * Fuses ranked lists (keyed by retriever name; `dense` gets weight `alpha`, every other list shares
 * `1 − alpha`) into one list of at most `limit`, best first. Ties break by best single rank, then by
 * chunk id, so the order is deterministic.
 *
 * @example
 * fuse({ dense: [a, b], bm25: [b, c] }, { method: 'minmax', alpha: 0.5 }, 3).map((r) => r.chunk.id);
 */
export function fuse(
  lists: Readonly<Record<string, readonly RetrievedChunk[]>>,
  options: FusionOptions = {},
  limit?: number,
): RetrievedChunk[] {
  const { method, alpha, rrfK } = resolveFusion(options);
  const names = Object.keys(lists);
  const others = names.filter((n) => n !== DENSE).length;
  const weight = (name: string): number =>
    names.length === 1 ? 1 : name === DENSE ? alpha : (1 - alpha) / Math.max(1, others);
  if (method === 'rrf' && alpha === 0.5 && names.length === 2)
    return reciprocalRankFusion(lists, { k: rrfK, ...(limit !== undefined ? { limit } : {}) });

  const fused = new Map<
    string,
    { chunk: RetrievedChunk['chunk']; score: number; best: number; parts: NonNullable<RetrievedChunk['parts']> }
  >();
  for (const name of names) {
    const list = lists[name] ?? [];
    const w = weight(name);
    const norm = normaliser(
      method,
      list.map((i) => i.score),
      rrfK,
    );
    const floor = norm.floor;
    // Everyone starts at the list's floor; being in the list adds the difference.
    for (const item of list) {
      const entry = fused.get(item.chunk.id) ?? { chunk: item.chunk, score: 0, best: Infinity, parts: [] };
      entry.score += w * (norm.value(item) - floor);
      entry.best = Math.min(entry.best, item.rank);
      entry.parts.push({ retriever: name, rank: item.rank, score: item.score });
      fused.set(item.chunk.id, entry);
    }
  }
  const sorted = [...fused.values()].sort(
    (a, b) => b.score - a.score || a.best - b.best || (a.chunk.id < b.chunk.id ? -1 : a.chunk.id > b.chunk.id ? 1 : 0),
  );
  return sorted
    .slice(0, limit ?? sorted.length)
    .map((e, i) => ({ chunk: e.chunk, rank: i + 1, score: e.score, parts: e.parts }));
}

/** Per-list scoring: a value per item and the floor a chunk absent from the list counts as. */
function normaliser(
  method: FusionMethod,
  scores: readonly number[],
  rrfK: number,
): { value: (item: RetrievedChunk) => number; floor: number } {
  if (method === 'rrf') return { value: (item) => 1 / (rrfK + item.rank), floor: 0 };
  if (scores.length === 0) return { value: () => 0, floor: 0 };
  const min = Math.min(...scores);
  const max = Math.max(...scores);
  if (method === 'tmm') {
    // Scores below the shared floor 0 (a negative cosine) count as the floor.
    return { value: (item) => (max > 0 ? Math.max(0, item.score) / max : 0), floor: 0 };
  }
  if (method === 'minmax') {
    const span = max - min;
    return { value: (item) => (span > 0 ? (item.score - min) / span : 1), floor: 0 };
  }
  const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((s, x) => s + (x - mean) ** 2, 0) / scores.length);
  const z = (x: number): number => (sd > 0 ? (x - mean) / sd : 0);
  return { value: (item) => z(item.score), floor: z(min) };
}
