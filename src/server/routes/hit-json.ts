import { hitFields } from '../../pipeline/hit-fields.js';
import type { RetrievalHit } from '../../retrieval/reranking-retriever.js';

/**
 * A hit on the wire: the chunk, where it came from, and both stages' scores (snake_case; `title`,
 * `heading_path` and the judge's `relevance_score`/`logit` only when present).
 */
export function hitJson(hit: RetrievalHit) {
  const f = hitFields(hit);
  return {
    rank: f.rank,
    id: f.chunkId,
    source: f.source,
    ...(f.title !== undefined ? { title: f.title } : {}),
    ...(f.headingPath !== undefined ? { heading_path: f.headingPath } : {}),
    chunk_index: f.chunkIndex,
    start: f.start,
    end: f.end,
    text: f.text,
    retrieval_score: f.retrievalScore,
    retrieval_rank: f.retrievalRank,
    ...(f.rerankScore !== undefined ? { relevance_score: f.rerankScore, logit: f.logit } : {}),
  };
}
