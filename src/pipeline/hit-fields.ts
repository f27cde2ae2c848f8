import type { RetrievalHit } from '../retrieval/reranking-retriever.js';
import { headingPathOf } from '../stores/store-rows.js';

/** Everything a surface prints about one two-stage hit, flat; absent values are undefined. */
export interface HitFields {
  rank: number;
  chunkId: string;
  source: string;
  title: string | undefined;
  headingPath: string | undefined;
  chunkIndex: number;
  start: number;
  end: number;
  text: string;
  retrievalScore: number;
  retrievalRank: number;
  /** The judge's relevance (0..1); undefined without re-ranking. */
  rerankScore: number | undefined;
  logit: number | undefined;
}

/**
 * The fields of a hit, read once for every surface: the CLI's `query`/`ask` JSON, the HTTP API's
 * and MCP's hits each name and pick them in their own documented shape.
 *
 * @example
 * hitFields(hit) // { rank: 1, chunkId: 'a1b2…', source: '/docs/berlin.md', headingPath: 'Berlin › People', …, rerankScore: 0.98 }
 */
export function hitFields(hit: RetrievalHit): HitFields {
  const { chunk } = hit;
  return {
    rank: hit.rank,
    chunkId: chunk.id,
    source: chunk.source,
    title: chunk.title,
    headingPath: headingPathOf(chunk),
    chunkIndex: chunk.chunkIndex,
    start: chunk.start,
    end: chunk.end,
    text: chunk.text,
    retrievalScore: hit.retrievalScore,
    retrievalRank: hit.retrievalRank,
    rerankScore: hit.rerankScore,
    logit: hit.logit,
  };
}
