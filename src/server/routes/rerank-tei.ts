import { z } from 'zod';
import { SiftError } from '../../errors.js';
import { readJsonBody } from '../read-json-body.js';
import type { ServerApp, ServerContext } from '../server-context.js';
import { boolField, jsonObject, listField, queryField, textField } from './fields.js';

function schema(ctx: ServerContext) {
  const { limits } = ctx;
  return jsonObject({
    query: queryField(limits),
    texts: listField(textField(limits), limits),
    raw_scores: boolField(),
    return_text: boolField(),
    truncate: boolField(),
    truncation_direction: z
      .enum(['Right', 'right'], { error: 'must be "Right": the judge cuts the passage\'s end, never the query' })
      .optional(),
  });
}

/**
 * `POST /rerank` in the shape of Hugging Face Text Embeddings Inference: results sorted by score,
 * `raw_scores: true` returns the logit instead of the 0..1 relevance. `truncate` defaults to true
 * (TEI's `--auto-truncate`): long passages are cut to fit the model; with `truncate: false` a pair
 * that does not fit is a 400 naming the text.
 *
 * @example
 * // {"query": "population of Berlin", "texts": ["Berlin has 3.5M people", "Paris"], "return_text": true}
 * // -> [{"index": 0, "score": 0.98, "text": "Berlin has 3.5M people"}, {"index": 1, "score": 0.02, "text": "Paris"}]
 */
export function registerTeiRerank(app: ServerApp, ctx: ServerContext): void {
  const body = schema(ctx);
  app.post('/rerank', async (c) => {
    const req = await readJsonBody(c.req.raw, body, ctx.limits.bodyLimitBytes);
    const response = await ctx.reranker.rerank(req.query, req.texts, { signal: c.req.raw.signal });
    ctx.observeRerank(response.timings);
    if (req.truncate === false) {
      const cut = response.results
        .filter((r) => r.truncated)
        .map((r) => r.index)
        .sort((a, b) => a - b);
      if (cut.length > 0) {
        throw new SiftError(
          'INVALID_INPUT',
          `texts[${cut[0]}] does not fit the model's maximum length together with the query` +
            `${cut.length > 1 ? ` (nor do ${cut.length - 1} more)` : ''}; shorten it or send "truncate": true`,
          { details: { field: `texts[${cut[0]}]`, truncated: cut } },
        );
      }
    }
    return c.json(
      response.results.map((r) => ({
        index: r.index,
        score: req.raw_scores ? r.logit : r.score,
        ...(req.return_text ? { text: r.text } : {}),
      })),
    );
  });
}
