import { z } from 'zod';
import { readJsonBody } from '../read-json-body.js';
import type { ServerApp, ServerContext } from '../server-context.js';
import type { SearchRequest, SearchService } from '../search-service.js';
import { boolField, intField, jsonObject, queryField } from './fields.js';
import { hitJson } from './hit-json.js';
import { roundMs } from '../../retrieval/retriever.js';

/** The fields `/v1/search` and `/v1/ask` share. */
export function searchFields(ctx: ServerContext, search: SearchService) {
  return {
    query: queryField(ctx.limits),
    candidates: intField(1, ctx.limits.maxCandidates),
    top_k: intField(1, ctx.limits.maxCandidates),
    mode: z
      .enum(search.modes as [string, ...string[]], {
        error: `must be one of ${search.modes.map((m) => `"${m}"`).join(', ')}`,
      })
      .optional(),
    min_score: z
      .number({ error: 'must be a number from 0 to 1' })
      .min(0, { error: 'must be a number from 0 to 1' })
      .max(1, { error: 'must be a number from 0 to 1' })
      .optional(),
  };
}

/**
 * Request fields -> the search service's request. Defaults and the `top_k` <= `candidates` rule are
 * the pipeline's (`composeTwoStage`); its errors name the request's fields (`errorResponse`).
 */
export function searchRequest(req: {
  query: string;
  candidates?: number | undefined;
  top_k?: number | undefined;
  mode?: string | undefined;
  min_score?: number | undefined;
}): SearchRequest {
  return { query: req.query, mode: req.mode, candidates: req.candidates, topK: req.top_k, minScore: req.min_score };
}

/**
 * `POST /v1/search`: two-stage search (stage 1 fetches `candidates`, the judge keeps `top_k`);
 * `compare: true` answers the stage-1 top-k (`semantic`, whatever the mode) beside the re-ranked top-k of the same pool.
 *
 * @example
 * // {"query": "population of Berlin", "top_k": 3, "compare": true}
 * // -> {"query": ..., "mode": "hybrid", "reranker": ..., "semantic": [hit...], "reranked": [hit...], "changed": 1,
 * //     "timings": {"retrieve_ms": 4.1, "rerank_ms": 38.2, "total_ms": 42.5}}
 * // hit: {"rank", "id", "source", "title"?, "heading_path"?, "chunk_index", "start", "end", "text", "retrieval_score", "retrieval_rank", "relevance_score", "logit"}
 */
export function registerSearch(app: ServerApp, ctx: ServerContext, search: SearchService): void {
  const body = jsonObject({ ...searchFields(ctx, search), compare: boolField() });
  app.post('/v1/search', async (c) => {
    const req = await readJsonBody(c.req.raw, body, ctx.limits.bodyLimitBytes);
    const request = searchRequest(req);
    const mode = req.mode ?? search.defaultMode;
    if (req.compare) {
      const result = await search.compare(request);
      observeSearch(ctx, result.timings);
      return c.json({
        query: result.query,
        mode,
        reranker: ctx.reranker.model,
        semantic: result.semantic.map(hitJson),
        reranked: result.reranked.map(hitJson),
        changed: result.changed,
        timings: timingsJson(result.timings),
      });
    }
    const result = await search.search(request);
    observeSearch(ctx, result.timings);
    return c.json({
      query: result.query,
      mode,
      reranker: result.reranker,
      candidates: result.candidates,
      results: result.hits.map(hitJson),
      timings: timingsJson(result.timings),
    });
  });
}

export function observeSearch(ctx: ServerContext, t: { retrieveMs: number; rerankMs: number }): void {
  ctx.metrics.stageDuration.observe(t.retrieveMs / 1000, { stage: 'retrieve' });
  ctx.metrics.stageDuration.observe(t.rerankMs / 1000, { stage: 'rerank' });
}

function timingsJson(t: { retrieveMs: number; rerankMs: number; totalMs: number }) {
  return { retrieve_ms: roundMs(t.retrieveMs), rerank_ms: roundMs(t.rerankMs), total_ms: roundMs(t.totalMs) };
}
