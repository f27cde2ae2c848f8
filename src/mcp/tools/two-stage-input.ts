import { z } from 'zod';
import { DEFAULT_CANDIDATES, DEFAULT_TOP_K } from '../../pipeline/defaults.js';
import { intField, queryField } from '../../server/routes/fields.js';
import type { McpContext } from '../mcp-context.js';

/** The inputs `query` and `ask` share, with the HTTP API's names and limits. */
export function twoStageInput(ctx: McpContext, queryDescription: string) {
  const { search, limits } = ctx;
  return {
    query: queryField(limits).describe(queryDescription),
    mode: z
      .enum(search.modes as [string, ...string[]], { error: `must be one of ${search.modes.join(', ')}` })
      .optional()
      .describe(`stage-1 retriever (default ${search.defaultMode})`),
    candidates: intField(1, limits.maxCandidates).describe(
      `chunks fetched by stage 1 and judged by the cross-encoder (default ${DEFAULT_CANDIDATES}, or top_k when larger)`,
    ),
    top_k: intField(1, limits.maxCandidates).describe(
      `chunks kept after re-ranking (default ${DEFAULT_TOP_K}); at most candidates`,
    ),
    min_score: z
      .number({ error: 'must be a number from 0 to 1' })
      .min(0, { error: 'must be a number from 0 to 1' })
      .max(1, { error: 'must be a number from 0 to 1' })
      .optional()
      .describe('drop chunks the judge scores below this relevance (0..1)'),
  };
}
