/**
 * The last step of RAG: an answer with citations from the re-ranked hits, written by an LLM when one
 * is configured, else quoted from the documents.
 */
import { SiftError } from '../errors.js';
import type { Reranker } from '../reranking/reranker.js';
import type { RetrievalHit } from '../retrieval/reranking-retriever.js';
import { buildContext, type BuiltContext, type ContextOptions } from './build-context.js';
import { buildMessages, NOT_FOUND_ANSWER } from './build-messages.js';
import { ChatClient, type ChatClientOptions } from './chat-client.js';
import { citationOf, citedNumbers, type Citation } from './citation.js';
import { extractiveAnswer, type ExtractedSentence, type ExtractiveOptions } from './extractive-answer.js';

export interface AnswerOptions {
  /** The LLM: a client or its options. Without one, the answer is extractive. */
  llm?: ChatClient | ChatClientOptions | undefined;
  /** The judge that scores sentences in extractive mode (required there, unused with an LLM). */
  reranker?: Reranker | undefined;
  /** Context budget and source display. */
  context?: ContextOptions | undefined;
  /** Extractive-mode tuning (sentences, threshold, chunks read). */
  extractive?: Omit<ExtractiveOptions, 'reranker' | 'signal'> | undefined;
  signal?: AbortSignal | undefined;
}

export interface AnswerResult {
  answer: string;
  /** The context blocks the answer cites, in order of first citation. */
  citations: Citation[];
  /** `llm` when a model wrote the answer, `extractive` when it quotes the documents. */
  mode: 'llm' | 'extractive';
  /** Extractive mode: the quoted sentences with their scores. */
  sentences?: ExtractedSentence[];
  /** The context the answer was written from. */
  context: BuiltContext;
}

/** A piece of streamed answer text, then the finished answer. */
export type AnswerEvent = { type: 'text'; text: string } | { type: 'done'; result: AnswerResult };

/**
 * Streams an answer: text pieces as the LLM writes them (extractive answers come as one piece),
 * then the result with its citations. With no hits there is nothing to answer from, and the
 * answer is "Not found in the documents." without calling the LLM.
 *
 * @example
 * for await (const e of streamAnswer(query, hits, { llm: { url: 'http://localhost:11434/v1', model: 'llama3.2' } })) {
 *   if (e.type === 'text') process.stdout.write(e.text);
 *   else console.log(e.result.citations); // [{ n: 1, source: 'docs/berlin.md', chunkId: '…', relevance: 0.98 }]
 * }
 */
export async function* streamAnswer(
  query: string,
  hits: readonly RetrievalHit[],
  options: AnswerOptions = {},
): AsyncGenerator<AnswerEvent> {
  if (typeof query !== 'string' || query.trim() === '')
    throw new SiftError('INVALID_INPUT', 'the question is empty; give the question to answer');
  const mode = options.llm ? 'llm' : 'extractive';
  if (mode === 'extractive' && !options.reranker) {
    throw new SiftError(
      'INVALID_OPTION',
      'an extractive answer needs a reranker to score sentences; pass one, or configure an LLM (`llmUrl`)',
      { details: { option: 'reranker' } },
    );
  }
  const context = buildContext(hits, options.context);
  if (context.blocks.length === 0) {
    yield { type: 'text', text: NOT_FOUND_ANSWER };
    yield { type: 'done', result: { answer: NOT_FOUND_ANSWER, citations: [], mode, context } };
    return;
  }

  if (!options.llm) {
    const extracted = await extractiveAnswer(query, context, {
      ...options.extractive,
      reranker: options.reranker!,
      signal: options.signal,
    });
    yield { type: 'text', text: extracted.answer };
    yield {
      type: 'done',
      result: {
        answer: extracted.answer,
        citations: extracted.citations,
        mode,
        sentences: extracted.sentences,
        context,
      },
    };
    return;
  }

  const client = options.llm instanceof ChatClient ? options.llm : new ChatClient(options.llm);
  let answer = '';
  for await (const text of client.stream(buildMessages(query, context), { signal: options.signal })) {
    answer += text;
    yield { type: 'text', text };
  }
  const byNumber = new Map(context.blocks.map((b) => [b.n, b]));
  const citations = citedNumbers(answer, context.blocks.length).map((n) => citationOf(byNumber.get(n)!));
  yield { type: 'done', result: { answer, citations, mode, context } };
}

/**
 * The whole answer at once.
 *
 * @example
 * const { answer, citations, mode } = await answer('How many people live in Berlin?', hits, { reranker: judge });
 * mode // 'extractive'; answer // 'Berlin had a population of 3,520,031 registered inhabitants. [1]'
 */
export async function answer(
  query: string,
  hits: readonly RetrievalHit[],
  options: AnswerOptions = {},
): Promise<AnswerResult> {
  for await (const event of streamAnswer(query, hits, options)) {
    if (event.type === 'done') return event.result;
  }
  throw new SiftError('INTERNAL', 'the answer stream ended without a result');
}
