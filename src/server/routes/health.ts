import type { ServerApp, ServerContext } from '../server-context.js';

/**
 * `GET /health`: 200 `{"status": "ok", ...}` while serving, 503 `{"status": "draining"}` once
 * shutdown began, so load balancers stop sending work. Also tells the web page which features exist.
 *
 * @example
 * // -> {"status": "ok", "model": "cross-encoder/ms-marco-MiniLM-L-6-v2", "search": {"modes": ["hybrid", "dense", "bm25"], "default_mode": "hybrid"},
 * //     "dense_index": {"chunks": 19545, "dimension": 384, "bytes": 41943040}},  (null while it loads, or without vectors)
 * //     "ask": true, "queue": {"pairs": 0, "requests": 0}, "uptime_s": 12.3}
 */
export function registerHealth(
  app: ServerApp,
  ctx: ServerContext,
  queue: () => { pairs: number; requests: number },
): void {
  const started = Date.now();
  app.get('/health', (c) => {
    const draining = ctx.draining();
    return c.json(
      {
        status: draining ? 'draining' : 'ok',
        model: ctx.reranker.model,
        search: ctx.search
          ? { modes: ctx.search.modes, default_mode: ctx.search.defaultMode, dense_index: denseIndex(ctx) }
          : null,
        ask: ctx.search !== undefined,
        queue: queue(),
        uptime_s: Math.round((Date.now() - started) / 100) / 10,
      },
      draining ? 503 : 200,
    );
  });
}

/** The store's in-memory dense index as `/health` shows it: chunks, dimension and bytes, or null. */
function denseIndex(ctx: ServerContext): { chunks: number; dimension: number; bytes: number } | null {
  const stats = ctx.search?.denseIndex?.();
  return stats ? { chunks: stats.chunks, dimension: stats.dimension, bytes: stats.bytes } : null;
}
