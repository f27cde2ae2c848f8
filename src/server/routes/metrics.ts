import type { ServerApp, ServerContext } from '../server-context.js';

/** `GET /metrics`: the Prometheus text exposition format 0.0.4. */
export function registerMetrics(app: ServerApp, ctx: ServerContext): void {
  app.get('/metrics', (c) =>
    c.body(ctx.metrics.registry.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
}
