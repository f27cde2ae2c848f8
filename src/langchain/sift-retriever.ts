import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { BaseRetriever, type BaseRetrieverInput } from '@langchain/core/retrievers';
import type { RerankingRetriever } from '../retrieval/reranking-retriever.js';

/** What each document's metadata holds. */
export interface SiftDocumentMetadata {
  /** The document the chunk came from (a file path for ingested files). */
  source: string;
  chunkId: string;
  /** Position of the chunk in its document, from 0. */
  chunkIndex: number;
  title?: string;
  /** Stage-1 score (cosine, BM25 or RRF) and the judge's relevance in 0..1 (null without a judge). */
  retrievalScore: number;
  rerankScore: number | null;
  /** 1-based rank in the final list. */
  rank: number;
  [key: string]: unknown;
}

export interface SiftRetrieverOptions extends BaseRetrieverInput {
  /** sift's two-stage retriever (stage 1 + judge, with its candidates, topK and minScore). */
  retriever: RerankingRetriever;
}

/**
 * A LangChain.js retriever over sift's two-stage search: documents with the chunk text as
 * `pageContent` and sources and both stages' scores in metadata, best first.
 *
 * @example
 * const docs = await new SiftRetriever({ retriever: twoStage }).invoke('How many people live in Berlin?');
 * docs[0].metadata // { source: '/docs/berlin.md', chunkId: '…', chunkIndex: 0, retrievalScore: 0.71, rerankScore: 0.98, rank: 1 }
 */
export class SiftRetriever extends BaseRetriever<SiftDocumentMetadata> {
  override lc_namespace = ['sift_rerank', 'retrievers'];
  readonly retriever: RerankingRetriever;

  static override lc_name(): string {
    return 'SiftRetriever';
  }

  constructor(options: SiftRetrieverOptions) {
    const { retriever, ...fields } = options;
    super(fields);
    this.retriever = retriever;
  }

  override async _getRelevantDocuments(
    query: string,
    _runManager?: CallbackManagerForRetrieverRun,
  ): Promise<DocumentInterface<SiftDocumentMetadata>[]> {
    const { hits } = await this.retriever.retrieve(query);
    return hits.map(
      (hit) =>
        new Document<SiftDocumentMetadata>({
          pageContent: hit.chunk.text,
          id: hit.chunk.id,
          metadata: {
            source: hit.chunk.source,
            chunkId: hit.chunk.id,
            chunkIndex: hit.chunk.chunkIndex,
            ...(hit.chunk.title !== undefined ? { title: hit.chunk.title } : {}),
            retrievalScore: hit.retrievalScore,
            rerankScore: hit.rerankScore ?? null,
            rank: hit.rank,
          },
        }),
    );
  }
}
