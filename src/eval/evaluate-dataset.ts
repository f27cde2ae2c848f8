import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { cacheDirFromEnv, storeFromEnv } from '../config/env.js';
import { createReranker, DEFAULT_EMBEDDER, embedderFromName, NO_EMBEDDER } from '../defaults.js';
import { SiftError } from '../errors.js';
import { ingestDocuments } from '../ingest/ingest-documents.js';
import { openSearch } from '../pipeline/open-search.js';
import type { Reranker } from '../reranking/reranker.js';
import type { ModelLoadOptions } from '../runtime/load-text-model.js';
import { openStore } from '../stores/open-store.js';
import type { RunResult } from './aggregate-run.js';
import { createLabelledJudge } from './datasets/labelled-judge.js';
import { loadBeirDataset } from './datasets/load-beir-dataset.js';
import { loadLabelledQueries } from './datasets/load-labelled-queries.js';
import { evaluateRuns } from './evaluate-runs.js';
import type { MetricOptions } from './metrics/metric-keys.js';
import { documentJudge, type RelevanceJudge } from './relevance-judge.js';
import { expandRunConfigs } from './run-config.js';
import type { EvalChunk, EvalQuery, RunConfig } from './types.js';

export interface EvaluateDatasetOptions {
  /** A BEIR folder (`corpus.jsonl[.gz]`, `queries.jsonl`, `qrels/<split>.tsv`) or a labelled `.jsonl` file. */
  dataset: string;
  /** BEIR split (default `test`). */
  split?: string | undefined;
  /** Only the first `limit` queries. */
  limit?: number | undefined;
  /**
   * The store. BEIR: where the corpus is ingested (default: a folder per dataset and settings under
   * the cache, reused when the settings match). Labelled files: the user's store (default `.sift`).
   */
  store?: string | undefined;
  /** Embedder for dense and hybrid runs (default all-MiniLM-L6-v2; none for BM25-only evaluations). */
  embedder?: string | undefined;
  /** Stage-1 modes (default `bm25`, `dense`, `hybrid`, or `bm25` alone with `embedder: 'none'`). */
  modes?: readonly string[] | undefined;
  /** Rerankers of the two-stage runs (none: stage 1 only). */
  rerankers?: readonly string[] | undefined;
  /** Candidate counts of the two-stage runs (default `[20]`). */
  candidates?: readonly number[] | undefined;
  metrics?: MetricOptions | undefined;
  /** Chunking of the ingested corpus (default 500 / 50, as `sift ingest`). */
  chunkSize?: number | undefined;
  chunkOverlap?: number | undefined;
  models?: ModelLoadOptions | undefined;
  onIngestProgress?: (documents: number, chunks: number) => void;
  onProgress?: (done: number, total: number, config: RunConfig) => void;
  signal?: AbortSignal | undefined;
}

export interface DatasetEvaluation {
  dataset: string;
  split: string;
  store: string;
  runs: RunResult[];
  queryText: Map<string, string>;
  /** Tags per query id (labelled files' `"tags"`/`"kind"`; empty for BEIR), for the per-tag breakdown. */
  queryTags: Map<string, string[]>;
  ingest: { documents: number; chunksAdded: number; chunksTotal: number; durationMs: number } | null;
}

/**
 * Evaluates retrieval configurations on a dataset end to end: ingests a BEIR corpus into a store
 * (once: unchanged documents are skipped on later runs), then runs every stage-1 mode alone and
 * with every reranker and candidate count over the same queries, timing each stage. Stage-1 runs
 * retrieve as deep as the largest metric cut-off; two-stage runs judge exactly their candidates.
 */
export async function evaluateDataset(options: EvaluateDatasetOptions): Promise<DatasetEvaluation> {
  const labelled = options.dataset.endsWith('.jsonl');
  const embedderName = options.embedder ?? (options.modes && options.modes.every((m) => m === 'bm25') ? NO_EMBEDDER : DEFAULT_EMBEDDER);
  const depth = Math.max(10, ...(options.metrics?.k ?? [1, 3, 4, 10, 20]));

  let queries: EvalQuery[];
  let queryTags = new Map<string, string[]>();
  let judgeFor: (chunks: () => AsyncIterable<EvalChunk>) => Promise<RelevanceJudge>;
  let name: string;
  let split: string;
  let location: string;
  let ingest: DatasetEvaluation['ingest'] = null;

  if (labelled) {
    const ds = await loadLabelledQueries(options.dataset, options.limit !== undefined ? { limit: options.limit } : {});
    queries = ds.queries.map((q) => ({ id: q.id, text: q.text }));
    queryTags = new Map(ds.queries.flatMap((q) => (q.tags === undefined ? [] : [[q.id, q.tags] as [string, string[]]])));
    judgeFor = (chunks) => createLabelledJudge(ds, chunks());
    name = ds.name;
    split = ds.split;
    location = options.store ?? storeFromEnv();
  } else {
    const ds = await loadBeirDataset(options.dataset, {
      ...(options.split !== undefined ? { split: options.split } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    queries = ds.queries;
    judgeFor = async () => documentJudge(ds.qrels);
    name = ds.name;
    split = ds.split;
    location = options.store ?? defaultEvalStore(options.dataset, embedderName, options);
    const embedder = embedderName === NO_EMBEDDER ? null : embedderFromName(embedderName, options.models);
    const store = await openStore(location, { create: true, embedding: embedder ? { model: embedder.model, dimension: await embedder.dimension() } : null });
    try {
      const summary = await ingestDocuments({
        documents: ds.corpus,
        store,
        embedder,
        chunkSize: options.chunkSize,
        chunkOverlap: options.chunkOverlap,
        signal: options.signal,
        onProgress: (p) => options.onIngestProgress?.(p.documentsDone, p.chunksWritten),
      });
      ingest = { documents: summary.documents.seen, chunksAdded: summary.chunks.added, chunksTotal: summary.chunks.total, durationMs: summary.durationMs };
    } finally {
      await embedder?.close();
      await store.close();
    }
  }

  const search = await openSearch({ store: location, embedder: labelled ? options.embedder : embedderName, models: options.models });
  const rerankers = new Map<string, Reranker>();
  try {
    // Default modes: all the store supports (a keyword-only store: bm25 alone).
    const modes = options.modes ?? search.modes;
    const configs = expandRunConfigs({ modes, rerankers: options.rerankers ?? [], candidates: options.candidates ?? [20], depth });
    for (const config of configs) search.retriever(config.stage1); // refuse unsupported modes before any work
    // Every query should meet the same dense path: load the store's in-memory index before timing any.
    if (search.embedder && configs.some((c) => c.stage1 !== 'bm25')) await search.store.warmDenseIndex?.();
    for (const r of options.rerankers ?? []) rerankers.set(r, createReranker(r, options.models));
    const judge = await judgeFor(() => scanChunks(search.store));
    const runs = await evaluateRuns({
      queries,
      judge,
      configs,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      search: async (query, config) => {
        const stage1 = await search.retriever(config.stage1).retrieve(query.text, { k: config.reranker ? config.candidates : depth });
        const stage1Ms = stage1.timings.totalMs ?? 0;
        const candidates = stage1.results.map((r) => r.chunk);
        if (!config.reranker) return { chunks: candidates.map(toEvalChunk), latency: { stage1Ms } };
        const judged = await rerankers.get(config.reranker)!.rerank(query.text, candidates);
        return { chunks: judged.results.map((r) => toEvalChunk(r.document)), latency: { stage1Ms, rerankMs: judged.timings.totalMs } };
      },
    });
    return { dataset: name, split, store: location, runs, queryText: new Map(queries.map((q) => [q.id, q.text])), queryTags, ingest };
  } finally {
    for (const r of rerankers.values()) await r.close();
    await search.close();
  }
}

function toEvalChunk(chunk: { id: string; source: string; text: string }): EvalChunk {
  return { id: chunk.id, docId: chunk.source, text: chunk.text, source: chunk.source };
}

async function* scanChunks(store: { scan(options?: { batchSize?: number }): AsyncIterable<{ id: string; source: string; text: string }[]> }): AsyncIterable<EvalChunk> {
  for await (const batch of store.scan({ batchSize: 1000 })) for (const c of batch) yield toEvalChunk(c);
}

/**
 * `<cache>/eval/<dataset>-<hash>`: one store per dataset folder, embedder and chunking, so a second
 * evaluation with the same settings reuses the ingested corpus and a change of settings never mixes
 * chunks of two settings in one store.
 */
function defaultEvalStore(dataset: string, embedder: string, options: EvaluateDatasetOptions): string {
  const dir = resolve(dataset);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new SiftError('INVALID_INPUT', `--dataset ${dataset} is neither a BEIR folder nor a labelled .jsonl file`);
  }
  const key = createHash('sha256')
    .update(JSON.stringify([dir, embedder, options.chunkSize ?? 500, options.chunkOverlap ?? 50]))
    .digest('hex')
    .slice(0, 10);
  return join(dirname(cacheDirFromEnv()), 'eval', `${basename(dir)}-${key}`);
}
