import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { z } from 'zod';
import type { RerankDocument } from '../../reranking/reranker.js';
import { readJsonBody } from '../read-json-body.js';
import type { ServerApp, ServerContext, ServerEnv } from '../server-context.js';
import { boolField, intField, jsonObject, listField, queryField, textField } from './fields.js';
import { roundMs } from '../../retrieval/retriever.js';

/** The fields both Cohere versions share; `documents` differs (v1 takes `{text}` objects too, v2 strings only). */
function sharedFields(ctx: ServerContext) {
  return {
    query: queryField(ctx.limits),
    top_n: intField(1, ctx.limits.maxDocuments),
    // Cohere's: read at most this many tokens of each document. sift reads them in windows of the
    // judge's passage budget (Cohere's API does the same) and gives each document its best window's score.
    max_tokens_per_doc: intField(1, ctx.limits.maxTextChars),
    // Accepted for client compatibility (the Cohere SDKs always send one) and not checked: the
    // server runs the one judge it was started with, named in the response.
    model: z.string({ error: 'must be a string' }).optional(),
  };
}

function v1Schema(ctx: ServerContext) {
  const { limits } = ctx;
  const document = z.union([textField(limits), z.looseObject({ text: textField(limits) })], {
    error: 'must be a string or an object with a string "text" field',
  });
  return jsonObject({ ...sharedFields(ctx), documents: listField(document, limits), return_documents: boolField() });
}

function v2Schema(ctx: ServerContext) {
  return jsonObject({ ...sharedFields(ctx), documents: listField(textField(ctx.limits), ctx.limits) });
}

type CohereRequest = {
  query: string;
  documents: RerankDocument[];
  top_n?: number | undefined;
  max_tokens_per_doc?: number | undefined;
  return_documents?: boolean | undefined;
};

/**
 * `POST /v1/rerank` in the Cohere v1 / Jina shape and `POST /v2/rerank` in the Cohere v2 shape
 * (`CohereClientV2.rerank`): the same judge, batching, limits and errors; v2 takes documents as
 * strings and never returns them. `max_tokens_per_doc` (Cohere's: read at most this many tokens of each
 * document) turns on long-document windows for the request, and each result then names its window;
 * without it documents are truncated to the judge's budget (or windowed with `sift serve --long-documents window`).
 *
 * @example
 * // POST /v1/rerank {"query": "population of Berlin", "documents": ["Berlin has 3.5M people", {"text": "Paris"}], "top_n": 1, "return_documents": true}
 * // -> {"id": "...", "model": "...", "results": [{"index": 0, "relevance_score": 0.98, "document": {"text": "Berlin has 3.5M people"}}],
 * //     "meta": {"api_version": {"version": "1"}, "truncated_pairs": 0, "timings": {"queue_ms": 1.2, "tokenize_ms": 0.4, "inference_ms": 3.1, "total_ms": 5}}}
 * // POST /v2/rerank {"model": "rerank-v3.5", "query": "population of Berlin", "documents": ["Berlin has 3.5M people", "Paris"], "top_n": 1}
 * // -> {"id": "...", "model": "...", "results": [{"index": 0, "relevance_score": 0.98}], "meta": {"api_version": {"version": "2"}, ...}}
 */
export function registerCohereRerank(app: ServerApp, ctx: ServerContext): void {
  const v1 = v1Schema(ctx);
  app.post('/v1/rerank', async (c) =>
    respond(c, ctx, '1', await readJsonBody(c.req.raw, v1, ctx.limits.bodyLimitBytes)),
  );
  const v2 = v2Schema(ctx);
  app.post('/v2/rerank', async (c) =>
    respond(c, ctx, '2', await readJsonBody(c.req.raw, v2, ctx.limits.bodyLimitBytes)),
  );
}

async function respond(
  c: Context<ServerEnv>,
  ctx: ServerContext,
  version: '1' | '2',
  req: CohereRequest,
): Promise<Response> {
  const documents = req.documents;
  const windowed = req.max_tokens_per_doc !== undefined || ctx.longDocuments === 'window';
  const response = await ctx.reranker.rerank(req.query, documents, {
    topK: req.top_n ?? documents.length,
    signal: c.req.raw.signal,
    ...(windowed
      ? {
          longDocuments: 'window',
          maxWindows: ctx.limits.maxWindowsPerDocument,
          maxDocumentTokens: req.max_tokens_per_doc,
        }
      : {}),
  });
  ctx.observeRerank(response.timings);
  return c.json({
    id: randomUUID(),
    model: response.model,
    results: response.results.map((r) => ({
      index: r.index,
      relevance_score: r.score,
      ...(r.window
        ? {
            window: {
              index: r.window.index,
              count: r.window.count,
              token_start: r.window.tokenStart,
              token_end: r.window.tokenEnd,
              char_start: r.window.charStart,
              char_end: r.window.charEnd,
            },
          }
        : {}),
      ...(req.return_documents ? { document: typeof r.document === 'string' ? { text: r.document } : r.document } : {}),
    })),
    meta: {
      api_version: { version },
      truncated_pairs: response.truncatedPairs,
      timings: {
        queue_ms: roundMs(response.timings.queueMs),
        tokenize_ms: roundMs(response.timings.tokenizeMs),
        inference_ms: roundMs(response.timings.inferenceMs),
        total_ms: roundMs(response.timings.totalMs),
      },
    },
  });
}
