/**
 * The models sift knows by name: a declarative table (name, aliases, role, ONNX repository, shape,
 * size), so adding a model is adding an entry, not code. Any other Hub repository in the same
 * layout can still be used by its `org/name`; the registry only adds defaults and friendly names.
 *
 * Facts were checked against the Hub pages of each ONNX repository (file lists and sizes of
 * `onnx/model.onnx` and `onnx/model_quantized.onnx`) and the original models' `config.json` /
 * `sentence_bert_config.json` / model cards, as stored on 2025 crawls. Sizes are the Hub's rounded
 * MB; `maxLength` is what the model was trained for (sentence-transformers' `max_seq_length` for
 * embedders, not the 512 position limit of the architecture).
 */
import type { ModelDtype, ModelRole, ModelSpec } from './model-spec.js';

const BGE_QUERY_INSTRUCTION = 'Represent this sentence for searching relevant passages: ';

/** Every known model. Rerankers first, then embedders; the first of each role is its default. */
export const MODELS: readonly ModelSpec[] = [
  // --- rerankers (cross-encoders): one logit per pair, score = sigmoid(logit) ---------------------
  {
    name: 'cross-encoder/ms-marco-MiniLM-L-6-v2',
    // The cross-encoder org later renamed the repo without the hyphen; both spellings are in use.
    aliases: ['ms-marco-MiniLM-L-6-v2', 'cross-encoder/ms-marco-MiniLM-L6-v2', 'ms-marco-MiniLM-L6-v2'],
    role: 'reranker',
    onnxRepo: 'Xenova/ms-marco-MiniLM-L-6-v2',
    architecture: 'bert',
    maxLength: 512,
    numLabels: 1,
    parametersM: 22.7,
    sizeMB: { fp32: 91, q8: 23 },
    description: 'MS MARCO cross-encoder, 6 layers: the default judge, good speed/quality balance.',
    // sift's int8 (the judge's recipe) where 8-bit weights are safe: ranks like fp32, ~2x faster (defaultJudgeDtype).
    defaultDtype: 'int8',
  },
  {
    name: 'cross-encoder/ms-marco-MiniLM-L-12-v2',
    aliases: ['ms-marco-MiniLM-L-12-v2', 'cross-encoder/ms-marco-MiniLM-L12-v2', 'ms-marco-MiniLM-L12-v2'],
    role: 'reranker',
    onnxRepo: 'Xenova/ms-marco-MiniLM-L-12-v2',
    architecture: 'bert',
    maxLength: 512,
    numLabels: 1,
    parametersM: 33.4,
    sizeMB: { fp32: 134, q8: 34 },
    description: 'MS MARCO cross-encoder, 12 layers: a little better than L-6, about twice as slow.',
  },
  {
    name: 'cross-encoder/ms-marco-TinyBERT-L-2-v2',
    aliases: ['ms-marco-TinyBERT-L-2-v2', 'cross-encoder/ms-marco-TinyBERT-L2-v2', 'ms-marco-TinyBERT-L2-v2'],
    role: 'reranker',
    onnxRepo: 'Xenova/ms-marco-TinyBERT-L-2-v2',
    architecture: 'bert',
    maxLength: 512,
    numLabels: 1,
    parametersM: 4.4,
    sizeMB: { fp32: 17.6, q8: 4.5 },
    description: 'MS MARCO TinyBERT, 2 layers: the fastest judge, noticeably weaker.',
  },
  {
    name: 'BAAI/bge-reranker-base',
    aliases: ['bge-reranker-base'],
    role: 'reranker',
    onnxRepo: 'Xenova/bge-reranker-base',
    architecture: 'xlm-roberta',
    maxLength: 512,
    numLabels: 1,
    parametersM: 278,
    sizeMB: { fp32: 1110, q8: 279 },
    description: 'BGE reranker base (XLM-RoBERTa): English and Chinese, stronger and slower than MiniLM.',
  },
  {
    name: 'BAAI/bge-reranker-large',
    aliases: ['bge-reranker-large'],
    role: 'reranker',
    // fp32 is a 618 kB graph plus onnx/model.onnx_data (2.24 GB): over protobuf's 2 GB limit.
    onnxRepo: 'Xenova/bge-reranker-large',
    architecture: 'xlm-roberta',
    maxLength: 512,
    numLabels: 1,
    parametersM: 560,
    sizeMB: { fp32: 2240, q8: 563 },
    description: 'BGE reranker large (XLM-RoBERTa large): high quality, slow on CPU.',
  },
  {
    name: 'BAAI/bge-reranker-v2-m3',
    aliases: ['bge-reranker-v2-m3'],
    role: 'reranker',
    // The repository is confirmed (Transformers.js v3 conversion); its exact file sizes were not in
    // the sources checked, so sizes are those of other exports of the same 568M-parameter weights
    // (fp32 as external data, about 2.27 GB; int8 about 571 MB).
    onnxRepo: 'onnx-community/bge-reranker-v2-m3-ONNX',
    architecture: 'xlm-roberta',
    maxLength: 8192,
    numLabels: 1,
    parametersM: 568,
    sizeMB: { fp32: 2270, q8: 571 },
    description: 'BGE reranker v2 M3: multilingual, long inputs (8k tokens), large and slow on CPU.',
  },
  {
    name: 'mixedbread-ai/mxbai-rerank-xsmall-v1',
    aliases: ['mxbai-rerank-xsmall-v1'],
    role: 'reranker',
    // Mixedbread ships the ONNX export in the model repository itself.
    onnxRepo: 'mixedbread-ai/mxbai-rerank-xsmall-v1',
    architecture: 'deberta-v2',
    maxLength: 512,
    numLabels: 1,
    parametersM: 71,
    sizeMB: { fp32: 284, q8: 87.2 },
    description: 'Mixedbread rerank xsmall (DeBERTa-v3): English, strong for its size.',
  },
  {
    name: 'jinaai/jina-reranker-v1-turbo-en',
    aliases: ['jina-reranker-v1-turbo-en'],
    role: 'reranker',
    // JinaBERT (ALiBi positions) ships its ONNX export in the model repository itself.
    onnxRepo: 'jinaai/jina-reranker-v1-turbo-en',
    architecture: 'bert',
    maxLength: 8192,
    numLabels: 1,
    parametersM: 37.8,
    sizeMB: { fp32: 151, q8: 38.3 },
    description: 'Jina reranker v1 turbo: English, 6 layers, long inputs (8k tokens).',
  },

  // --- embedders (bi-encoders): vectors are pooled, then L2-normalised ----------------------------
  {
    name: 'sentence-transformers/all-MiniLM-L6-v2',
    aliases: ['all-MiniLM-L6-v2'],
    role: 'embedder',
    onnxRepo: 'Xenova/all-MiniLM-L6-v2',
    architecture: 'bert',
    maxLength: 256,
    dimension: 384,
    pooling: 'mean',
    parametersM: 22.7,
    sizeMB: { fp32: 90.4, q8: 23 },
    description: 'General-purpose English sentence embeddings: the default scout, small and fast.',
    // int8 (the scout's static recipe) ranks like fp32 through `sift eval` on five sets, ~2x faster (bench/RESULTS.md).
    defaultDtype: 'int8',
  },
  {
    name: 'sentence-transformers/all-MiniLM-L12-v2',
    aliases: ['all-MiniLM-L12-v2'],
    role: 'embedder',
    onnxRepo: 'Xenova/all-MiniLM-L12-v2',
    architecture: 'bert',
    // sentence_bert_config.json sets max_seq_length 128 for L12 (256 for L6).
    maxLength: 128,
    dimension: 384,
    pooling: 'mean',
    parametersM: 33.4,
    sizeMB: { fp32: 133, q8: 34 },
    description: 'All-MiniLM with 12 layers: slightly better than L6, about twice as slow.',
  },
  {
    name: 'BAAI/bge-small-en-v1.5',
    aliases: ['bge-small-en-v1.5'],
    role: 'embedder',
    onnxRepo: 'Xenova/bge-small-en-v1.5',
    architecture: 'bert',
    maxLength: 512,
    dimension: 384,
    pooling: 'cls',
    queryPrefix: BGE_QUERY_INSTRUCTION,
    parametersM: 33.4,
    sizeMB: { fp32: 133, q8: 34 },
    description: 'BGE small English v1.5: strong retrieval for its size; queries carry an instruction.',
  },
  {
    name: 'BAAI/bge-base-en-v1.5',
    aliases: ['bge-base-en-v1.5'],
    role: 'embedder',
    onnxRepo: 'Xenova/bge-base-en-v1.5',
    architecture: 'bert',
    maxLength: 512,
    dimension: 768,
    pooling: 'cls',
    queryPrefix: BGE_QUERY_INSTRUCTION,
    parametersM: 109,
    sizeMB: { fp32: 436, q8: 110 },
    description: 'BGE base English v1.5: better retrieval than small, four times the compute.',
  },
  {
    name: 'intfloat/e5-small-v2',
    aliases: ['e5-small-v2'],
    role: 'embedder',
    onnxRepo: 'Xenova/e5-small-v2',
    architecture: 'bert',
    maxLength: 512,
    dimension: 384,
    pooling: 'mean',
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    parametersM: 33.4,
    sizeMB: { fp32: 133, q8: 34 },
    description: 'E5 small v2: English retrieval embeddings with query/passage prefixes.',
  },
  {
    name: 'intfloat/e5-base-v2',
    aliases: ['e5-base-v2'],
    role: 'embedder',
    onnxRepo: 'Xenova/e5-base-v2',
    architecture: 'bert',
    maxLength: 512,
    dimension: 768,
    pooling: 'mean',
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    parametersM: 109,
    sizeMB: { fp32: 436, q8: 110 },
    description: 'E5 base v2: English retrieval embeddings with query/passage prefixes.',
  },
];

function byName(name: string): ModelSpec {
  const spec = MODELS.find((m) => m.name === name);
  if (!spec) throw new Error(`registry has no ${name}`);
  return spec;
}

/** The default judge: `cross-encoder/ms-marco-MiniLM-L-6-v2`. */
export const defaultReranker: ModelSpec = byName('cross-encoder/ms-marco-MiniLM-L-6-v2');

/** The default scout: `sentence-transformers/all-MiniLM-L6-v2`. */
export const defaultEmbedder: ModelSpec = byName('sentence-transformers/all-MiniLM-L6-v2');

/** Every name a spec answers to: canonical, aliases, ONNX repository. */
export function namesOf(spec: ModelSpec): string[] {
  return [spec.name, ...spec.aliases, spec.onnxRepo];
}

/**
 * Finds a known model by its canonical name, an alias, its short name or its ONNX repository,
 * ignoring case. With `role`, a model of that role wins when a name is shared.
 *
 * @example
 * findModel('xenova/ms-marco-minilm-l-6-v2')?.name; // 'cross-encoder/ms-marco-MiniLM-L-6-v2'
 * findModel('bge-small-en-v1.5')?.dimension; // 384
 * findModel('someone/unknown'); // undefined
 */
export function findModel(name: string, role?: ModelRole): ModelSpec | undefined {
  const key = name.trim().toLowerCase();
  const matches = MODELS.filter((m) => namesOf(m).some((n) => n.toLowerCase() === key));
  return (role && matches.find((m) => m.role === role)) || matches[0];
}

/**
 * The dtype sift loads for `model` in `role` when the caller names none: the registry's measured
 * `defaultDtype` (int8 only where measured to rank like fp32), or fp32 for unmeasured models and where
 * the CPU cannot run the measured int8 recipe (`int8Safe` false: 8-bit weights would saturate).
 * `defaultScoutDtype` and `defaultJudgeDtype` are this with the CPU check filled in.
 *
 * @example measuredDefaultDtype('all-MiniLM-L6-v2', 'embedder', true); // 'int8'
 */
export function measuredDefaultDtype(model: string, role: ModelRole, int8Safe: boolean): ModelDtype {
  const measured = findModel(model, role)?.defaultDtype ?? 'fp32';
  return measured === 'int8' && !int8Safe ? 'fp32' : measured;
}

/**
 * Known models, optionally of one role, in registry order (defaults first).
 *
 * @example
 * listModels('embedder').map((m) => m.name)[0]; // 'sentence-transformers/all-MiniLM-L6-v2'
 */
export function listModels(role?: ModelRole): ModelSpec[] {
  return MODELS.filter((m) => role === undefined || m.role === role);
}
