import type { Command } from 'commander';
import { isAbsolute, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createReranker } from '../../pipeline/defaults.js';
import { SiftError } from '../../errors.js';
import { streamAnswer, type AnswerResult } from '../../generation/answer.js';
import { DEFAULT_EXTRACTIVE_MIN_SCORE } from '../../generation/extractive-answer.js';
import type { RetrievalHit } from '../../retrieval/reranking-retriever.js';
import { roundMs } from '../../retrieval/retriever.js';
import { loadJudge } from '../../pipeline/two-stage.js';
import { askHitJson } from '../hit-json.js';
import { addRetrievalFlags, openSearchFromFlags, type RetrievalFlags } from '../retrieval-flags.js';
import { addModelFlags, modelLoadOptions } from '../model-flags.js';
import { addTwoStageFlags, parseTwoStageFlags, type TwoStageFlags } from '../two-stage-flags.js';
import { parseNumberInRange, parsePositiveInt, printJson, runCommand } from '../run-command.js';

interface AskFlags extends TwoStageFlags, RetrievalFlags {
  llmUrl?: string;
  llmModel?: string;
  sentences?: string;
  sentenceMinScore?: string;
}

/**
 * `sift ask "question"`: two-stage retrieval, then an answer with citations, written by an
 * OpenAI-compatible LLM (`--llm-url`) and streamed as it arrives, or quoted from the best sentences
 * (scored by the judge) when no LLM is configured.
 */
export function registerAsk(program: Command): void {
  const command = program
    .command('ask')
    .description(
      'answer a question from the store, with citations: an LLM (--llm-url) or the best sentences of the top chunks',
    )
    .argument('<question>', 'the question')
    .option(
      '--llm-url <url>',
      'OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (key: SIFT_LLM_API_KEY or OPENAI_API_KEY)',
    )
    .option('--llm-model <name>', 'model name for --llm-url, e.g. llama3.2 or gpt-4o-mini')
    .option('--sentences <n>', 'without an LLM: sentences quoted (default 3)')
    .option(
      '--sentence-min-score <x>',
      `without an LLM: least relevance of a quoted sentence, 0..1 (default ${DEFAULT_EXTRACTIVE_MIN_SCORE})`,
    )
    .option('--json', 'print {"query", "answer", "mode", "citations", "hits", "timings"} as JSON');
  addModelFlags(
    addRetrievalFlags(addTwoStageFlags(command, 'chunks kept after re-ranking and given to the answer')),
  ).action((question: string, flags: AskFlags) =>
    runCommand(flags, async () => {
      const t0 = performance.now();
      if (question.trim() === '')
        throw new SiftError('INVALID_OPTION', 'the question is empty; give the question to answer');
      if (flags.llmModel !== undefined && flags.llmUrl === undefined) {
        throw new SiftError(
          'INVALID_OPTION',
          '--llm-model needs --llm-url (the OpenAI-compatible endpoint that serves it)',
        );
      }
      const sizes = parseTwoStageFlags(flags);
      const sentences = parsePositiveInt('--sentences', flags.sentences, 3);
      const sentenceMinScore = parseNumberInRange('--sentence-min-score', flags.sentenceMinScore, 0, 1);

      const models = modelLoadOptions(flags);
      const search = await openSearchFromFlags(flags, models);
      const reranker = createReranker(flags.reranker, models);
      try {
        const twoStage = search.twoStage({ mode: flags.mode, reranker, ...sizes });
        const openMs = performance.now() - t0;
        const loadMs = (await search.store.count()) > 0 ? await loadJudge(reranker) : 0;
        const retrieved = await twoStage.retrieve(question);

        const tAnswer = performance.now();
        let firstTextMs: number | null = null;
        let result: AnswerResult | undefined;
        const events = streamAnswer(question, retrieved.hits, {
          llm: flags.llmUrl !== undefined ? { url: flags.llmUrl, model: flags.llmModel } : undefined,
          reranker,
          context: { formatSource: (chunk) => displaySource(chunk.source) },
          extractive: {
            maxSentences: sentences,
            ...(sentenceMinScore !== undefined ? { minScore: sentenceMinScore } : {}),
          },
        });
        for await (const event of events) {
          if (event.type === 'done') {
            result = event.result;
          } else {
            firstTextMs ??= performance.now() - tAnswer;
            if (!flags.json) process.stdout.write(event.text);
          }
        }
        if (!result) throw new SiftError('INTERNAL', 'the answer stream ended without a result');
        const timings = {
          openMs: roundMs(openMs),
          loadMs: roundMs(loadMs),
          retrieveMs: roundMs(retrieved.timings.retrieveMs),
          rerankMs: roundMs(retrieved.timings.rerankMs),
          firstTextMs: firstTextMs === null ? null : roundMs(firstTextMs),
          answerMs: roundMs(performance.now() - tAnswer),
          totalMs: roundMs(performance.now() - t0),
        };
        if (flags.json) {
          printJson(jsonAnswer(question, result, retrieved.hits, timings));
        } else {
          printSources(result, timings.totalMs, reranker.model, flags.llmModel ?? (flags.llmUrl ? 'LLM' : null));
        }
      } finally {
        await reranker.close();
        await search.close();
      }
    }),
  );
}

/**
 * Sources as the reader (and the LLM) sees them: paths under the working folder relative to it, so
 * the prompt stays short and does not send home-folder paths to a remote model.
 */
function displaySource(source: string): string {
  if (!isAbsolute(source)) return source;
  const rel = relative(process.cwd(), source);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : source;
}

function jsonAnswer(
  query: string,
  result: AnswerResult,
  hits: readonly RetrievalHit[],
  timings: Record<string, number | null>,
): unknown {
  const byId = new Map(hits.map((h) => [h.chunk.id, h]));
  return {
    query,
    answer: result.answer,
    mode: result.mode,
    // JSON carries full sources, as `hits` and `sift search --json` do.
    citations: result.citations.map((c) => ({ ...c, source: byId.get(c.chunkId)?.chunk.source ?? c.source })),
    ...(result.sentences ? { sentences: result.sentences } : {}),
    hits: hits.map(askHitJson),
    timings,
  };
}

function printSources(result: AnswerResult, totalMs: number, reranker: string, llm: string | null): void {
  const lines = result.citations.map(
    (c) => `[${c.n}] ${c.source}${c.relevance === null ? '' : `  (relevance ${c.relevance.toFixed(2)})`}`,
  );
  const how = result.mode === 'llm' ? `written by ${llm}` : `quoted, sentences scored by ${reranker}`;
  process.stdout.write(`\n${lines.length > 0 ? `\nSources:\n${lines.join('\n')}\n` : ''}\n(${how}; ${totalMs} ms)\n`);
}
