import { z } from 'zod';
import { readJsonBody } from '../read-json-body.js';
import type { ServerApp, ServerContext } from '../server-context.js';
import { jsonObject } from './fields.js';
import { resolveIngestPaths, type IngestService } from '../ingest-service.js';

/** Most paths one request may name. */
const MAX_PATHS = 1000;

/**
 * `POST /v1/ingest` (only with `sift serve --ingest-root DIR`): ingests files and folders inside
 * the roots into the server's store and answers the ingest summary (as `sift ingest --json`).
 * Paths are relative to a root or absolute inside one; anything that leads out is a 403.
 *
 * @example
 * // {"paths": ["handbook", "faq.md"]}
 * // -> {"store": ".sift", "files": {"seen": 13, "ingested": 12, "unchanged": 0, "skipped": 1, "removed": 0}, "ingested": [...], "skipped": [...], "chunks": {...}, ...}
 */
export function registerIngest(app: ServerApp, ctx: ServerContext, service: IngestService): void {
  const path = z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(4096, { error: 'must be at most 4096 characters' })
    .refine((p) => !p.includes('\0'), { error: 'must not contain NUL characters' });
  const body = jsonObject({
    paths: z
      .array(path, { error: 'must be an array of paths' })
      .min(1, { error: 'must name at least one path' })
      .max(MAX_PATHS, { error: `must have at most ${MAX_PATHS} items` }),
  });
  app.post('/v1/ingest', async (c) => {
    const req = await readJsonBody(c.req.raw, body, ctx.limits.bodyLimitBytes);
    const paths = await resolveIngestPaths(req.paths, service.roots);
    return c.json(await service.ingest(paths));
  });
}
