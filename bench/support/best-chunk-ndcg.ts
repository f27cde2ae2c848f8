import { ndcgAtK } from '../../src/eval/metrics/ndcg-at-k.js';
import type { QueryJudgements } from '../../src/eval/types.js';
import { DIM } from './real-vectors.js';

/**
 * nDCG@10 of each query by exact dense search: every chunk scored by its dot product with the query
 * (row-major unit vectors of DIM), documents ranked by their best chunk (ties by id). `judged[i]` is
 * query i's qrels; queries without (undefined) give undefined.
 */
export function bestChunkNdcg(
  chunkVectors: Float32Array,
  chunkSources: readonly string[],
  queryVectors: Float32Array,
  judged: readonly (QueryJudgements | undefined)[],
): (number | undefined)[] {
  return judged.map((qrels, qi) => {
    if (!qrels) return undefined;
    const best = new Map<string, number>();
    for (let r = 0; r < chunkSources.length; r++) {
      let s = 0;
      for (let j = 0; j < DIM; j++) s += chunkVectors[r * DIM + j]! * queryVectors[qi * DIM + j]!;
      const src = chunkSources[r]!;
      if (s > (best.get(src) ?? -Infinity)) best.set(src, s);
    }
    const ranked = [...best].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
    return ndcgAtK(ranked, qrels, 10);
  });
}
