import { createEmbedder } from '../defaults.js';
import type { Embedder } from '../embedding/embedder.js';
import { HashingEmbedder } from '../embedding/hashing-embedder.js';
import { findModel } from '../models/registry.js';
import { modelLoadOptions, type ModelFlags } from './model-flags.js';

/** The `--embedder` value that means "no embedder: a keyword-only (BM25) store". */
export const NO_EMBEDDER = 'none';

/**
 * Turns an `--embedder` value into an embedder: `none` gives null (keyword-only), `sift/hashing-N`
 * the deterministic keyword embedder (tests, model-free demos), anything else the ONNX bi-encoder
 * through `createEmbedder`. Registry aliases become the canonical name first, because the store
 * records `embedder.model` and compares it on every later ingest and search.
 */
export function embedderFromFlag(name: string, flags: ModelFlags): Embedder | null {
  if (name === NO_EMBEDDER) return null;
  const hashing = HashingEmbedder.fromName(name);
  if (hashing) return hashing;
  const canonical = findModel(name, 'embedder')?.name ?? name;
  return createEmbedder(canonical, modelLoadOptions(flags));
}
