import { chunksToDocuments } from './chunks-to-documents.js';
import type { EvalChunk, Qrels } from './types.js';

/**
 * Turns what a retriever returned into the ranked ids the qrels judge. BEIR datasets judge
 * documents (chunks are mapped to documents); labelled files judge sources or chunks (see
 * `createLabelledJudge`). The evaluation loop only needs this one shape.
 */
export interface RelevanceJudge {
  /** Judgements per query: id -> grade, with the same ids `rank` returns. */
  readonly qrels: Qrels;
  /** The ranked ids of one query's retrieved chunks, best first, without duplicates. */
  rank(queryId: string, retrieved: readonly EvalChunk[]): string[];
}

/**
 * The judge of datasets whose qrels name documents (BEIR): chunks map to their `docId` by first
 * occurrence.
 *
 * @example
 * documentJudge(ds.qrels).rank('1', [{ id: 'c1', docId: 'd9' }, { id: 'c2', docId: 'd9' }]); // ['d9']
 */
export function documentJudge(qrels: Qrels): RelevanceJudge {
  return { qrels, rank: (_queryId, retrieved) => chunksToDocuments(retrieved) };
}
