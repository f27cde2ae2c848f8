import { streamSSE } from 'hono/streaming';
import { streamAnswer } from '../../generation/answer.js';
import type { ChatClientOptions } from '../../generation/chat-client.js';
import { errorResponse } from '../error-response.js';
import { readJsonBody } from '../read-json-body.js';
import type { ServerApp, ServerContext } from '../server-context.js';
import type { SearchService } from '../search-service.js';
import { hitJson } from './hit-json.js';
import { boolField, jsonObject } from './fields.js';
import { roundMs } from '../../retrieval/retriever.js';
import { observeSearch, searchFields, searchRequest } from './search.js';

/**
 * `POST /v1/ask`: two-stage search, then an answer with citations streamed as server-sent events.
 * With an LLM the text arrives as the model writes it; without one the answer quotes the best
 * sentences of the hits (extractive), judged by the same cross-encoder. Bad requests and search
 * failures answer JSON errors before the stream starts; a failure mid-stream is an `error` event.
 *
 * Events, each `data` one JSON object:
 * - `hits`: `{"query", "mode", "reranker", "results": [hit...], "timings"}`, the hits the answer is written
 *   from; with `compare: true` also `"semantic"`, `"reranked"` and `"changed"` as `/v1/search` gives them;
 * - `text`: `{"text": "..."}`, a piece of the answer (many with an LLM, one extractive);
 * - `done`: `{"answer", "mode": "llm"|"extractive", "citations": [{"n", "source", "chunk_id", "relevance"}]}`;
 * - `error`: `{"error": {"code", "message"}}`.
 *
 * @example
 * // {"query": "How many people live in Berlin?", "top_k": 4}
 * // event: hits / data: {"results": [...]}   event: text / data: {"text": "Berlin had ... [1]"}   event: done / data: {...}
 */
export function registerAsk(
  app: ServerApp,
  ctx: ServerContext,
  search: SearchService,
  llm: ChatClientOptions | undefined,
  log: (m: string) => void,
): void {
  const body = jsonObject({ ...searchFields(ctx, search), compare: boolField() });
  app.post('/v1/ask', async (c) => {
    const req = await readJsonBody(c.req.raw, body, ctx.limits.bodyLimitBytes);
    const request = searchRequest(req);
    const mode = req.mode ?? search.defaultMode;
    // With compare, the page gets both columns and the answer from one judge pass.
    const found = req.compare ? await search.compare(request) : await search.search(request);
    observeSearch(ctx, found.timings);
    const hits = 'hits' in found ? found.hits : found.reranked;
    const signal = c.req.raw.signal;
    return streamSSE(c, async (stream) => {
      await stream.writeSSE({
        event: 'hits',
        data: JSON.stringify({
          query: req.query,
          mode,
          reranker: ctx.reranker.model,
          results: hits.map(hitJson),
          ...('semantic' in found
            ? { semantic: found.semantic.map(hitJson), reranked: found.reranked.map(hitJson), changed: found.changed }
            : {}),
          timings: {
            retrieve_ms: roundMs(found.timings.retrieveMs),
            rerank_ms: roundMs(found.timings.rerankMs),
            total_ms: roundMs(found.timings.totalMs),
          },
        }),
      });
      try {
        for await (const event of streamAnswer(req.query, hits, { llm, reranker: ctx.reranker, signal })) {
          if (event.type === 'text') {
            await stream.writeSSE({ event: 'text', data: JSON.stringify({ text: event.text }) });
          } else {
            const { answer, mode, citations } = event.result;
            await stream.writeSSE({
              event: 'done',
              data: JSON.stringify({
                answer,
                mode,
                citations: citations.map((x) => ({
                  n: x.n,
                  source: x.source,
                  chunk_id: x.chunkId,
                  relevance: x.relevance,
                })),
              }),
            });
          }
        }
      } catch (err) {
        const res = errorResponse(err);
        if (res.unexpected)
          log(
            `sift serve: POST /v1/ask failed while streaming: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
          );
        c.set('errorCode', res.body.error.code);
        await stream.writeSSE({ event: 'error', data: JSON.stringify(res.body) });
      }
    });
  });
}
