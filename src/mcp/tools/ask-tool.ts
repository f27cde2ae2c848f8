import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { answer } from '../../generation/answer.js';
import { hitJson } from '../../server/routes/hit-json.js';
import { searchRequest } from '../../server/routes/search.js';
import type { McpContext } from '../mcp-context.js';
import { askOutput } from '../output-schemas.js';
import { guarded, toolResult } from '../tool-result.js';
import { twoStageInput } from './two-stage-input.js';

/**
 * `ask`: two-stage search, then an answer with numbered citations: written by the configured LLM
 * (`--llm-url`), else extractive (the best sentences of the hits, scored by the judge).
 *
 * @example
 * // {"query": "How many people live in Berlin?"}
 * // -> text "Berlin had a population of 3,520,031 registered inhabitants. [1]\n\nSources:\n[1] docs/berlin.md (relevance 0.98)"
 * //    structuredContent {"query", "answer", "mode": "extractive", "citations": [{"n", "source", "chunk_id", "relevance"}], "results": [hit...]}
 */
export function registerAskTool(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'ask',
    {
      title: 'Answer a question from the documents, with citations',
      description:
        'Finds the best chunks (two-stage search) and answers from them with numbered citations [n] to their sources. ' +
        (ctx.llm
          ? 'The answer is written by the configured LLM.'
          : 'No LLM is configured, so the answer quotes the most relevant sentences.') +
        ' Says "Not found in the documents." when nothing relevant is found.',
      inputSchema: twoStageInput(ctx, 'the question to answer'),
      outputSchema: askOutput,
      annotations: { readOnlyHint: true, openWorldHint: ctx.llm !== undefined },
    },
    (args, extra) =>
      guarded('ask', ctx.log, async () => {
        const request = searchRequest(args);
        await ctx.judgeReady();
        const found = await ctx.search.search(request);
        const result = await answer(args.query, found.hits, {
          llm: ctx.llm,
          reranker: ctx.judge,
          signal: extra.signal,
        });
        const citations = result.citations.map((c) => ({
          n: c.n,
          source: c.source,
          chunk_id: c.chunkId,
          relevance: c.relevance,
        }));
        const sources = citations.map(
          (c) => `[${c.n}] ${c.source}${c.relevance === null ? '' : ` (relevance ${c.relevance.toFixed(2)})`}`,
        );
        const text = sources.length > 0 ? `${result.answer}\n\nSources:\n${sources.join('\n')}` : result.answer;
        return toolResult(text, {
          query: args.query,
          answer: result.answer,
          mode: result.mode,
          citations,
          results: found.hits.map(hitJson),
        });
      }),
  );
}
