/**
 * Answers without an LLM: the sentences of the top chunks that the judge finds most relevant to the
 * question, each with its citation. Nothing is generated, so nothing is made up; the price is that
 * the answer is quoted, not phrased.
 */
import { SiftError } from '../errors.js';
import type { Reranker } from '../reranking/reranker.js';
import type { BuiltContext } from './build-context.js';
import { NOT_FOUND_ANSWER } from './build-messages.js';
import { citationOf, type Citation } from './citation.js';
import { splitSentences } from './split-sentences.js';

export interface ExtractiveOptions {
  /** The judge that scores (question, sentence) pairs. */
  reranker: Reranker;
  /** Sentences in the answer (default 3). */
  maxSentences?: number;
  /**
   * Least relevance (0..1) a sentence needs (default 0.25, a logit of about -1.1). MS MARCO MiniLM
   * judges put sentences that answer a question well above 0.5 and unrelated ones below 0.01; 0.25
   * keeps partial answers and drops noise. When no sentence reaches it, the answer is "not found".
   */
  minScore?: number;
  /** Context blocks whose sentences are read, best first (default 4). */
  maxChunks?: number;
  signal?: AbortSignal | undefined;
}

/** A quoted sentence of an extractive answer. */
export interface ExtractedSentence {
  text: string;
  /** The context block it comes from (its citation number). */
  n: number;
  /** The judge's relevance of (question, sentence) in 0..1. */
  score: number;
}

export interface ExtractiveAnswer {
  /** The sentences, best first, one per line, each followed by its citation `[n]`; or "Not found in the documents." */
  answer: string;
  sentences: ExtractedSentence[];
  /** The blocks quoted, in order of first use. */
  citations: Citation[];
}

export const DEFAULT_EXTRACTIVE_MIN_SCORE = 0.25;

/**
 * Splits the top blocks' chunks into sentences, scores each against the question with the judge,
 * and keeps the best few above `minScore` (a sentence repeated by overlapping chunks counts once).
 *
 * @example
 * const { answer } = await extractiveAnswer('How many people live in Berlin?', buildContext(hits), { reranker: judge });
 * answer // 'Berlin had a population of 3,520,031 registered inhabitants. [1]'
 */
export async function extractiveAnswer(
  query: string,
  context: BuiltContext,
  options: ExtractiveOptions,
): Promise<ExtractiveAnswer> {
  const maxSentences = options.maxSentences ?? 3;
  const maxChunks = options.maxChunks ?? 4;
  const minScore = options.minScore ?? DEFAULT_EXTRACTIVE_MIN_SCORE;
  if (!Number.isInteger(maxSentences) || maxSentences < 1)
    throw new SiftError('INVALID_OPTION', `maxSentences must be a whole number >= 1, got ${String(maxSentences)}`);
  if (!Number.isInteger(maxChunks) || maxChunks < 1)
    throw new SiftError('INVALID_OPTION', `maxChunks must be a whole number >= 1, got ${String(maxChunks)}`);
  if (!(minScore >= 0 && minScore <= 1))
    throw new SiftError('INVALID_OPTION', `minScore must be from 0 to 1, got ${String(minScore)}`);

  const blocks = context.blocks.slice(0, maxChunks);
  const candidates: { text: string; n: number }[] = [];
  const seen = new Set<string>();
  for (const block of blocks) {
    for (const sentence of splitSentences(block.hit.chunk.text)) {
      const key = sentence.text.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      candidates.push({ text: sentence.text, n: block.n });
    }
  }
  if (candidates.length === 0) return { answer: NOT_FOUND_ANSWER, sentences: [], citations: [] };

  const { results } = await options.reranker.rerank(
    query,
    candidates,
    options.signal ? { signal: options.signal } : {},
  );
  const sentences = results
    .filter((r) => r.score >= minScore)
    .slice(0, maxSentences)
    .map((r) => ({ text: r.document.text, n: r.document.n, score: r.score }));
  if (sentences.length === 0) return { answer: NOT_FOUND_ANSWER, sentences: [], citations: [] };

  const cited = [...new Set(sentences.map((s) => s.n))];
  return {
    answer: sentences.map((s) => `${s.text} [${s.n}]`).join('\n'),
    sentences,
    citations: cited.map((n) => citationOf(blocks.find((b) => b.n === n)!)),
  };
}
