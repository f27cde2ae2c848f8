import type { Command } from 'commander';
import type { ModelDtype } from '../models/model-spec.js';
import { parseDtype } from '../models/model-files.js';
import type { ModelLoadOptions } from '../runtime/load-text-model.js';
import { createProgress } from './progress.js';
import { parsePositiveInt } from './run-command.js';

/** The flags every command that runs a model shares. */
export interface ModelFlags {
  dtype?: string;
  modelsDir?: string;
  offline?: boolean;
  threads?: string;
  json?: boolean;
}

/** Adds `--dtype`, `--models-dir`, `--offline`, `--threads` to a command. */
export function addModelFlags(command: Command): Command {
  return command
    .option(
      '--dtype <dtype>',
      "model weights: fp32, q8 (the repository's int8 file) or int8 (sift quantizes the fp32 file once; ~2x faster). Scout default: the store's dtype; for a new store int8 for all-MiniLM-L6-v2 where the CPU has VNNI (or is not x86; measured to rank like fp32), else fp32. Judge default: int8 (the judge's measured recipe) for ms-marco-MiniLM-L-6-v2 where the CPU has VNNI (or is not x86; measured to rank like fp32), else fp32",
    )
    .option(
      '--models-dir <dir>',
      'local model root in the Hub layout (<dir>/<org>/<name>/onnx/model.onnx); also SIFT_MODELS_DIR',
    )
    .option('--offline', 'never download models (also SIFT_OFFLINE=1)')
    .option('--threads <n>', 'inference threads (default: one per core; also SIFT_THREADS)');
}

/** Turns the shared flags into model load options, with a download progress bar on stderr. */
export function modelLoadOptions(flags: ModelFlags): ModelLoadOptions {
  const dtype: ModelDtype | undefined = flags.dtype === undefined ? undefined : parseDtype(flags.dtype);
  const progress = createProgress({ quiet: flags.json === true });
  let current = '';
  return {
    ...(dtype !== undefined ? { dtype } : {}),
    ...(flags.modelsDir !== undefined ? { modelsDir: flags.modelsDir } : {}),
    ...(flags.offline ? { offline: true } : {}),
    ...(flags.threads !== undefined ? { session: { threads: parsePositiveInt('--threads', flags.threads, 1) } } : {}),
    onDownloadProgress: (p) => {
      if (p.file !== current) {
        progress.stop();
        current = p.file;
        progress.start(p.total ?? 0, `downloading ${p.file}`);
      }
      progress.update(p.loaded);
      if (p.done) progress.stop();
    },
  };
}
