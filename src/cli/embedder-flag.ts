import { embedderFromName, NO_EMBEDDER } from '../pipeline/defaults.js';
import type { Embedder } from '../embedding/embedder.js';
import { modelLoadOptions, type ModelFlags } from './model-flags.js';

export { NO_EMBEDDER };

/** Turns an `--embedder` value into an embedder (see `embedderFromName`), with the model flags applied. */
export function embedderFromFlag(name: string, flags: ModelFlags): Embedder | null {
  return embedderFromName(name, modelLoadOptions(flags));
}
