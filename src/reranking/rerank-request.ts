import { SiftError } from '../errors.js';
import type { WindowHit } from './long-documents.js';
import { documentText, type RerankDocument, type RerankOptions, type RerankResult } from './reranker.js';

/**
 * The checks and the ordering every `Reranker` shares (local judge, remote endpoints, the server's
 * batched judge), so that all of them refuse the same input with the same message and order equal
 * scores the same way.
 */

/** Refuses an empty or non-string query. */
export function checkQuery(query: unknown): asserts query is string {
  if (typeof query !== 'string' || query.trim().length === 0) {
    throw new SiftError(
      'INVALID_INPUT',
      'the query is empty; give the question or search text to judge documents against',
    );
  }
}

/** The text of document `index`, or INVALID_INPUT naming it when it has none. */
export function checkedText(doc: RerankDocument, index: number): string {
  const text = doc !== null && typeof doc === 'object' ? doc.text : doc;
  if (typeof text !== 'string') {
    throw new SiftError(
      'INVALID_INPUT',
      `document ${index} has no text: expected a string or an object with a string "text" field`,
      {
        details: { index },
      },
    );
  }
  return documentText(doc);
}

/** Validates a rerank call: every document's text, the query, and `topK` (default: all documents). */
export function checkRerankRequest(
  query: string,
  documents: readonly RerankDocument[],
  options: RerankOptions,
): { texts: string[]; topK: number } {
  const texts = documents.map((doc, i) => checkedText(doc, i));
  checkQuery(query);
  const topK = options.topK ?? documents.length;
  if (!Number.isInteger(topK) || topK < 0) {
    throw new SiftError('INVALID_OPTION', `\`topK\` must be a whole number >= 0, got ${String(options.topK)}`, {
      details: { option: 'topK' },
    });
  }
  return { texts, topK };
}

/**
 * Sorts results best first, in place, on the logit: exact even where the sigmoid saturates to 1.0,
 * so two near-certain passages keep their true order. Equal logits keep input order.
 */
export function sortByRelevance<D extends RerankDocument>(results: RerankResult<D>[]): RerankResult<D>[] {
  return results.sort((a, b) => b.logit - a.logit || a.index - b.index);
}

/** Results from per-document scores in input order, sorted best first (see `sortByRelevance`). */
export function rankResults<D extends RerankDocument>(
  documents: readonly D[],
  texts: readonly string[],
  scored: {
    scores: ArrayLike<number>;
    logits: ArrayLike<number>;
    truncated: ArrayLike<boolean>;
    windows?: readonly WindowHit[] | undefined;
  },
): RerankResult<D>[] {
  return sortByRelevance(
    documents.map((document, index) => ({
      index,
      document,
      text: texts[index]!,
      score: scored.scores[index]!,
      logit: scored.logits[index]!,
      truncated: scored.truncated[index]!,
      ...(scored.windows ? { window: scored.windows[index]! } : {}),
    })),
  );
}
