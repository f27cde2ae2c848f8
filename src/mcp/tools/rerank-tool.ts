import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { LONG_DOCUMENT_MODES } from '../../reranking/long-documents.js';
import { intField, listField, queryField, textField } from '../../server/routes/fields.js';
import type { McpContext } from '../mcp-context.js';
import { rerankOutput } from '../output-schemas.js';
import { guarded, preview, toolResult } from '../tool-result.js';

/**
 * `rerank`: scores documents the agent already has against a query with the cross-encoder, best
 * first (as `sift rerank` and `POST /v1/rerank`).
 *
 * @example
 * // {"query": "population of Berlin", "documents": ["Berlin is known for museums.", "Berlin has 3.5M inhabitants."], "top_k": 1}
 * // -> structuredContent {"query", "model", "results": [{"rank": 1, "index": 1, "score": 0.99, "logit": 4.6, "truncated": false, "text"}], "truncated_documents": 0}
 */
export function registerRerankTool(server: McpServer, ctx: McpContext): void {
  const { limits } = ctx;
  server.registerTool(
    'rerank',
    {
      title: 'Re-rank documents for a query',
      description:
        'Scores each document against the query with a local cross-encoder (relevance 0..1) and returns them best first. ' +
        'long_documents "window" reads documents longer than the model in overlapping windows and keeps the best window.',
      inputSchema: {
        query: queryField(limits).describe('the question or search text'),
        documents: listField(textField(limits), limits).describe('the texts to score'),
        top_k: intField(1, limits.maxDocuments).describe('return only the best top_k (default all)'),
        long_documents: z
          .enum(LONG_DOCUMENT_MODES as [string, ...string[]], { error: 'must be "truncate" or "window"' })
          .optional()
          .describe('truncate (default) or window'),
      },
      outputSchema: rerankOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ query, documents, top_k, long_documents }) =>
      guarded('rerank', ctx.log, async () => {
        if (documents.length > 0) await ctx.judgeReady();
        const response = await ctx.judge.rerank(query, documents, {
          ...(top_k !== undefined ? { topK: top_k } : {}),
          ...(long_documents === 'window'
            ? { longDocuments: 'window' as const, maxWindows: limits.maxWindowsPerDocument }
            : {}),
        });
        const results = response.results.map((r, i) => ({
          rank: i + 1,
          index: r.index,
          score: r.score,
          logit: r.logit,
          truncated: r.truncated,
          ...(r.window ? { window: r.window } : {}),
          text: r.text,
        }));
        const text =
          results.length === 0
            ? 'no documents to re-rank'
            : results
                .map(
                  (r) =>
                    `${r.rank}. document ${r.index} (relevance ${r.score.toFixed(4)}${r.truncated ? ', truncated' : ''}): ${preview(r.text, 120)}`,
                )
                .join('\n');
        return toolResult(text, {
          query,
          model: response.model,
          results,
          truncated_documents: response.truncatedPairs,
        });
      }),
  );
}
