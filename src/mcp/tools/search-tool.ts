import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { intField, queryField } from '../../server/routes/fields.js';
import type { McpContext } from '../mcp-context.js';
import { searchOutput } from '../output-schemas.js';
import { guarded, preview, toolResult } from '../tool-result.js';

/**
 * `search`: stage 1 only (dense, BM25 or hybrid), the `k` best chunks as retrieved, no judge.
 *
 * @example
 * // {"query": "reset a password", "mode": "bm25", "k": 5}
 * // -> structuredContent {"query", "mode", "results": [{"rank": 1, "chunk_id", "source", "title"?, "chunk_index", "text", "score"}]}
 */
export function registerSearchTool(server: McpServer, ctx: McpContext): void {
  const { setup, limits } = ctx;
  server.registerTool(
    'search',
    {
      title: 'Search the documents (stage 1)',
      description:
        `Fast first-stage search over the ingested documents: ${setup.modes.join(', ')} (default ${setup.defaultMode}). ` +
        'Returns the k best chunks with their source and score, not re-ranked. Prefer `query` for the best few chunks.',
      inputSchema: {
        query: queryField(limits).describe('what to search for'),
        mode: z
          .enum(setup.modes as [string, ...string[]], { error: `must be one of ${setup.modes.join(', ')}` })
          .optional()
          .describe(`stage-1 retriever (default ${setup.defaultMode})`),
        k: intField(1, limits.maxCandidates).describe('how many chunks to return (default 10)'),
      },
      outputSchema: searchOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ query, mode, k }) =>
      guarded('search', ctx.log, async () => {
        const retriever = setup.retriever(mode ?? setup.defaultMode);
        const { results } = await retriever.retrieve(query, { k: k ?? 10 });
        const rows = results.map((r) => ({
          rank: r.rank,
          chunk_id: r.chunk.id,
          source: r.chunk.source,
          ...(r.chunk.title !== undefined ? { title: r.chunk.title } : {}),
          chunk_index: r.chunk.chunkIndex,
          text: r.chunk.text,
          score: r.score,
        }));
        const text =
          rows.length === 0
            ? `no chunks match "${query}"`
            : rows
                .map(
                  (r) =>
                    `${r.rank}. ${r.source}${r.title ? ` — ${r.title}` : ''} (${retriever.mode} score ${r.score.toFixed(3)})\n   ${preview(r.text)}`,
                )
                .join('\n');
        return toolResult(text, { query, mode: retriever.mode, results: rows });
      }),
  );
}
