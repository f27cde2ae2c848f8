import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { cacheDirFromEnv, storeFromEnv } from '../config/env.js';
import {
  createReranker,
  DEFAULT_CANDIDATES,
  DEFAULT_EMBEDDER,
  embedderFromName,
  NO_EMBEDDER,
} from '../pipeline/defaults.js';
import { SiftError } from '../errors.js';
import { ingestDocuments } from '../ingest/ingest-documents.js';
import { openSearch } from '../pipeline/open-search.js';
import { composeTwoStage } from '../pipeline/two-stage.js';
import type { Reranker } from '../reranking/reranker.js';
import type { ModelLoadOptions } from '../runtime/load-text-model.js';
import { openStore } from '../stores/open-store.js';
import { ReusingEmbedder } from '../embedding/reusing-embedder.js';
import type { Embedder } from '../embedding/embedder.js';
import type { ModelDtype } from '../models/model-spec.js';
import { DEFAULT_HEADING_CONTEXT, formatHeadingContext, type HeadingContext } from '../chunking/heading-context.js';
import { parseFusionSpec } from '../retrieval/fusion.js';
import { HybridRetriever } from '../retrieval/hybrid-retriever.js';
import { MemoRetriever } from '../retrieval/memo-retriever.js';
import type { Retriever } from '../retrieval/retriever.js';
import type { RunResult } from './aggregate-run.js';
import { createLabelledJudge } from './datasets/labelled-judge.js';
import { loadBeirDataset } from './datasets/load-beir-dataset.js';
import { loadLabelledQueries } from './datasets/load-labelled-queries.js';
import { evaluateRuns } from './evaluate-runs.js';
import type { MetricOptions } from './metrics/metric-keys.js';
import { documentJudge, type RelevanceJudge } from './relevance-judge.js';
import { expandRunConfigs } from './run-config.js';
import type { EvalChunk, EvalQuery, RunConfig } from './types.js';
import { describeEmbedding, embedderEmbedding, embeddingDtype } from '../stores/check-store-embedding.js';

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
  /**
   * Which stages read heading path (BEIR: the title) + chunk: `scout` shapes the ingested store (a
   * store per setting), `bm25` the keyword search and `judge` the re-ranked passages. Default {@link DEFAULT_HEADING_CONTEXT}.
   */
  headingContext?: HeadingContext | undefined;
  /** Hybrid fusions (`rrf:60`, `rrf:20`, `rrf:60:0.7`, `minmax:0.5`, `zscore:0.3`, `tmm:0.8`); several: one hybrid run each. Default: `DEFAULT_FUSION`. */
  fusions?: readonly string[] | undefined;
  /** Hybrid: candidates fetched from each list before fusing (default `DEFAULT_HYBRID_DEPTH`, 100). */
  hybridDepth?: number | undefined;
  /**
   * BEIR: a store built from the same corpus with the same embedder and weights, whose vectors are
   * reused for passages of identical text (a heading-context variant re-embeds only what changed).
   */
  reuseVectors?: string | undefined;
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
  const embedderName =
    options.embedder ?? (options.modes && options.modes.every((m) => m === 'bm25') ? NO_EMBEDDER : DEFAULT_EMBEDDER);
  const depth = Math.max(10, ...(options.metrics?.k ?? [1, 3, 4, 10, 20]));
  const headingContext = options.headingContext ?? DEFAULT_HEADING_CONTEXT;
  const fusions = [...new Set(options.fusions ?? [])];
  for (const f of fusions) parseFusionSpec(f); // refuse a bad spec before any work

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
    queryTags = new Map(
      ds.queries.flatMap((q) => (q.tags === undefined ? [] : [[q.id, q.tags] as [string, string[]]])),
    );
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
    const scout = embedderName === NO_EMBEDDER ? null : embedderFromName(embedderName, options.models);
    location =
      options.store ?? defaultEvalStore(options.dataset, embedderName, scout ? embeddingDtype(scout) : 'fp32', options);
    const embedder =
      scout && options.reuseVectors !== undefined
        ? new ReusingEmbedder(scout, await knownVectors(options.reuseVectors, scout))
        : scout;
    const store = await openStore(location, {
      create: true,
      embedding: embedder ? await embedderEmbedding(embedder) : null,
    });
    try {
      const summary = await ingestDocuments({
        documents: ds.corpus,
        store,
        embedder,
        chunkSize: options.chunkSize,
        chunkOverlap: options.chunkOverlap,
        headingContext,
        signal: options.signal,
        onProgress: (p) => options.onIngestProgress?.(p.documentsDone, p.chunksWritten),
      });
      ingest = {
        documents: summary.documents.seen,
        chunksAdded: summary.chunks.added,
        chunksTotal: summary.chunks.total,
        durationMs: summary.durationMs,
      };
    } finally {
      await embedder?.close();
      await store.close();
    }
  }

  const search = await openSearch({
    store: location,
    embedder: labelled ? options.embedder : embedderName,
    models: options.models,
    headingContext,
  });
  const rerankers = new Map<string, Reranker>();
  try {
    // Default modes: all the store supports (a keyword-only store: bm25 alone).
    const modes = options.modes ?? search.modes;
    const configs = expandRunConfigs({
      modes,
      rerankers: options.rerankers ?? [],
      candidates: options.candidates ?? [DEFAULT_CANDIDATES],
      depth,
      fusions,
    });
    for (const config of configs) search.retriever(config.stage1); // refuse unsupported modes before any work
    // Every query should meet the same dense path: load the store's in-memory index before timing any.
    if (search.embedder && configs.some((c) => c.stage1 !== 'bm25')) await search.store.warmDenseIndex?.();
    // With several fusions every hybrid run reads the same dense and BM25 lists: each query is embedded
    // and searched once (so the stage-1 latency of later runs is the fusion's alone). With one fusion
    // nothing is remembered and every run's latency is its own.
    const memo = new Map<string, Retriever>();
    const base = (mode: string): Retriever => {
      if (fusions.length <= 1) return search.retriever(mode);
      let r = memo.get(mode);
      if (!r) memo.set(mode, (r = new MemoRetriever(search.retriever(mode))));
      return r;
    };
    const stage1For = (config: RunConfig): Retriever => {
      if (config.stage1 !== 'hybrid') return base(config.stage1);
      const spec = config.fusion ?? fusions[0];
      return new HybridRetriever([base('dense'), base('bm25')], {
        ...(spec === undefined ? {} : parseFusionSpec(spec)),
        ...(options.hybridDepth !== undefined ? { depth: options.hybridDepth } : {}),
      });
    };
    const hybrids = new Map<string, Retriever>();
    const retrieverFor = (config: RunConfig): Retriever => {
      const key = `${config.stage1}\0${config.fusion ?? ''}`;
      let r = hybrids.get(key);
      if (!r) hybrids.set(key, (r = stage1For(config)));
      return r;
    };
    const judgeContext = headingContext.has('judge');
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
        if (!config.reranker) {
          const stage1 = await retrieverFor(config).retrieve(query.text, { k: depth });
          return {
            chunks: stage1.results.map((r) => toEvalChunk(r.chunk)),
            latency: { stage1Ms: stage1.timings.totalMs ?? 0 },
          };
        }
        // The same two-stage composition as every surface, keeping every judged candidate in order.
        const twoStage = composeTwoStage({
          retriever: retrieverFor(config),
          reranker: rerankers.get(config.reranker),
          candidates: config.candidates,
          topK: config.candidates,
          judgeHeadingPath: judgeContext,
        });
        const judged = await twoStage.retrieve(query.text);
        return {
          chunks: judged.hits.map((h) => toEvalChunk(h.chunk)),
          latency: { stage1Ms: judged.timings.retrieveMs, rerankMs: judged.timings.rerankMs },
        };
      },
    });
    return {
      dataset: name,
      split,
      store: location,
      runs,
      queryText: new Map(queries.map((q) => [q.id, q.text])),
      queryTags,
      ingest,
    };
  } finally {
    for (const r of rerankers.values()) await r.close();
    await search.close();
  }
}

/** Text -> vector of every chunk of a store built with `model`. */
async function knownVectors(location: string, scout: Embedder): Promise<Map<string, Float32Array>> {
  const store = await openStore(location);
  try {
    const info = await store.info();
    const dtype = embeddingDtype(scout);
    if (info.embedding?.model !== scout.model || embeddingDtype(info.embedding) !== dtype) {
      throw new SiftError(
        'STORE_MODEL_MISMATCH',
        `\`reuseVectors\` ${location} holds ${info.embedding ? describeEmbedding(info.embedding) : 'no'} vectors; this evaluation embeds with ${scout.model} in ${dtype}`,
      );
    }
    const known = new Map<string, Float32Array>();
    for await (const batch of store.scan({ batchSize: 1000 }))
      for (const c of batch) if (c.vector) known.set(c.text, c.vector);
    return known;
  } finally {
    await store.close();
  }
}

function toEvalChunk(chunk: { id: string; source: string; text: string }): EvalChunk {
  return { id: chunk.id, docId: chunk.source, text: chunk.text, source: chunk.source };
}

async function* scanChunks(store: {
  scan(options?: { batchSize?: number }): AsyncIterable<{ id: string; source: string; text: string }[]>;
}): AsyncIterable<EvalChunk> {
  for await (const batch of store.scan({ batchSize: 1000 })) for (const c of batch) yield toEvalChunk(c);
}

/**
 * `<cache>/eval/<dataset>-<hash>`: one store per dataset folder, embedder and chunking, so a second
 * evaluation with the same settings reuses the ingested corpus and a change of settings never mixes
 * chunks of two settings in one store.
 */
function defaultEvalStore(
  dataset: string,
  embedder: string,
  dtype: ModelDtype,
  options: EvaluateDatasetOptions,
): string {
  const dir = resolve(dataset);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new SiftError('INVALID_INPUT', `\`dataset\` ${dataset} is neither a BEIR folder nor a labelled .jsonl file`, {
      details: { option: 'dataset' },
    });
  }
  // Only the scout's input shapes the store (BM25 and the judge choose at query time); without it
  // the key is the one of earlier versions.
  const context = formatHeadingContext(
    new Set([...(options.headingContext ?? DEFAULT_HEADING_CONTEXT)].filter((t) => t === 'scout')),
  );
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        dir,
        embedder,
        options.chunkSize ?? 500,
        options.chunkOverlap ?? 50,
        ...(context === 'none' ? [] : [context]),
        // A store holds one dtype; fp32 keeps the key of earlier versions.
        ...(dtype === 'fp32' ? [] : [dtype]),
      ]),
    )
    .digest('hex')
    .slice(0, 10);
  return join(dirname(cacheDirFromEnv()), 'eval', `${basename(dir)}-${key}`);
}
