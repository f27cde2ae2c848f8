import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { relative, resolve } from 'node:path';
import { SiftError } from '../../errors.js';
import { DEFAULT_K, roundMs } from '../../retrieval/retriever.js';
import { addRetrievalFlags, openSearchFromFlags, type RetrievalFlags } from '../retrieval-flags.js';
import type { ChunkFilter } from '../../stores/vector-store.js';
import { addModelFlags, modelLoadOptions, type ModelFlags } from '../model-flags.js';
import { parsePositiveInt, printJson, runCommand } from '../run-command.js';
import { headingPathOf } from '../../stores/store-rows.js';

interface SearchFlags extends ModelFlags, RetrievalFlags {
  store?: string;
  embedder?: string;
  topK?: string;
  mode?: string;
  source?: string;
  under?: string;
  exact?: boolean;
}

/** `sift search "query"`: stage-1 retrieval over the store (dense, BM25 or hybrid), no re-ranking. */
export function registerSearch(program: Command): void {
  const command = program
    .command('search')
    .description('stage-1 search of the store: dense (embeddings), bm25 (keywords) or hybrid (both, fused by RRF)')
    .argument('<query>', 'the question or search text')
    .option('--store <dir>', 'store folder (default: SIFT_STORE or ./.sift)')
    .option('-k, --top-k <n>', `number of results (default ${DEFAULT_K})`)
    .option('--mode <mode>', 'dense, bm25 or hybrid (default: hybrid, or bm25 for a keyword-only store)')
    .option('--embedder <name>', "query embedding model (default: the store's; another model is refused)")
    .option('--source <path>', 'only chunks of this file')
    .option('--under <folder>', 'only chunks of files under this folder')
    .option('--exact', 'dense: exact search even when an ANN index exists')
    .option(
      '--json',
      'print {"query", "results": [{"rank", "chunkId", "source", "text", "score"}], "timings"} as JSON',
    );
  addModelFlags(addRetrievalFlags(command)).action((query: string, flags: SearchFlags) =>
    runCommand(flags, async () => {
      const t0 = performance.now();
      const k = parsePositiveInt('--top-k', flags.topK, DEFAULT_K);
      if (query.trim() === '') throw new SiftError('INVALID_OPTION', 'the query is empty; give the search text');
      const search = await openSearchFromFlags(flags, modelLoadOptions(flags));
      try {
        const retriever = search.retriever(flags.mode);
        const mode = retriever.mode;
        const openMs = performance.now() - t0;
        const filter: ChunkFilter = {
          ...(flags.source ? { source: resolve(flags.source) } : {}),
          ...(flags.under ? { sourcePrefix: withSlash(resolve(flags.under)) } : {}),
        };
        const response = await retriever.retrieve(query, { k, filter, ...(flags.exact ? { exact: true } : {}) });
        const results = response.results.map((r) => ({
          rank: r.rank,
          chunkId: r.chunk.id,
          source: r.chunk.source,
          title: r.chunk.title ?? null,
          headingPath: headingPathOf(r.chunk) ?? null,
          chunkIndex: r.chunk.chunkIndex,
          start: r.chunk.start,
          end: r.chunk.end,
          text: r.chunk.text,
          score: r.score,
        }));
        const timings = { openMs: roundMs(openMs), ...response.timings, totalMs: roundMs(performance.now() - t0) };
        if (flags.json) {
          printJson({
            query,
            mode,
            store: search.location,
            embedder: search.embedder?.model ?? null,
            results,
            timings,
          });
        } else {
          printResults(results, mode, timings.totalMs);
        }
      } finally {
        await search.close();
      }
    }),
  );
}

function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

function printResults(
  results: { rank: number; source: string; headingPath: string | null; text: string; score: number }[],
  mode: string,
  totalMs: number,
): void {
  if (results.length === 0) {
    process.stdout.write(`no results (${mode})\n`);
    return;
  }
  const lines = results.map((r) => {
    const preview = r.text.replace(/\s+/g, ' ').trim();
    const cut = preview.length > 100 ? `${preview.slice(0, 99)}…` : preview;
    const path = r.headingPath ? `     ${r.headingPath}\n` : '';
    return `${String(r.rank).padStart(3)}  ${r.score.toFixed(4)}  ${relative(process.cwd(), r.source)}\n${path}     ${cut}`;
  });
  process.stdout.write(`${lines.join('\n')}\n\n${results.length} results (${mode}) in ${totalMs} ms\n`);
}
