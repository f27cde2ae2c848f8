import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadJudge } from '../../pipeline/two-stage.js';
import { createReranker, DEFAULT_RERANKER } from '../../pipeline/defaults.js';
import { SiftError } from '../../errors.js';
import { realRoots } from '../../ingest/confine-path.js';
import { createMcpServer } from '../../mcp/create-mcp-server.js';
import { openSearch } from '../../pipeline/open-search.js';
import type { Reranker } from '../../reranking/reranker.js';
import { createIngestService } from '../../server/ingest-service.js';
import { createSearchService } from '../../server/search-service.js';
import { DEFAULT_LIMITS } from '../../server/server-limits.js';
import { isPostgresLocation } from '../../stores/open-store.js';
import { redactPassword } from '../../stores/postgres/postgres-location.js';
import { addModelFlags, modelLoadOptions, type ModelFlags } from '../model-flags.js';
import { runCommand } from '../run-command.js';

interface McpFlags extends ModelFlags {
  store?: string;
  embedder?: string;
  reranker: string;
  ingestRoot?: string[];
  llmUrl?: string;
  llmModel?: string;
  json?: boolean;
}

/**
 * `sift mcp --store DIR`: the store as Model Context Protocol tools (search, query, ask, rerank, and
 * ingest with `--ingest-root`) over stdio, for AI agents. stdout carries only the protocol; every
 * log line goes to stderr. Models load on the first tool call that needs them, once. `--json` writes
 * the log as JSON lines (`{"time", "message"}`) for log collectors, and a start-up failure as
 * `{"error"}` on stdout (before any protocol message), as every command does.
 */
export function registerMcp(program: Command): void {
  const command = program
    .command('mcp')
    .description(
      'serve the store as Model Context Protocol tools over stdio, for AI agents (search, query, ask, rerank)',
    )
    .option('--store <dir>', 'store folder or postgres:// URL (default: SIFT_STORE or ./.sift)')
    .option('--embedder <name>', "query embedding model (default: the store's)")
    .option('--reranker <name>', 'cross-encoder model name or folder, or a /rerank endpoint URL', DEFAULT_RERANKER)
    .option(
      '--ingest-root <dir>',
      'offer an ingest tool for files and folders inside this folder (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--llm-url <url>', 'OpenAI-compatible endpoint that writes ask answers (default: extractive answers)')
    .option('--llm-model <name>', 'model name at --llm-url')
    .option(
      '--json',
      'log to stderr as JSON lines {"time", "message"}; a start-up error as {"error"} on stdout (stdout is otherwise the MCP protocol)',
    );
  addModelFlags(command).action((flags: McpFlags) =>
    // Errors before the server is up print on stderr and exit 1, as every command's do.
    runCommand({ json: flags.json }, async () => {
      // stdout is the protocol: a library that logs through console must not corrupt it.
      const toStderr = (...args: unknown[]) => console.error(...args);
      console.log = toStderr;
      console.info = toStderr;
      console.debug = toStderr;
      const log = flags.json
        ? (message: string) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), message })}\n`)
        : (message: string) => process.stderr.write(`${message}\n`);
      if (flags.llmModel !== undefined && flags.llmUrl === undefined) {
        throw new SiftError(
          'INVALID_OPTION',
          '--llm-model needs --llm-url (the OpenAI-compatible endpoint that serves it)',
        );
      }
      // No progress bars: stderr of an MCP server is a log file more often than a terminal.
      const models = modelLoadOptions({ ...flags, json: true });
      const setup = await openSearch({ store: flags.store, embedder: flags.embedder, models });
      const judge = createReranker(flags.reranker, models);
      try {
        const ingest = flags.ingestRoot
          ? createIngestService({
              roots: await realRoots(flags.ingestRoot),
              store: setup.store,
              embedder: setup.embedder,
              storeDir: isPostgresLocation(setup.location) ? undefined : resolve(setup.location),
            })
          : undefined;
        // The default mode first, as `sift serve` lists them.
        const modes = [setup.defaultMode, ...setup.modes.filter((m) => m !== setup.defaultMode)];
        const search = createSearchService({
          retrievers: Object.fromEntries(modes.map((m) => [m, setup.retriever(m)])),
          reranker: judge,
          defaultMode: setup.defaultMode,
        });
        const server = createMcpServer({
          setup,
          judge,
          search,
          judgeReady: loadOnce(judge, log),
          ingest,
          ...(flags.llmUrl ? { llm: { url: flags.llmUrl, model: flags.llmModel } } : {}),
          limits: DEFAULT_LIMITS,
          log,
        });
        const closed = new Promise<void>((done) => (server.server.onclose = done));
        // The client ending our stdin ends the session.
        process.stdin.once('end', () => void server.close());
        await server.connect(new StdioServerTransport());
        log(
          `sift mcp: serving ${redactPassword(setup.location)} over stdio (tools: search, query, ask, rerank${ingest ? ', ingest' : ''}; judge ${judge.model}, loaded on first use)`,
        );
        await Promise.race([closed, untilSignal()]);
        await server.close();
      } finally {
        await judge.close();
        await setup.close();
      }
    }),
  );
}

/**
 * The judge's load, once: concurrent tool calls share it (and say they wait for it), a failed load
 * is tried again by the next call, and the log says when it starts and ends.
 */
function loadOnce(judge: Reranker, log: (m: string) => void): () => Promise<void> {
  let loading: Promise<void> | undefined;
  let loaded = false;
  return () => {
    if (loaded) return Promise.resolve();
    if (loading) {
      log('sift mcp: a tool call waits for the judge to finish loading');
      return loading;
    }
    const started = performance.now();
    log(`sift mcp: loading the judge ${judge.model}`);
    loading = loadJudge(judge).then(
      () => {
        loaded = true;
        log(`sift mcp: judge loaded in ${Math.round(performance.now() - started)} ms`);
      },
      (err: unknown) => {
        loading = undefined;
        throw err;
      },
    );
    return loading;
  };
}

/** Resolves on the first SIGTERM or SIGINT. */
function untilSignal(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGTERM', () => done());
    process.once('SIGINT', () => done());
  });
}
