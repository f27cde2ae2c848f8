import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { apiKeyFromEnv, storeFromEnv } from '../../config/env.js';
import { createReranker, DEFAULT_RERANKER } from '../../pipeline/defaults.js';
import { SiftError } from '../../errors.js';
import { pairScorerFor } from '../../reranking/pair-scorer.js';
import { loadJudge } from '../../pipeline/two-stage.js';
import { checkBindAddress } from '../../server/api-key.js';
import { createSearchService } from '../../server/search-service.js';
import { createIngestService } from '../../server/ingest-service.js';
import { realRoots } from '../../ingest/confine-path.js';
import { startServer } from '../../server/start-server.js';
import { isPostgresLocation } from '../../stores/open-store.js';
import { redactPassword } from '../../stores/postgres/postgres-location.js';
import type { SearchSetup } from '../../pipeline/open-search.js';
import { addRetrievalFlags, openSearchFromFlags, retrievalOptions, type RetrievalFlags } from '../retrieval-flags.js';
import type { Retriever } from '../../retrieval/retriever.js';
import { addModelFlags, modelLoadOptions, type ModelFlags } from '../model-flags.js';
import { parsePositiveInt, printJson, runCommand } from '../run-command.js';

interface ServeFlags extends ModelFlags, RetrievalFlags {
  host: string;
  port: string;
  apiKey?: string;
  reranker: string;
  store?: string;
  embedder?: string;
  maxDocuments?: string;
  maxQueue?: string;
  batchPairs?: string;
  batchWaitMs?: string;
  batching: boolean;
  llmUrl?: string;
  llmModel?: string;
  ingestRoot?: string[];
  longDocuments?: string;
  maxWindows?: string;
}

/** `sift serve`: the HTTP API (rerank, search, ask, health, metrics) and the web page at `/`. */
export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('serve the re-rank and search API and the web page over HTTP')
    .option('--host <address>', 'address to bind; anything but loopback needs an API key', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', '8080')
    .option('--api-key <key>', 'Bearer key clients must send (also SIFT_API_KEY); required off loopback')
    .option('--reranker <name>', 'cross-encoder model name or folder, or a remote /rerank URL', DEFAULT_RERANKER)
    .option(
      '--store <dir>',
      'store to search (default: SIFT_STORE or ./.sift when it exists; without one only the re-rank API runs)',
    )
    .option('--embedder <name>', "query embedding model for dense and hybrid search (default: the store's)")
    .option('--max-documents <n>', 'most documents per rerank request (default 1000)')
    .option(
      '--long-documents <mode>',
      '/v1/rerank and /v2/rerank without max_tokens_per_doc: truncate (default) or window (read long documents whole in overlapping windows)',
    )
    .option(
      '--max-windows <n>',
      'most windows read per document in window mode; longer documents answer 400 (default 16)',
    )
    .option(
      '--max-queue <pairs>',
      '(query, document) pairs allowed to wait for the judge; more answer 429 (default 1024)',
    )
    .option('--batch-pairs <n>', 'most pairs merged into one inference batch (default 32)')
    .option('--batch-wait-ms <ms>', 'how long an idle server waits for more requests to batch together (default 2)')
    .option('--no-batching', 'score each request on its own (no merging of concurrent requests)')
    .option('--llm-url <url>', 'OpenAI-compatible endpoint that writes /v1/ask answers (default: extractive answers)')
    .option('--llm-model <name>', 'model name at --llm-url')
    .option(
      '--ingest-root <dir>',
      'enable POST /v1/ingest for files and folders inside this folder (repeatable); needs a store',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--json', 'print {"url", "host", "port", "model", "store", "search_modes", "routes"} once listening');
  addModelFlags(addRetrievalFlags(command)).action((flags: ServeFlags) =>
    runCommand(flags, async () => {
      const port = parsePort(flags.port);
      const apiKey = flags.apiKey ?? apiKeyFromEnv();
      checkBindAddress(flags.host, apiKey);
      const limits = {
        ...(flags.maxDocuments !== undefined
          ? { maxDocuments: parsePositiveInt('--max-documents', flags.maxDocuments, 1000) }
          : {}),
        ...(flags.maxWindows !== undefined
          ? { maxWindowsPerDocument: parsePositiveInt('--max-windows', flags.maxWindows, 16) }
          : {}),
      };
      if (flags.longDocuments !== undefined && flags.longDocuments !== 'truncate' && flags.longDocuments !== 'window') {
        throw new SiftError(
          'INVALID_OPTION',
          `--long-documents must be truncate or window, got "${flags.longDocuments}"`,
        );
      }
      const batching = {
        ...(flags.maxQueue !== undefined
          ? { maxQueuedPairs: parsePositiveInt('--max-queue', flags.maxQueue, 1024) }
          : {}),
        ...(flags.batchPairs !== undefined
          ? { maxBatchPairs: parsePositiveInt('--batch-pairs', flags.batchPairs, 32) }
          : {}),
        ...(flags.batchWaitMs !== undefined
          ? { maxWaitMs: parseWholeNumber('--batch-wait-ms', flags.batchWaitMs) }
          : {}),
        merge: flags.batching,
      };

      const judge = createReranker(flags.reranker, modelLoadOptions(flags));
      let setup: SearchSetup | undefined;
      try {
        await loadJudge(judge);
        const location = flags.store ?? storeFromEnv();
        let search: { retrievers: Record<string, Retriever>; defaultMode: string } | undefined;
        if (flags.store !== undefined || isPostgresLocation(location) || existsSync(location)) {
          setup = await openSearchFromFlags(flags, modelLoadOptions(flags), location);
          const opened = setup;
          // The default mode first: clients that name no mode get it, and listings show it first.
          const modes = [opened.defaultMode, ...opened.modes.filter((m) => m !== opened.defaultMode)];
          search = {
            retrievers: Object.fromEntries(modes.map((m) => [m, opened.retriever(m)])),
            defaultMode: opened.defaultMode,
          };
          // Load the dense index while the server starts answering (LanceDB answers until it is
          // ready); the server then keeps it warm, catching up after each ingest.
          if (opened.embedder && opened.store.warmDenseIndex) {
            opened.store
              .warmDenseIndex()
              .catch((err: unknown) =>
                process.stderr.write(
                  `sift: dense index not loaded, dense search scans the store: ${err instanceof Error ? err.message : String(err)}\n`,
                ),
              );
          }
        }
        if (flags.ingestRoot && !setup) {
          throw new SiftError(
            'INVALID_OPTION',
            `--ingest-root needs a store to ingest into, and there is none at ${location}; run \`sift ingest\` once or pass --store`,
          );
        }
        const ingest =
          flags.ingestRoot && setup
            ? createIngestService({
                roots: await realRoots(flags.ingestRoot),
                store: setup.store,
                embedder: setup.embedder,
                storeDir: isPostgresLocation(location) ? undefined : resolve(location),
              })
            : undefined;
        const server = await startServer({
          judge: pairScorerFor(judge),
          host: flags.host,
          port,
          apiKey,
          limits,
          batching,
          ...(flags.longDocuments === 'window' ? { longDocuments: 'window' as const } : {}),
          ...(search
            ? {
                search: (reranker) =>
                  createSearchService({
                    retrievers: search.retrievers,
                    reranker,
                    defaultMode: search.defaultMode,
                    denseIndex: () => setup?.store.denseIndexStats?.(),
                    judgeHeadingPath: retrievalOptions(flags).headingContext.has('judge'),
                  }),
              }
            : {}),
          ...(flags.llmUrl ? { llm: { url: flags.llmUrl, model: flags.llmModel } } : {}),
          ...(ingest ? { ingest } : {}),
        });
        const routes = [
          'GET /',
          'GET /health',
          'GET /metrics',
          'POST /v1/rerank',
          'POST /v2/rerank',
          'POST /rerank',
          ...(search ? ['POST /v1/search', 'POST /v1/ask'] : []),
          ...(ingest ? ['POST /v1/ingest'] : []),
        ];
        if (flags.json) {
          printJson({
            url: server.url,
            host: server.host,
            port: server.port,
            model: judge.model,
            store: search ? redactPassword(location) : null,
            search_modes: search ? Object.keys(search.retrievers) : [],
            routes,
          });
        } else {
          process.stdout.write(
            `sift: serving ${judge.model} at ${server.url}  (web page at /, API: ${routes
              .filter((r) => r.startsWith('POST'))
              .map((r) => r.slice(5))
              .join(', ')})\n` +
              (search
                ? `sift: searching ${redactPassword(location)} (${Object.keys(search.retrievers).join(', ')})\n`
                : `sift: no store at ${location}: /v1/search and /v1/ask are off (sift ingest, then --store)\n`),
          );
        }
        await untilSignal();
        process.stderr.write('sift: shutting down: finishing requests in flight\n');
        await server.close();
      } finally {
        await judge.close();
        await setup?.close();
      }
    }),
  );
}

/** Resolves on the first SIGTERM or SIGINT; a second one exits at once. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      const force = () => process.exit(130);
      process.once('SIGTERM', force);
      process.once('SIGINT', force);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new SiftError('INVALID_OPTION', `--port must be a whole number from 0 to 65535, got "${value}"`);
  return n;
}

function parseWholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new SiftError('INVALID_OPTION', `${flag} must be a whole number >= 0, got "${value}"`);
  return n;
}
