/**
 * The shape of an entry in the model registry, and of a model once its files are found on disk.
 * The registry itself lives in `registry.ts`; resolution of names to folders in `resolve-model.ts`.
 */

/** What a model is for. */
export type ModelRole = 'reranker' | 'embedder';

/** Weight precision: full fp32, or int8 dynamically quantized (`onnx/model_quantized.onnx`). */
export type ModelDtype = 'fp32' | 'q8' | 'int8';

/** How token vectors become one sentence vector (embedders). */
export type Pooling = 'mean' | 'cls';

/** A known model: the names people use, and where its ONNX export lives. */
export interface ModelSpec {
  /** The canonical name users type, e.g. `cross-encoder/ms-marco-MiniLM-L-6-v2`. */
  name: string;
  /** Other accepted names (short forms, the ONNX repository name). */
  aliases: string[];
  role: ModelRole;
  /** The Hub repository holding the ONNX export, e.g. `Xenova/ms-marco-MiniLM-L-6-v2`. */
  onnxRepo: string;
  /** Git revision on the Hub; default `main`. */
  revision?: string;
  /** Transformer family; decides the pair template when tokenizer.json lacks one. */
  architecture: 'bert' | 'xlm-roberta' | 'roberta' | 'electra' | 'deberta-v2' | 'modernbert';
  /** Maximum tokens per input the model was trained for (pairs for rerankers). */
  maxLength: number;
  /** Output vector size (embedders). */
  dimension?: number;
  /** Logits per pair (rerankers): 1 (sigmoid) or 2 (softmax, positive class). */
  numLabels?: number;
  /** Sentence pooling (embedders). */
  pooling?: Pooling;
  /** Prepended to queries before embedding (e5: `query: `, bge: an instruction). */
  queryPrefix?: string;
  /** Prepended to passages before embedding (e5: `passage: `). */
  passagePrefix?: string;
  /** Parameter count in millions. */
  parametersM: number;
  /** Approximate download size in MB per dtype. */
  sizeMB: Partial<Record<ModelDtype, number>>;
  /** One line for `sift models list`. */
  description: string;
  /**
   * The dtype sift loads when the caller names none, where it measured one against fp32 on real data
   * (default fp32). all-MiniLM-L6-v2: int8 with the scout's static recipe, where 8-bit weights are
   * safe (`defaultScoutDtype`); ms-marco-MiniLM-L-6-v2: int8 with the judge's recipe, likewise
   * (`defaultJudgeDtype`).
   */
  defaultDtype?: ModelDtype;
}

/** A model whose files were found on disk, ready for the runtime. */
export interface ResolvedModel {
  /** The name asked for, after alias resolution (canonical name, or the folder path for ad-hoc folders). */
  name: string;
  /** The registry entry when the model is a known one. */
  spec: ModelSpec | undefined;
  /** The model folder (`<root>/<org>/<name>`). */
  dir: string;
  dtype: ModelDtype;
  /** Absolute paths of the files the runtime needs. */
  files: {
    config: string;
    tokenizer: string;
    /** The ONNX graph for the chosen dtype. */
    onnx: string;
    /**
     * External-data files beside the graph (`onnx/model.onnx_data`, ...), present for exports over
     * the 2 GB protobuf limit; onnxruntime finds them by the relative name stored in the graph.
     */
    externalData?: string[];
  };
  /** Parsed `config.json`. */
  config: Record<string, unknown>;
  /** Where the files came from. */
  source: 'local' | 'cache' | 'download';
}
