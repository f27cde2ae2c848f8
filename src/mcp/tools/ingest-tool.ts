import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { resolveIngestPaths, type IngestService } from '../../server/ingest-service.js';
import type { McpContext } from '../mcp-context.js';
import { ingestOutput } from '../output-schemas.js';
import { guarded, toolResult } from '../tool-result.js';

/** Most paths one call may name (as `POST /v1/ingest`). */
const MAX_PATHS = 1000;

/**
 * `ingest` (only with `sift mcp --ingest-root DIR`): ingests files and folders inside the roots, with
 * the confinement of `POST /v1/ingest` (`resolveIngestPaths`): `..` that climbs out, absolute paths
 * elsewhere and links that lead out are refused (FORBIDDEN) before anything is read.
 *
 * @example
 * // {"paths": ["handbook", "faq.md"]}
 * // -> text "ingested 12 files (84 new chunks), 1 unchanged, 0 skipped, 0 removed; 310 chunks in the store"
 * //    structuredContent: the `sift ingest --json` summary
 */
export function registerIngestTool(server: McpServer, ctx: McpContext, service: IngestService): void {
  const path = z
    .string({ error: 'must be a string' })
    .min(1, { error: 'must not be empty' })
    .max(4096, { error: 'must be at most 4096 characters' })
    .refine((p) => !p.includes('\0'), { error: 'must not contain NUL characters' });
  server.registerTool(
    'ingest',
    {
      title: 'Add files to the searchable documents',
      description: `Ingests files and folders (txt, md, html, pdf) into the store so that search, query and ask find them. Paths are relative to ${service.roots.join(', ')} or absolute inside it; nothing outside can be read.`,
      inputSchema: {
        paths: z
          .array(path, { error: 'must be an array of paths' })
          .min(1, { error: 'must name at least one path' })
          .max(MAX_PATHS, { error: `must have at most ${MAX_PATHS} items` })
          .describe('files and folders to ingest'),
      },
      outputSchema: ingestOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ paths }) =>
      guarded('ingest', ctx.log, async () => {
        const summary = await service.ingest(await resolveIngestPaths(paths, service.roots));
        const f = summary.files;
        const text =
          `ingested ${f.ingested} files (${summary.chunks.added} new chunks), ${f.unchanged} unchanged, ${f.skipped} skipped, ${f.removed} removed; ${summary.chunks.total} chunks in the store` +
          summary.skipped.map((s) => `\nskipped ${s.source}: ${s.message}`).join('');
        return toolResult(text, summary as unknown as Record<string, unknown>);
      }),
  );
}
