import { performance } from 'node:perf_hooks';
import { Hono, type Context } from 'hono';
import { checkBearer, checkLoopbackHostHeader } from './api-key.js';
import { errorResponse } from './error-response.js';
import { HttpError } from './http-error.js';
import type { ChatClientOptions } from '../generation/chat-client.js';
import { registerAsk } from './routes/ask.js';
import { registerCohereRerank } from './routes/rerank-cohere.js';
import { registerHealth } from './routes/health.js';
import { registerIngest } from './routes/ingest.js';
import { registerMetrics } from './routes/metrics.js';
import { registerTeiRerank } from './routes/rerank-tei.js';
import { registerSearch } from './routes/search.js';
import { registerWebPage } from './routes/web-page.js';
import type { ServerApp, ServerContext, ServerEnv } from './server-context.js';
import type { WebAsset } from './web-assets.js';

export interface CreateAppOptions {
  context: ServerContext;
  /** The page's files; none means no web page (API only). */
  webAssets?: ReadonlyMap<string, WebAsset> | undefined;
  /** Bearer key every API route and `/metrics` require; without one the server answers loopback names only. */
  apiKey?: string | undefined;
  /** Live queue sizes for `/health`. */
  queue: () => { pairs: number; requests: number };
  /** The LLM that writes `/v1/ask` answers; without one answers are extractive (quoted sentences). */
  llm?: ChatClientOptions | undefined;
  /** Where unexpected errors are logged (default: stderr). */
  log?: (message: string) => void;
}

/** Routes open without a key: the page's static files (no data in them) and the health check. */
const PUBLIC = new Set(['/', '/app.js', '/style.css', '/health']);

/**
 * Builds the HTTP application: routes, auth, metrics, and the one error handler that turns
 * SiftErrors and HTTP errors into `{"error": {"code", "message"}}` with the right status.
 *
 * Why Hono (with @hono/node-server) rather than Fastify: two dependency-free packages instead of
 * Fastify's tree (pino, ajv, avvio, ...) in a library users install; web-standard Request/Response
 * and `streamSSE` for `/v1/ask`; and validation stays in zod 4, which the rest of sift already
 * uses, so error messages name fields the same way everywhere. Both support Node 20.
 *
 * @example
 * const app = createApp({ context, queue: () => ({ pairs: 0, requests: 0 }) });
 * serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 8080 }); // @hono/node-server; startServer does this
 */
export function createApp(options: CreateAppOptions): ServerApp {
  const { context: ctx, apiKey } = options;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const app = new Hono<ServerEnv>();
  const routes = new Map<string, string[]>();

  // Outermost: count, time and label every request, errors included.
  app.use('*', async (c, next) => {
    const started = performance.now();
    ctx.inFlight.count += 1;
    try {
      await next();
    } finally {
      ctx.inFlight.count -= 1;
    }
    const route = routes.has(c.req.path) ? c.req.path : 'other';
    const status = String(c.res.status);
    ctx.metrics.requests.inc({ route, method: c.req.method, status });
    ctx.metrics.requestDuration.observe((performance.now() - started) / 1000, { route });
    const code = c.get('errorCode');
    if (code !== undefined) ctx.metrics.errors.inc({ route, status, code });
    if (ctx.draining()) c.header('connection', 'close');
  });

  app.use('*', async (c, next) => {
    if (apiKey === undefined) checkLoopbackHostHeader(c.req.header('host'));
    else if (!PUBLIC.has(c.req.path)) checkBearer(c.req.header('authorization'), apiKey);
    await next();
  });

  if (options.webAssets) registerWebPage(app, options.webAssets);
  registerHealth(app, ctx, options.queue);
  registerMetrics(app, ctx);
  registerCohereRerank(app, ctx);
  registerTeiRerank(app, ctx);
  if (ctx.search) {
    registerSearch(app, ctx, ctx.search);
    registerAsk(app, ctx, ctx.search, options.llm, log);
  }
  if (ctx.ingest) registerIngest(app, ctx, ctx.ingest);

  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    routes.set(route.path, [...(routes.get(route.path) ?? []), route.method]);
  }

  app.notFound((c) => {
    const methods = routes.get(c.req.path);
    const err = methods
      ? new HttpError(
          'METHOD_NOT_ALLOWED',
          `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(' or ')}`,
          { allow: methods.join(', ') },
        )
      : new HttpError(
          'NOT_FOUND',
          `no route ${c.req.method} ${c.req.path}; routes: ${[...routes.keys()].sort().join(', ')}`,
        );
    return respondWithError(c, err);
  });

  app.onError((err, c) => respondWithError(c, err));

  function respondWithError(c: Context<ServerEnv>, err: unknown): Response {
    const res = errorResponse(err);
    if (res.unexpected) {
      const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`sift serve: ${c.req.method} ${c.req.path} failed: ${detail}`);
    }
    c.set('errorCode', res.body.error.code);
    return c.json(res.body, res.status as 400, res.headers);
  }

  return app;
}
