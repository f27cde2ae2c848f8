import type { RetrievedChunk } from './retriever.js';

/**
 * RRF's constant. k = 60 is the value of Cormack, Clarke & Büttcher (SIGIR 2009), who found it
 * robust across collections: it damps the head of each list so that one ranking's top hit cannot
 * outvote agreement between rankings. Sensible range 10–100.
 */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each chunk scores Σ 1 / (k + rank) over the lists it appears in, so no
 * score calibration between dense (cosine) and BM25 (unbounded) is needed. Ties break by best single
 * rank, then by chunk id, so the order is deterministic. Returns new objects; inputs are not changed.
 *
 * @example
 * reciprocalRankFusion({ dense: [a, b], bm25: [b, c] }, { k: 60, limit: 3 }).map((r) => r.chunk.id);
 * // ['b', 'a', 'c']   (b: 1/62 + 1/61 ≈ 0.0325; a: 1/61 ≈ 0.0164; c: 1/62 ≈ 0.0161)
 */
export function reciprocalRankFusion(
  lists: Readonly<Record<string, readonly RetrievedChunk[]>>,
  options: { k?: number; limit?: number } = {},
): RetrievedChunk[] {
  const k = options.k ?? RRF_K;
  const fused = new Map<
    string,
    { chunk: RetrievedChunk['chunk']; score: number; best: number; parts: NonNullable<RetrievedChunk['parts']> }
  >();
  for (const [retriever, list] of Object.entries(lists)) {
    for (const item of list) {
      const entry = fused.get(item.chunk.id) ?? { chunk: item.chunk, score: 0, best: Infinity, parts: [] };
      entry.score += 1 / (k + item.rank);
      entry.best = Math.min(entry.best, item.rank);
      entry.parts.push({ retriever, rank: item.rank, score: item.score });
      fused.set(item.chunk.id, entry);
    }
  }
  const sorted = [...fused.values()].sort(
    (a, b) => b.score - a.score || a.best - b.best || (a.chunk.id < b.chunk.id ? -1 : a.chunk.id > b.chunk.id ? 1 : 0),
  );
  return sorted
    .slice(0, options.limit ?? sorted.length)
    .map((e, i) => ({ chunk: e.chunk, rank: i + 1, score: e.score, parts: e.parts }));
}
