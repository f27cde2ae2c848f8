export {
  openSession,
  closeSession,
  expectInterface,
  ModelSession,
  type SessionSettings,
  type TensorInfo,
} from './onnx-session.js';
export { lengthSortedBatches, batchTensors, toInt64 } from './batching.js';
export { loadTextModel, type ModelLoadOptions, type TextModel } from './load-text-model.js';
export { LazyTextModel } from './lazy-text-model.js';
