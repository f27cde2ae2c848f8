import { embedderFromName, NO_EMBEDDER } from '../pipeline/defaults.js';
import type { Embedder } from '../embedding/embedder.js';
import type { ModelDtype } from '../models/model-spec.js';
import { modelLoadOptions, type ModelFlags } from './model-flags.js';

export { NO_EMBEDDER };

/**
 * Turns an `--embedder` value into an embedder (see `embedderFromName`), with the model flags applied;
 * without `--dtype`, in `storeDtype` (the dtype of the store it will write to) when there is one.
 */
export function embedderFromFlag(name: string, flags: ModelFlags, storeDtype?: ModelDtype): Embedder | null {
  const options = modelLoadOptions(flags);
  return embedderFromName(name, {
    ...options,
    ...(options.dtype === undefined && storeDtype ? { dtype: storeDtype } : {}),
  });
}
