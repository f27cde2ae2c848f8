import type { RetrievalHit } from '../../retrieval/reranking-retriever.js';
import { headingPathOf } from '../../stores/store-rows.js';

/** A hit on the wire: the chunk, where it came from, and both stages' scores. */
export function hitJson(hit: RetrievalHit) {
  const { chunk } = hit;
  return {
    rank: hit.rank,
    id: chunk.id,
    source: chunk.source,
    ...(chunk.title !== undefined ? { title: chunk.title } : {}),
    ...(headingPathOf(chunk) !== undefined ? { heading_path: headingPathOf(chunk) } : {}),
    chunk_index: chunk.chunkIndex,
    start: chunk.start,
    end: chunk.end,
    text: chunk.text,
    retrieval_score: hit.retrievalScore,
    retrieval_rank: hit.retrievalRank,
    ...(hit.rerankScore !== undefined ? { relevance_score: hit.rerankScore, logit: hit.logit } : {}),
  };
}
