import { storeFromEnv } from '../config/env.js';
import { embedderFromName, NO_EMBEDDER } from '../defaults.js';
import type { Embedder } from '../embedding/embedder.js';
import { SiftError } from '../errors.js';
import { Bm25Retriever } from '../retrieval/bm25-retriever.js';
import { DenseRetriever } from '../retrieval/dense-retriever.js';
import { HybridRetriever } from '../retrieval/hybrid-retriever.js';
import type { Retriever } from '../retrieval/retriever.js';
import { isStage1Mode, STAGE1_MODES, type Stage1Mode } from '../retrieval/stage1-mode.js';
import type { ModelLoadOptions } from '../runtime/load-text-model.js';
import { DEFAULT_HEADING_CONTEXT, type HeadingContext } from '../chunking/heading-context.js';
import type { FusionOptions } from '../retrieval/fusion.js';
import { checkStoreEmbedding } from '../stores/check-store-embedding.js';
import { openStore } from '../stores/open-store.js';
import type { StoreInfo, VectorStore } from '../stores/vector-store.js';

export interface OpenSearchOptions {
  /** Store location (default `SIFT_STORE` or `./.sift`). */
  store?: string | undefined;
  /** Query embedder name (default: the one the store was built with; another model is refused). */
  embedder?: string | undefined;
  /** Model loading options for the embedder. */
  models?: ModelLoadOptions;
  /** How hybrid fuses dense and BM25 (default `DEFAULT_FUSION`: weighted RRF, k = 60, dense weight 0.7). */
  fusion?: FusionOptions | undefined;
  /** With `bm25`, BM25 also matches each chunk's heading path (default {@link DEFAULT_HEADING_CONTEXT}). */
  headingContext?: HeadingContext | undefined;
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
  /** Closes the embedder and the store. */
  close(): Promise<void>;
}

/**
 * Opens a store for searching: checks that the query embedder is the store's own (by name, so a
 * mismatch never costs a model download) and builds dense, BM25 and hybrid retrievers on demand.
 * The one place the CLI, the server and the evaluation harness share.
 *
 * @example
 * const search = await openSearch({ store: '.sift' });
 * const { results } = await search.retriever('hybrid').retrieve('population of Berlin', { k: 20 });
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
        embedder = embedderFromName(name, options.models);
        // By name, before any model is loaded: a mismatch must not cost a download, and a BM25-only
        // search never loads the embedder at all (dense retrievers load it on first use).
        if (embedder && embedder.model !== info.embedding.model) {
          checkStoreEmbedding(location, info.embedding, { model: embedder.model, dimension: NaN });
        }
      }
    }
    const modes: readonly Stage1Mode[] = embedder ? STAGE1_MODES : ['bm25'];
    const defaultMode: Stage1Mode = embedder ? 'hybrid' : 'bm25';
    const built = new Map<Stage1Mode, Retriever>();
    const retriever = (mode: string = defaultMode): Retriever => {
      if (!isStage1Mode(mode)) throw new SiftError('INVALID_OPTION', `--mode must be one of ${STAGE1_MODES.join(', ')}, got "${mode}"`);
      if (!modes.includes(mode)) {
        throw new SiftError(
          'INVALID_OPTION',
          info.embedding
            ? `--mode ${mode} needs the store's embedder (${info.embedding.model}); --embedder none allows only --mode bm25`
            : `store ${location} is keyword-only (built with --embedder none); use --mode bm25, or ingest into a new store with an embedder`,
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
    return {
      location,
      store,
      info,
      embedder,
      modes,
      defaultMode,
      retriever,
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

function buildRetriever(mode: Stage1Mode, store: VectorStore, embedder: Embedder | null, options: OpenSearchOptions): Retriever {
  const bm25 = (): Bm25Retriever => new Bm25Retriever(store, { headingPath: (options.headingContext ?? DEFAULT_HEADING_CONTEXT).has('bm25') });
  if (mode === 'bm25') return bm25();
  const dense = new DenseRetriever(store, embedder!);
  return mode === 'dense' ? dense : new HybridRetriever([dense, bm25()], options.fusion ?? {});
}
