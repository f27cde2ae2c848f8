import { existsSync } from 'node:fs';
import { BERT_TOKENIZER_CONFIG } from '../../tools/model-gen/wordpiece-tokenizer.js';
import { mkdir, symlink, writeFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelDtype } from '../../src/models/model-spec.js';
import { ONNX_FILE } from '../../src/models/model-files.js';

/** The checkout's root (bench/support/../..). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/**
 * Where the speed models live: `SIFT_BENCH_MODELS`, else `<repo>/.cache/models`, the root
 * `npm run models:random` writes. Until real weights are present, speed is measured on the
 * full-size random-weight MiniLM-L6 models: same shapes, same FLOPs, meaningless scores.
 */
export function benchModelsRoot(): string {
  return resolve(process.env.SIFT_BENCH_MODELS ?? join(repoRoot(), '.cache', 'models'));
}

/** The judge measured for speed: MiniLM-L6 cross-encoder shape (6 layers, hidden 384, FFN 1536). */
export const JUDGE_MODEL = 'sift-random/ms-marco-MiniLM-L-6-v2';
/** The scout measured for speed: all-MiniLM-L6-v2 shape. */
export const SCOUT_MODEL = 'sift-random/all-MiniLM-L6-v2';

/** The model folder, or undefined with the reason when its files are missing. */
export function modelFolder(
  name: string,
  dtypes: readonly ModelDtype[] = ['fp32', 'q8'],
): { dir: string } | { missing: string } {
  const dir = join(benchModelsRoot(), name);
  const absent = dtypes.map((d) => ONNX_FILE[d]).filter((f) => !existsSync(join(dir, f)));
  if (absent.length > 0) {
    return { missing: `${dir} has no ${absent.join(', ')}; run \`npm run models:random\` (or set SIFT_BENCH_MODELS)` };
  }
  return { dir };
}

/**
 * A copy of a model folder for transformers.js, made of symlinks to the same files plus the
 * `tokenizer_config.json` transformers.js insists on (the generated folders, like some Hub exports,
 * ship only `tokenizer.json`). Returns the root to set as `env.localModelPath`.
 */
export async function stageForTransformersJs(name: string): Promise<string> {
  const source = join(benchModelsRoot(), name);
  const root = join(repoRoot(), '.cache', 'bench', 'transformersjs-models');
  const dir = join(root, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'onnx'), { recursive: true });
  for (const file of ['config.json', 'tokenizer.json', ONNX_FILE.fp32, ONNX_FILE.q8]) {
    if (existsSync(join(source, file))) await symlink(join(source, file), join(dir, file));
  }
  if (existsSync(join(source, 'tokenizer_config.json'))) {
    await symlink(join(source, 'tokenizer_config.json'), join(dir, 'tokenizer_config.json'));
  } else {
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(BERT_TOKENIZER_CONFIG, null, 2));
  }
  return root;
}
