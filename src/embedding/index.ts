export type { Embedder, EmbedKind, EmbedOptions } from './embedder.js';
export {
  OnnxEmbedder,
  DEFAULT_EMBED_BATCH_SIZE,
  defaultScoutDtype,
  type OnnxEmbedderOptions,
} from './onnx-embedder.js';
export { HashingEmbedder } from './hashing-embedder.js';
export { normalize, poolAndNormalize } from './pooling.js';
