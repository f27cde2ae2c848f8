/**
 * The two `/rerank` wire formats sift speaks, and strict reading of their answers.
 *
 * - `cohere`: Cohere (`/v2/rerank`), Jina (`/v1/rerank`), vLLM and Infinity.
 *   Request `{model?, query, documents: string[], top_n?, return_documents: false}`,
 *   answer `{results: [{index, relevance_score}]}`.
 * - `tei`: Hugging Face text-embeddings-inference (`/rerank`).
 *   Request `{query, texts, raw_scores: false, truncate: true}`, answer `[{index, score}]`.
 */
import { SiftError } from '../../errors.js';

export type RerankShape = 'cohere' | 'tei';

export const RERANK_SHAPES: readonly RerankShape[] = ['cohere', 'tei'];

/** The JSON body of one request. */
export function rerankRequestBody(
  shape: RerankShape,
  query: string,
  texts: readonly string[],
  options: { model?: string | undefined; topN?: number | undefined },
): Record<string, unknown> {
  if (shape === 'tei') {
    // raw_scores false: TEI applies the sigmoid itself. truncate true: TEI cuts long pairs to the
    // model's limit instead of refusing the whole request with 413.
    return { query, texts, raw_scores: false, truncate: true };
  }
  return {
    ...(options.model ? { model: options.model } : {}),
    query,
    documents: texts,
    ...(options.topN !== undefined ? { top_n: options.topN } : {}),
    return_documents: false,
  };
}

/** One scored document of an answer, by its index in the request. */
export interface WireScore {
  index: number;
  score: number;
}

/**
 * Reads an answer of either shape (servers that speak one shape at one path sometimes answer in the
 * other) and checks it: every index an integer in range and seen once, every score a finite number,
 * and a result for every document, or at least `atLeast` of them when `top_n` was asked for (servers
 * that ignore `top_n` send all, which is fine). Anything else is a REMOTE_ERROR naming the endpoint
 * and the fault.
 */
export function parseRerankAnswer(body: unknown, count: number, where: string, atLeast: number = count): WireScore[] {
  const items = Array.isArray(body)
    ? body
    : body !== null && typeof body === 'object' && Array.isArray((body as { results?: unknown }).results)
      ? (body as { results: unknown[] }).results
      : undefined;
  if (!items) {
    throw malformed(
      where,
      `expected {"results": [{"index", "relevance_score"}]} or [{"index", "score"}], got ${preview(body)}`,
    );
  }
  const seen = new Set<number>();
  const scores: WireScore[] = items.map((item, i) => {
    if (item === null || typeof item !== 'object')
      throw malformed(where, `result ${i} is ${preview(item)}, not an object`);
    const {
      index,
      relevance_score: relevance,
      score: plain,
    } = item as { index?: unknown; relevance_score?: unknown; score?: unknown };
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
      throw malformed(where, `result ${i} has index ${preview(index)}; expected a whole number from 0 to ${count - 1}`);
    }
    if (seen.has(index)) throw malformed(where, `index ${index} appears twice`);
    seen.add(index);
    const score = relevance ?? plain;
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw malformed(
        where,
        `result ${i} (index ${index}) has score ${preview(score)}; expected a finite number in "relevance_score" or "score"`,
      );
    }
    return { index, score };
  });
  if (scores.length < atLeast) {
    const missing = [...Array(count).keys()].filter((i) => !seen.has(i)).slice(0, 5);
    const wanted = atLeast === count ? `${count}` : `at least ${atLeast}`;
    throw malformed(
      where,
      `expected ${wanted} results, got ${scores.length}${atLeast === count ? ` (missing index ${missing.join(', ')})` : ''}`,
    );
  }
  return scores;
}

function malformed(where: string, what: string): SiftError {
  return new SiftError(
    'REMOTE_ERROR',
    `${where} sent a malformed rerank answer: ${what}; check the URL and the request shape (cohere or tei)`,
  );
}

function preview(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
