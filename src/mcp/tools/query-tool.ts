import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { hitJson } from '../../server/routes/hit-json.js';
import { searchRequest } from '../../server/routes/search.js';
import type { McpContext } from '../mcp-context.js';
import { queryOutput } from '../output-schemas.js';
import { guarded, preview, toolResult } from '../tool-result.js';
import { twoStageInput } from './two-stage-input.js';

/**
 * `query`: two-stage search, as `POST /v1/search`: stage 1 fetches `candidates`, the cross-encoder
 * judges each (query, chunk) pair, the best `top_k` come back with both stages' ranks and scores.
 *
 * @example
 * // {"query": "How many people live in Berlin?", "top_k": 3}
 * // -> structuredContent {"query", "mode", "reranker", "candidates": 20,
 * //      "results": [{"rank", "id", "source", "title"?, "chunk_index", "start", "end", "text", "retrieval_score", "retrieval_rank", "relevance_score", "logit"}]}
 */
export function registerQueryTool(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'query',
    {
      title: 'Search and re-rank the documents',
      description:
        'Two-stage search over the ingested documents: a fast first stage fetches candidates, a cross-encoder reads each ' +
        '(question, chunk) pair and keeps the best. Returns chunks with source, title, text, first-stage rank and relevance (0..1).',
      inputSchema: twoStageInput(ctx, 'the question or search text'),
      outputSchema: queryOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded('query', ctx.log, async () => {
        const request = searchRequest(args);
        await ctx.judgeReady();
        const result = await ctx.search.search(request);
        const results = result.hits.map(hitJson);
        const text =
          results.length === 0
            ? `no chunks found for "${args.query}"`
            : results
                .map(
                  (h) =>
                    `${h.rank}. [${(h.relevance_score ?? 0).toFixed(3)}] ${h.source}${h.title ? ` — ${h.title}` : ''} (stage-1 rank ${h.retrieval_rank})\n   ${preview(h.text)}`,
                )
                .join('\n');
        return toolResult(text, {
          query: result.query,
          mode: result.stage1,
          reranker: result.reranker,
          candidates: result.candidates,
          results,
        });
      }),
  );
}
