/**
 * The default pipeline, wired in one place: local ONNX models with the registry's default names and
 * the two-stage sizes. The core classes take their parts as arguments; presets and surfaces (CLI,
 * server, MCP, eval) call these.
 */
import type { Embedder } from '../embedding/embedder.js';
import { OnnxEmbedder, type OnnxEmbedderOptions } from '../embedding/onnx-embedder.js';
import { HashingEmbedder } from '../embedding/hashing-embedder.js';
import { defaultEmbedder, defaultReranker } from '../models/registry.js';
import { CrossEncoderReranker, type CrossEncoderOptions } from '../reranking/cross-encoder.js';
import type { Reranker } from '../reranking/reranker.js';
import { isEndpointUrl, RemoteReranker } from '../reranking/remote/index.js';
import { TERM_OVERLAP_RERANKER, TermOverlapReranker } from '../reranking/term-overlap-reranker.js';
import { DEFAULT_K } from '../retrieval/retriever.js';

/** `cross-encoder/ms-marco-MiniLM-L-6-v2`: 22.7M parameters, the best speed/quality trade-off on MS MARCO of the MiniLM judges. */
export const DEFAULT_RERANKER = defaultReranker.name;
/** `sentence-transformers/all-MiniLM-L6-v2`: 384-dimensional, 256 tokens, the most used small bi-encoder. */
export const DEFAULT_EMBEDDER = defaultEmbedder.name;

/**
 * Creates the judge for a model name (default: DEFAULT_RERANKER), or a remote judge when the name is
 * an `http(s)://` URL of a `/rerank` endpoint (`http://gpu:8080/rerank#tei`, see `parseEndpoint`), or
 * the model-free `sift/term-overlap` fake (tests and demos), so every `--reranker` flag accepts
 * any of them. Model load options apply to local models only.
 */
export function createReranker(
  name: string = DEFAULT_RERANKER,
  options: Omit<CrossEncoderOptions, 'model'> = {},
): Reranker {
  if (isEndpointUrl(name)) return new RemoteReranker({ url: name });
  if (name === TERM_OVERLAP_RERANKER) return new TermOverlapReranker();
  return new CrossEncoderReranker({ ...options, model: name });
}

/**
 * Candidates stage 1 fetches and the judge re-scores (20): stage 1's own default depth. More raise
 * recall at a linear cost in judge time; 20–50 is the usual range (measured in bench/RESULTS.md).
 */
export const DEFAULT_CANDIDATES = DEFAULT_K;

/** Results kept after re-ranking (4): what fits an LLM context with room to spare. */
export const DEFAULT_TOP_K = 4;

/** Creates the scout for a model name (default: DEFAULT_EMBEDDER). */
export function createEmbedder(
  name: string = DEFAULT_EMBEDDER,
  options: Omit<OnnxEmbedderOptions, 'model'> = {},
): Embedder & OnnxEmbedder {
  return new OnnxEmbedder({ ...options, model: name });
}

/** The embedder name that means "no embedder": a keyword-only (BM25) store. */
export const NO_EMBEDDER = 'none';

/**
 * Turns an embedder name into an embedder: `none` gives null (keyword-only), `sift/hashing-N` the
 * deterministic keyword embedder (tests and model-free demos), anything else the ONNX bi-encoder
 * (whose `model` is the registry's canonical name for any alias, as stores record and compare it).
 */
export function embedderFromName(name: string, options: Omit<OnnxEmbedderOptions, 'model'> = {}): Embedder | null {
  if (name === NO_EMBEDDER) return null;
  const hashing = HashingEmbedder.fromName(name);
  if (hashing) return hashing;
  return createEmbedder(name, options);
}
