import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { relative, resolve } from 'node:path';
import { storeFromEnv } from '../../config/env.js';
import type { Embedder } from '../../embedding/embedder.js';
import { SiftError } from '../../errors.js';
import { Bm25Retriever } from '../../retrieval/bm25-retriever.js';
import { DenseRetriever } from '../../retrieval/dense-retriever.js';
import { HybridRetriever } from '../../retrieval/hybrid-retriever.js';
import { DEFAULT_K, roundMs, type Retriever } from '../../retrieval/retriever.js';
import { checkStoreEmbedding } from '../../stores/check-store-embedding.js';
import { openStore } from '../../stores/open-store.js';
import type { ChunkFilter, VectorStore } from '../../stores/vector-store.js';
import { embedderFromFlag, NO_EMBEDDER } from '../embedder-flag.js';
import { addModelFlags, type ModelFlags } from '../model-flags.js';
import { parsePositiveInt, printJson, runCommand } from '../run-command.js';

type Mode = 'dense' | 'bm25' | 'hybrid';
const MODES: readonly Mode[] = ['dense', 'bm25', 'hybrid'];

interface SearchFlags extends ModelFlags {
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
    .option('--json', 'print {"query", "results": [{"rank", "chunkId", "source", "text", "score"}], "timings"} as JSON');
  addModelFlags(command).action((query: string, flags: SearchFlags) =>
    runCommand(flags, async () => {
      const t0 = performance.now();
      const k = parsePositiveInt('--top-k', flags.topK, DEFAULT_K);
      if (flags.mode !== undefined && !MODES.includes(flags.mode as Mode)) {
        throw new SiftError('INVALID_OPTION', `--mode must be one of ${MODES.join(', ')}, got "${flags.mode}"`);
      }
      if (query.trim() === '') throw new SiftError('INVALID_OPTION', 'the query is empty; give the search text');
      const location = flags.store ?? storeFromEnv();
      const store = await openStore(location);
      let embedder: Embedder | null = null;
      try {
        const info = await store.info();
        const mode: Mode = (flags.mode as Mode | undefined) ?? (info.embedding ? 'hybrid' : 'bm25');
        if (mode !== 'bm25') {
          if (!info.embedding) {
            throw new SiftError('INVALID_OPTION', `store ${location} is keyword-only (built with --embedder none); use --mode bm25, or ingest into a new store with an embedder`);
          }
          const name = flags.embedder ?? info.embedding.model;
          if (name === NO_EMBEDDER) throw new SiftError('INVALID_OPTION', `--embedder none cannot run --mode ${mode}; use --mode bm25`);
          embedder = embedderFromFlag(name, flags);
          // Names first: a mismatch must not cost a model download.
          if (embedder && embedder.model !== info.embedding.model) {
            checkStoreEmbedding(location, info.embedding, { model: embedder.model, dimension: NaN });
          }
        }
        const openMs = performance.now() - t0;
        const tLoad = performance.now();
        if (embedder) await embedder.dimension();
        const loadMs = performance.now() - tLoad;
        const retriever = makeRetriever(mode, store, embedder);
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
          chunkIndex: r.chunk.chunkIndex,
          start: r.chunk.start,
          end: r.chunk.end,
          text: r.chunk.text,
          score: r.score,
        }));
        const timings = { openMs: roundMs(openMs), loadMs: roundMs(loadMs), ...response.timings, totalMs: roundMs(performance.now() - t0) };
        if (flags.json) {
          printJson({ query, mode, store: location, embedder: embedder?.model ?? null, results, timings });
        } else {
          printResults(results, mode, timings.totalMs);
        }
      } finally {
        await embedder?.close();
        await store.close();
      }
    }),
  );
}

function makeRetriever(mode: Mode, store: VectorStore, embedder: Embedder | null): Retriever {
  if (mode === 'bm25') return new Bm25Retriever(store);
  if (!embedder) throw new SiftError('INTERNAL', `mode ${mode} needs an embedder`);
  const dense = new DenseRetriever(store, embedder);
  return mode === 'dense' ? dense : new HybridRetriever([dense, new Bm25Retriever(store)]);
}

function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

function printResults(results: { rank: number; source: string; text: string; score: number }[], mode: Mode, totalMs: number): void {
  if (results.length === 0) {
    process.stdout.write(`no results (${mode})\n`);
    return;
  }
  const lines = results.map((r) => {
    const preview = r.text.replace(/\s+/g, ' ').trim();
    const cut = preview.length > 100 ? `${preview.slice(0, 99)}…` : preview;
    return `${String(r.rank).padStart(3)}  ${r.score.toFixed(4)}  ${relative(process.cwd(), r.source)}\n     ${cut}`;
  });
  process.stdout.write(`${lines.join('\n')}\n\n${results.length} results (${mode}) in ${totalMs} ms\n`);
}
