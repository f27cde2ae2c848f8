import { Document, type DocumentInterface } from '@langchain/core/documents';
import { BaseDocumentCompressor } from '@langchain/core/retrievers/document_compressors';
import { SiftError } from '../errors.js';
import type { Reranker } from '../reranking/reranker.js';

export interface SiftRerankerOptions {
  /** The judge: a local `CrossEncoderReranker`, a `RemoteReranker`, or any `Reranker`. */
  reranker: Reranker;
  /**
   * Documents kept, best first (default 4, sift's `topK`: what fits an LLM context with room to
   * spare). Use `Infinity` to keep all and only re-order.
   */
  topN?: number;
  /** Drop documents scoring below this relevance (0..1; default none). */
  minScore?: number;
}

/**
 * A LangChain.js document compressor that re-ranks documents with a sift judge: a drop-in for
 * `ContextualCompressionRetriever`. Returns new documents, best first, with `relevanceScore` (0..1)
 * and `logit` added to a copy of their metadata; the input documents are never changed (unlike
 * compressors that write scores into the caller's metadata objects).
 *
 * @example
 * const retriever = new ContextualCompressionRetriever({
 *   baseCompressor: new SiftReranker({ reranker: new CrossEncoderReranker({ model: 'cross-encoder/ms-marco-MiniLM-L-6-v2' }) }),
 *   baseRetriever: vectorStore.asRetriever(20),
 * });
 * (await retriever.invoke('How many people live in Berlin?'))[0].metadata.relevanceScore // 0.9998
 */
export class SiftReranker extends BaseDocumentCompressor {
  readonly reranker: Reranker;
  readonly topN: number;
  readonly minScore: number | undefined;

  constructor(options: SiftRerankerOptions) {
    super();
    this.reranker = options.reranker;
    this.topN = options.topN ?? 4;
    if (!(this.topN >= 1) || (Number.isFinite(this.topN) && !Number.isInteger(this.topN))) {
      throw new SiftError(
        'INVALID_OPTION',
        `topN must be a whole number >= 1 or Infinity, got ${String(options.topN)}`,
      );
    }
    if (options.minScore !== undefined && !(options.minScore >= 0 && options.minScore <= 1)) {
      throw new SiftError('INVALID_OPTION', `minScore must be from 0 to 1, got ${String(options.minScore)}`);
    }
    this.minScore = options.minScore;
  }

  async compressDocuments(documents: DocumentInterface[], query: string): Promise<DocumentInterface[]> {
    if (documents.length === 0) return [];
    const { results } = await this.reranker.rerank(
      query,
      documents.map((d) => d.pageContent),
    );
    return results
      .filter((r) => this.minScore === undefined || r.score >= this.minScore)
      .slice(0, this.topN)
      .map((r) => {
        const doc = documents[r.index]!;
        return new Document({
          pageContent: doc.pageContent,
          metadata: { ...doc.metadata, relevanceScore: r.score, logit: r.logit },
          ...(doc.id !== undefined ? { id: doc.id } : {}),
        });
      });
  }
}
