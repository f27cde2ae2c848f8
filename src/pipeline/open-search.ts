import { storeFromEnv } from '../config/env.js';
import { embedderFromName, NO_EMBEDDER } from './defaults.js';
import type { Embedder } from '../embedding/embedder.js';
import { SiftError } from '../errors.js';
import { Bm25Retriever } from '../retrieval/bm25-retriever.js';
import { DenseRetriever } from '../retrieval/dense-retriever.js';
import { HybridRetriever } from '../retrieval/hybrid-retriever.js';
import type { Retriever } from '../retrieval/retriever.js';
import { isStage1Mode, STAGE1_MODES, type Stage1Mode } from '../retrieval/stage1-mode.js';
import type { ModelLoadOptions } from '../runtime/load-text-model.js';
import type { Reranker } from '../reranking/reranker.js';
import type { RerankingRetriever } from '../retrieval/reranking-retriever.js';
import { composeTwoStage, type TwoStageSizes } from './two-stage.js';
import { DEFAULT_HEADING_CONTEXT, type HeadingContext } from '../chunking/heading-context.js';
import type { HybridOptions } from '../retrieval/hybrid-retriever.js';
import { checkStoreScout, embeddingDtype } from '../stores/check-store-embedding.js';
import { openStore } from '../stores/open-store.js';
import type { StoreInfo, VectorStore } from '../stores/vector-store.js';

export interface OpenSearchOptions {
  /** Store location (default `SIFT_STORE` or `./.sift`). */
  store?: string | undefined;
  /** Query embedder name (default: the one the store was built with; another model is refused). */
  embedder?: string | undefined;
  /**
   * Model loading options for the embedder. Without `dtype` the embedder takes the store's (the one
   * its vectors were made with); a `dtype` that is not the store's is refused (STORE_MODEL_MISMATCH).
   */
  models?: ModelLoadOptions;
  /**
   * How hybrid fuses dense and BM25 (default `DEFAULT_FUSION`: theoretical min-max, dense weight 0.8)
   * and how deep each list is (`depth`, default `DEFAULT_HYBRID_DEPTH`, 100).
   */
  fusion?: HybridOptions | undefined;
  /**
   * Stages that read heading path + chunk at query time: `bm25` also matches each chunk's heading
   * path, `judge` reads it before the chunk in `twoStage` (default {@link DEFAULT_HEADING_CONTEXT}).
   */
  headingContext?: HeadingContext | undefined;
}

/** What `SearchSetup.twoStage` composes: a stage-1 mode, the judge and the sizes. */
export interface TwoStageOptions extends TwoStageSizes {
  /** Stage-1 mode (default: the store's `defaultMode`). */
  mode?: string | undefined;
  /** The judge; omit for stage-1 results only. */
  reranker?: Reranker | undefined;
}

/** An open store with the stage-1 retrievers it supports. */
export interface SearchSetup {
  location: string;
  store: VectorStore;
  info: StoreInfo;
  /** The query embedder, or null for a keyword-only store. */
  embedder: Embedder | null;
  /** Modes this store supports: all three with an embedding, only `bm25` without. */
  modes: readonly Stage1Mode[];
  /** `hybrid` with an embedding, else `bm25`. */
  defaultMode: Stage1Mode;
  /** The stage-1 retriever for a mode (default `defaultMode`); INVALID_OPTION for a mode the store cannot serve. */
  retriever(mode?: string): Retriever;
  /**
   * Two-stage search over this store: the stage-1 retriever for `mode` composed with `reranker` by
   * `composeTwoStage` (defaults 20 candidates / top 4, `topK` <= `candidates`), the judge reading
   * heading path + chunk when `headingContext` holds `judge`.
   */
  twoStage(options?: TwoStageOptions): RerankingRetriever;
  /** Closes the embedder and the store. */
  close(): Promise<void>;
}

/**
 * Opens a store for searching: checks that the query embedder is the store's own (by name, so a
 * mismatch never costs a model download) and builds dense, BM25 and hybrid retrievers and the
 * two-stage retriever on demand. The one place the CLI, the server, MCP and the evaluation harness share.
 *
 * @example
 * const search = await openSearch({ store: '.sift' });
 * const { results } = await search.retriever('hybrid').retrieve('population of Berlin', { k: 20 });
 * const { hits } = await search.twoStage({ mode: 'hybrid', reranker: createReranker(), topK: 4 }).retrieve('population of Berlin');
 * await search.close();
 */
export async function openSearch(options: OpenSearchOptions = {}): Promise<SearchSetup> {
  const location = options.store ?? storeFromEnv();
  const store = await openStore(location);
  let embedder: Embedder | null = null;
  try {
    const info = await store.info();
    if (info.embedding) {
      const name = options.embedder ?? info.embedding.model;
      if (name !== NO_EMBEDDER) {
        // The store's dtype unless the caller names one, which must then be the store's (checked below).
        const dtype = options.models?.dtype ?? embeddingDtype(info.embedding);
        embedder = embedderFromName(name, { ...options.models, dtype });
        // By name and dtype, before any model is loaded: a mismatch must not cost a download, and a BM25-only
        // search never loads the embedder at all (dense retrievers load it, and check its dimension, on first use).
        if (embedder) checkStoreScout(location, info.embedding, embedder);
      }
    }
    const modes: readonly Stage1Mode[] = embedder ? STAGE1_MODES : ['bm25'];
    const defaultMode: Stage1Mode = embedder ? 'hybrid' : 'bm25';
    const built = new Map<Stage1Mode, Retriever>();
    const retriever = (mode: string = defaultMode): Retriever => {
      if (!isStage1Mode(mode)) {
        throw new SiftError('INVALID_OPTION', `\`mode\` must be one of ${STAGE1_MODES.join(', ')}, got "${mode}"`, {
          details: { option: 'mode' },
        });
      }
      if (!modes.includes(mode)) {
        throw new SiftError(
          'INVALID_OPTION',
          info.embedding
            ? `\`mode\` ${mode} needs the store's embedder (${info.embedding.model}); \`embedder\` none allows only \`mode\` bm25`
            : `store ${location} is keyword-only (built with \`embedder\` none); use \`mode\` bm25, or ingest into a new store with an embedder`,
          { details: { option: 'mode' } },
        );
      }
      let r = built.get(mode);
      if (!r) {
        r = buildRetriever(mode, store, embedder, options);
        built.set(mode, r);
      }
      return r;
    };
    const captured = embedder;
    const judgeHeadingPath = (options.headingContext ?? DEFAULT_HEADING_CONTEXT).has('judge');
    return {
      location,
      store,
      info,
      embedder,
      modes,
      defaultMode,
      retriever,
      twoStage: ({ mode, reranker, ...sizes } = {}) =>
        composeTwoStage({ retriever: retriever(mode), reranker, ...sizes, judgeHeadingPath }),
      close: async () => {
        await captured?.close();
        await store.close();
      },
    };
  } catch (err) {
    await embedder?.close();
    await store.close();
    throw err;
  }
}

function buildRetriever(
  mode: Stage1Mode,
  store: VectorStore,
  embedder: Embedder | null,
  options: OpenSearchOptions,
): Retriever {
  const bm25 = (): Bm25Retriever =>
    new Bm25Retriever(store, { headingPath: (options.headingContext ?? DEFAULT_HEADING_CONTEXT).has('bm25') });
  if (mode === 'bm25') return bm25();
  const dense = new DenseRetriever(store, embedder!);
  return mode === 'dense' ? dense : new HybridRetriever([dense, bm25()], options.fusion ?? {});
}
