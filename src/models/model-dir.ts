/**
 * Reading one model folder: which dtypes it holds, and whether it is usable. This checks files only
 * (config.json is a JSON object, tokenizer.json exists, the graph is non-empty); a truncated or
 * corrupt graph, or one with unexpected inputs, is caught when the runtime opens it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SiftError } from '../errors.js';
import { isExternalDataOf, MODEL_DTYPES, ONNX_FILE } from './model-files.js';
import type { ModelDtype, ResolvedModel } from './model-spec.js';

/** Size of a regular file in bytes, or undefined when it does not exist or is not a file. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

/** True when `path` is an existing directory. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The dtypes whose graph is present and non-empty in `dir` (none when `dir` does not exist).
 *
 * @example
 * await presentDtypes('/models/Xenova/ms-marco-MiniLM-L-6-v2'); // ['fp32', 'q8']
 */
export async function presentDtypes(dir: string): Promise<ModelDtype[]> {
  const present: ModelDtype[] = [];
  for (const dtype of MODEL_DTYPES) {
    const size = await fileSize(join(dir, ONNX_FILE[dtype]));
    if (size !== undefined && size > 0) present.push(dtype);
  }
  return present;
}

/**
 * Checks that `dir` is a usable model for `dtype` and reads its config, or throws MODEL_INVALID
 * naming the file at fault and the fix.
 *
 * @example
 * const { files, config } = await readModelDir('/models/Xenova/ms-marco-MiniLM-L-6-v2', 'fp32');
 * files.onnx; // '/models/Xenova/ms-marco-MiniLM-L-6-v2/onnx/model.onnx'
 */
export async function readModelDir(
  dir: string,
  dtype: ModelDtype,
  fix = 'provide the Hub layout (config.json, tokenizer.json, onnx/model.onnx)',
): Promise<Pick<ResolvedModel, 'files' | 'config'>> {
  const invalid = (file: string, problem: string, cause?: unknown): SiftError =>
    new SiftError('MODEL_INVALID', `model folder ${dir} ${problem}; ${fix}`, {
      cause,
      details: { dir, file: join(dir, file), dtype },
    });

  const configPath = join(dir, 'config.json');
  let raw: string;
  try {
    raw = await readFile(configPath, 'utf8');
  } catch (err) {
    throw invalid('config.json', 'has no config.json', err);
  }
  let config: unknown;
  try {
    config = JSON.parse(raw);
  } catch (err) {
    throw invalid('config.json', `has a config.json that is not valid JSON (${(err as Error).message})`, err);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw invalid('config.json', 'has a config.json that is not a JSON object');
  }

  const tokenizerPath = join(dir, 'tokenizer.json');
  if ((await fileSize(tokenizerPath)) === undefined) {
    throw invalid('tokenizer.json', 'has no tokenizer.json (the fast-tokenizer file; vocab.txt alone is not enough)');
  }

  const onnxRel = ONNX_FILE[dtype];
  const onnxPath = join(dir, onnxRel);
  const size = await fileSize(onnxPath);
  if (size === undefined) {
    const other = MODEL_DTYPES.find((d) => ONNX_FILE[d] !== onnxRel);
    const hint =
      other !== undefined && ((await fileSize(join(dir, ONNX_FILE[other]))) ?? 0) > 0
        ? ` (it has ${ONNX_FILE[other]}; use \`dtype\` ${other})`
        : '';
    throw invalid(onnxRel, `has no ${onnxRel}${hint}`);
  }
  if (size === 0) throw invalid(onnxRel, `has an empty ${onnxRel}`);

  return {
    files: {
      config: configPath,
      tokenizer: tokenizerPath,
      onnx: onnxPath,
      externalData: await externalDataFiles(dir, onnxRel),
    },
    config: config as Record<string, unknown>,
  };
}

async function externalDataFiles(dir: string, onnxRel: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(dir, 'onnx'));
  } catch {
    return [];
  }
  return names
    .map((n) => `onnx/${n}`)
    .filter((rel) => isExternalDataOf(rel, onnxRel) && !rel.endsWith('.incomplete'))
    .sort()
    .map((rel) => join(dir, rel));
}
