/** The models layer: the registry of known models, and name -> local folder -> Hub download. */
export type { ModelDtype, ModelRole, ModelSpec, Pooling, ResolvedModel } from './model-spec.js';
export { DEFAULT_DTYPE, MODEL_DTYPES, ONNX_FILE, parseDtype } from './model-files.js';
export { MODELS, defaultEmbedder, defaultReranker, findModel, listModels } from './registry.js';
export { resolveModel, type ResolveModelOptions } from './resolve-model.js';
export { findLocalCopies, modelRoots, type LocalCopy, type ModelRoot, type ModelRootsOptions } from './locate-model.js';
export {
  downloadModel,
  listRepoFiles,
  type DownloadModelOptions,
  type DownloadProgress,
  type DownloadResult,
  type HubOptions,
} from './hub-download.js';
export { readModelDir, presentDtypes } from './model-dir.js';
