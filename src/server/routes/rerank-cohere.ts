import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { RerankDocument } from '../../reranking/reranker.js';
import { readJsonBody } from '../read-json-body.js';
import type { ServerApp, ServerContext } from '../server-context.js';
import { boolField, intField, jsonObject, listField, queryField, textField } from './fields.js';
import { roundMs } from './round-ms.js';

function schema(ctx: ServerContext) {
  const { limits } = ctx;
  const document = z.union([textField(limits), z.looseObject({ text: textField(limits) })], {
    error: 'must be a string or an object with a string "text" field',
  });
  return jsonObject({
    query: queryField(limits),
    documents: listField(document, limits),
    top_n: intField(1, limits.maxDocuments),
    return_documents: boolField(),
    // Accepted for client compatibility (Cohere and Jina SDKs always send one) and not checked:
    // the server runs the one judge it was started with, named in the response.
    model: z.string({ error: 'must be a string' }).optional(),
  });
}

/**
 * `POST /v1/rerank` in the Cohere / Jina shape.
 *
 * @example
 * // {"query": "population of Berlin", "documents": ["Berlin has 3.5M people", {"text": "Paris"}], "top_n": 1, "return_documents": true}
 * // -> {"id": "...", "model": "...", "results": [{"index": 0, "relevance_score": 0.98, "document": {"text": "Berlin has 3.5M people"}}],
 * //     "meta": {"truncated_pairs": 0, "timings": {"queue_ms": 1.2, "tokenize_ms": 0.4, "inference_ms": 3.1, "total_ms": 5}}}
 */
export function registerCohereRerank(app: ServerApp, ctx: ServerContext): void {
  const body = schema(ctx);
  app.post('/v1/rerank', async (c) => {
    const req = await readJsonBody(c.req.raw, body, ctx.limits.bodyLimitBytes);
    const documents = req.documents as RerankDocument[];
    const response = await ctx.reranker.rerank(req.query, documents, { topK: req.top_n ?? documents.length, signal: c.req.raw.signal });
    ctx.observeRerank(response.timings);
    return c.json({
      id: randomUUID(),
      model: response.model,
      results: response.results.map((r) => ({
        index: r.index,
        relevance_score: r.score,
        ...(req.return_documents ? { document: typeof r.document === 'string' ? { text: r.document } : r.document } : {}),
      })),
      meta: {
        truncated_pairs: response.truncatedPairs,
        timings: {
          queue_ms: roundMs(response.timings.queueMs),
          tokenize_ms: roundMs(response.timings.tokenizeMs),
          inference_ms: roundMs(response.timings.inferenceMs),
          total_ms: roundMs(response.timings.totalMs),
        },
      },
    });
  });
}
