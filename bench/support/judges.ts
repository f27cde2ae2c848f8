import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import type { ModelDtype } from '../../src/models/model-spec.js';
import type { SessionSettings } from '../../src/runtime/onnx-session.js';
import { benchModelsRoot, JUDGE_MODEL } from './models.js';

/** The speed judge (random-weight MiniLM-L6 cross-encoder) with a dtype and session settings, offline. */
export function benchJudge(dtype: ModelDtype, session: SessionSettings = {}): CrossEncoderReranker {
  return new CrossEncoderReranker({ model: JUDGE_MODEL, modelsDir: benchModelsRoot(), offline: true, dtype, session });
}
