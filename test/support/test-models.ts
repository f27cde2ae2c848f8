import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { modelsDirsFromEnv } from '../../src/config/env.js';
import type { BertConfig } from '../../tools/model-gen/bert.js';
import { modelGenDir, sharedDir } from '../../tools/model-gen/paths.js';
import { writeModelFolder } from '../../tools/model-gen/write-model-folder.js';

export { sharedDir };

/**
 * Tiny generated models for tests, one per kind of Hub export sift runs (shapes only, random weights):
 * - `reranker`: a cross-encoder with one logit (as cross-encoder/ms-marco-MiniLM-L-6-v2);
 * - `reranker-2logit`: a cross-encoder with two logits (softmax classes);
 * - `reranker-no-token-types`: one logit and no `token_type_ids` input (as XLM-RoBERTa bge-reranker);
 * - `embedder`: `last_hidden_state` for mean pooling (as sentence-transformers/all-MiniLM-L6-v2).
 */
export type TestModelKind = 'reranker' | 'reranker-2logit' | 'reranker-no-token-types' | 'embedder';

/**
 * Vocab 30522, bert-base-uncased's size and id layout ([CLS]=101, [SEP]=102), with the generated
 * WordPiece tokenizer of that size (tools/model-gen/wordpiece-tokenizer.ts); otherwise as small as a real
 * BERT gets. Encoder weights use std 1/sqrt(32) rather than BERT's 0.02: at 0.02 the [CLS] vector barely
 * depends on the other tokens and every pair scores the same; at 1/sqrt(32) logits of different
 * passages differ by tenths to a unit or two, enough for tests that order or compare scores.
 */
const tiny: Omit<BertConfig, 'head' | 'seed'> = {
  vocabSize: 30522,
  hiddenSize: 32,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 64,
  maxPositions: 512,
  typeVocabSize: 2,
  initStd: 1 / Math.sqrt(32),
  classifierStd: 0.5,
};

/** The config of each test model kind. */
export const TEST_MODEL_CONFIGS: Readonly<Record<TestModelKind, Omit<BertConfig, 'quantize'>>> = {
  reranker: { ...tiny, seed: 1, head: 'sequence-classification', numLabels: 1 },
  'reranker-2logit': { ...tiny, seed: 2, head: 'sequence-classification', numLabels: 2 },
  'reranker-no-token-types': {
    ...tiny,
    seed: 3,
    head: 'sequence-classification',
    numLabels: 1,
    typeVocabSize: 1,
    tokenTypeInput: false,
  },
  embedder: { ...tiny, seed: 4, head: 'feature-extraction' },
};

const pending = new Map<TestModelKind, Promise<string>>();

/**
 * The folder of a tiny generated test model in the Hub layout (`config.json`, `tokenizer.json`,
 * `onnx/model.onnx`, `onnx/model_quantized.onnx`), generated on first use (~0.5 s) and cached under
 * `os.tmpdir()/sift-test-models/<kind>-<hash>`. The hash covers the config and the generator's
 * sources, so a changed generator never serves stale files. Safe when several test processes ask at
 * once: each folder appears by an atomic rename, complete or not at all.
 *
 * @example
 * const dir = await testModelDir('reranker'); // '/tmp/sift-test-models/reranker-3f2a9c1b7d4e'
 * // load join(dir, 'onnx', 'model.onnx') -> inputs input_ids, attention_mask, token_type_ids; output logits [batch_size, 1]
 */
export function testModelDir(kind: TestModelKind): Promise<string> {
  let dir = pending.get(kind);
  if (!dir) {
    dir = generate(kind);
    pending.set(kind, dir);
  }
  return dir;
}

async function generate(kind: TestModelKind): Promise<string> {
  const model = TEST_MODEL_CONFIGS[kind];
  const hash = createHash('sha256').update(JSON.stringify(model)).update(generatorVersion()).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'sift-test-models', `${kind}-${hash}`);
  await writeModelFolder(dir, { model, ifExists: 'keep' });
  return dir;
}

/** The generator's version: a digest of its sources, so any change to them regenerates the models. */
function generatorVersion(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(modelGenDir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    hash.update(file).update(readFileSync(join(modelGenDir, file)));
  }
  return hash.digest('hex');
}

/**
 * The folder of a real downloaded model `<org>/<name>` when a model root holds its
 * `onnx/model.onnx` (roots: `SIFT_MODELS_DIR`, then `<repo>/../shared/models`), else undefined.
 * Synchronous so that tests can decide `skip` where they are declared.
 *
 * @example
 * const dir = realModelDir('Xenova', 'ms-marco-MiniLM-L-6-v2');
 * test('real cross-encoder ranks the answer first', { skip: dir ? false : 'no real model files (set SIFT_MODELS_DIR)' }, ...);
 */
export function realModelDir(org: string, name: string): string | undefined {
  const roots = [...modelsDirsFromEnv(), join(sharedDir(), 'models')];
  return roots.map((root) => resolve(root, org, name)).find((dir) => existsSync(join(dir, 'onnx', 'model.onnx')));
}
