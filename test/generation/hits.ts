import type { RetrievalHit } from '../../src/retrieval/reranking-retriever.js';
import type { StoredChunk } from '../../src/stores/vector-store.js';

/** A stored chunk for tests; the id and offsets are made up. */
export function chunk(id: string, source: string, text: string): StoredChunk {
  return { id, source, text, chunkIndex: 0, start: 0, end: text.length, modifiedMs: 0 };
}

/** Hits in the given order, ranked from 1, with the given judge scores (undefined: not re-ranked). */
export function hitsOf(items: readonly { source: string; text: string; score?: number }[]): RetrievalHit[] {
  return items.map((item, i) => ({
    chunk: chunk(`c${i + 1}`, item.source, item.text),
    rank: i + 1,
    retrievalScore: 0.8 - i * 0.1,
    retrievalRank: i + 1,
    ...(item.score !== undefined ? { rerankScore: item.score, logit: Math.log(item.score / (1 - item.score)) } : {}),
  }));
}
