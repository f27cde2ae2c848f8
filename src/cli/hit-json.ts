import { hitFields } from '../pipeline/hit-fields.js';
import type { RetrievalHit } from '../retrieval/reranking-retriever.js';

/** A hit as `sift query --json` prints it: absent values are null, the judge's relevance is `score`. */
export function queryHitJson(hit: RetrievalHit): Record<string, unknown> {
  const f = hitFields(hit);
  return {
    rank: f.rank,
    chunkId: f.chunkId,
    source: f.source,
    title: f.title ?? null,
    headingPath: f.headingPath ?? null,
    chunkIndex: f.chunkIndex,
    text: f.text,
    score: f.rerankScore ?? null,
    logit: f.logit ?? null,
    retrievalScore: f.retrievalScore,
    retrievalRank: f.retrievalRank,
  };
}

/** A hit as `sift ask --json` prints it under `hits`: the judge's relevance is `rerankScore`. */
export function askHitJson(hit: RetrievalHit): Record<string, unknown> {
  const f = hitFields(hit);
  return {
    rank: f.rank,
    chunkId: f.chunkId,
    source: f.source,
    title: f.title ?? null,
    chunkIndex: f.chunkIndex,
    text: f.text,
    retrievalScore: f.retrievalScore,
    retrievalRank: f.retrievalRank,
    rerankScore: f.rerankScore ?? null,
  };
}
