/**
 * Model name -> files on disk. The order is fixed so that results never depend on the network when
 * the files are at hand:
 *   1. `name` is an existing folder: use it as is;
 *   2. a local root (`modelsDir`, `SIFT_MODELS_DIR`, the cache) has it in the Hub layout;
 *   3. otherwise download the ONNX export from the Hub into the cache, unless offline.
 * Unknown names shaped like `org/name` are tried on the Hub as they are, so any ONNX export in the
 * Transformers.js layout works without a registry entry.
 */
import { join, resolve } from 'node:path';
import { offlineFromEnv } from '../config/env.js';
import { isSiftError, SiftError } from '../errors.js';
import { downloadModel, type DownloadProgress, type HubOptions } from './hub-download.js';
import { candidateDirs, cacheRoot, modelRoots, type ModelRootsOptions } from './locate-model.js';
import { isDirectory, presentDtypes, readModelDir } from './model-dir.js';
import { DEFAULT_DTYPE, ONNX_FILE } from './model-files.js';
import type { ModelDtype, ModelRole, ResolvedModel } from './model-spec.js';
import { findModel, listModels } from './registry.js';

export interface ResolveModelOptions extends ModelRootsOptions, HubOptions {
  /** The role the caller needs; a known model of another role is refused. */
  role?: ModelRole;
  /** Weights to use; default fp32 (see `DEFAULT_DTYPE`). */
  dtype?: ModelDtype;
  /** Never download; default `SIFT_OFFLINE` / `HF_HUB_OFFLINE`. */
  offline?: boolean;
  /** Download progress, per file. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** An `org/name` Hub repository id (no path separators beyond the one slash, no `..`). */
const looksLikeRepo = (name: string): boolean => /^[\w.-]+\/[\w.-]+$/.test(name) && !name.split('/').includes('..');

/**
 * Finds (or downloads) the files of a model.
 *
 * @example
 * const model = await resolveModel('ms-marco-MiniLM-L-6-v2', { role: 'reranker', dtype: 'q8' });
 * model.name; // 'cross-encoder/ms-marco-MiniLM-L-6-v2'
 * model.files.onnx; // '~/.cache/sift/models/Xenova/ms-marco-MiniLM-L-6-v2/onnx/model_quantized.onnx'
 * model.source; // 'cache' (or 'download' the first time)
 */
export async function resolveModel(name: string, options: ResolveModelOptions = {}): Promise<ResolvedModel> {
  const dtype = options.dtype ?? DEFAULT_DTYPE;
  const wanted = name.trim();
  if (wanted.length === 0) throw new SiftError('INVALID_OPTION', 'a model name is required');

  // 1. A folder path. When its last two segments name a known model of the right role (a Hub
  // layout folder such as `models/Xenova/e5-small-v2`), the registry entry still applies, so
  // prefixes, pooling and max length are not lost by pointing at the files directly.
  if (await isDirectory(wanted)) {
    const dir = resolve(wanted);
    const { files, config } = await readModelDir(dir, dtype);
    const known = findModel(dir.split(/[\\/]/).slice(-2).join('/'), options.role);
    const spec = known && (!options.role || known.role === options.role) ? known : undefined;
    return { name: spec?.name ?? dir, spec, dir, dtype, files, config, source: 'local' };
  }

  const spec = findModel(wanted, options.role);
  if (spec && options.role && spec.role !== options.role) {
    throw new SiftError('INVALID_OPTION', `${spec.name} is ${article(spec.role)}, not ${article(options.role)}`, {
      details: { model: spec.name, role: spec.role, wanted: options.role },
    });
  }
  if (!spec && !looksLikeRepo(wanted)) {
    const known = listModels(options.role).map((m) => m.name);
    throw new SiftError(
      'UNKNOWN_MODEL',
      `unknown model "${wanted}": not a folder, not a known model, and not a Hub repository name (org/name).\n` +
        `Known ${options.role ?? 'model'}s: ${known.join(', ')} (see \`sift models list\`).`,
      { details: { name: wanted, known } },
    );
  }

  const displayName = spec?.name ?? wanted;
  const repo = spec?.onnxRepo ?? wanted;
  const offline = options.offline ?? offlineFromEnv(options.env ?? process.env);
  const looked: string[] = [];
  const hints: string[] = [];
  let repair = false;

  // 2. Local roots, in order.
  for (const root of modelRoots(options)) {
    for (const dir of candidateDirs(root.dir, wanted, spec)) {
      looked.push(dir);
      const dtypes = await presentDtypes(dir);
      // int8 is made from the fp32 graph, so a folder serves every dtype whose file it has.
      if (dtypes.some((d) => ONNX_FILE[d] === ONNX_FILE[dtype])) {
        try {
          const { files, config } = await readModelDir(dir, dtype, fixFor(displayName));
          return {
            name: displayName,
            spec,
            dir,
            dtype,
            files,
            config,
            source: root.kind === 'cache' ? 'cache' : 'local',
          };
        } catch (err) {
          // A damaged cache folder is ours to repair; a user's folder is reported, not overwritten.
          if (root.kind === 'cache' && !offline && isSiftError(err, 'MODEL_INVALID')) {
            repair = true;
            continue;
          }
          throw err;
        }
      }
      const other = dtypes[0];
      if (other !== undefined) {
        hints.push(`${dir} has ${ONNX_FILE[other]} but no ${ONNX_FILE[dtype]}; use \`dtype\` ${other}`);
      }
    }
  }

  const whereLooked =
    `\nLooked in:\n${looked.map((d) => `  - ${d}`).join('\n')}` +
    (hints.length > 0 ? `\n${hints.map((h) => `Note: ${h}`).join('\n')}` : '') +
    `\nTo provide it: ${fixFor(displayName)}.`;
  const details = { name: displayName, repo, dtype, looked, hints };

  // 3. The Hub.
  if (offline) {
    throw new SiftError(
      'MODEL_NOT_FOUND',
      `${displayName} (${dtype}) is not on this machine, and offline mode (\`offline\`, SIFT_OFFLINE or HF_HUB_OFFLINE) forbids downloading it.${whereLooked}`,
      { details: { ...details, offline: true } },
    );
  }
  const dir = join(cacheRoot(options), ...repo.split('/'));
  try {
    await downloadModel(repo, dir, {
      ...options,
      revision: spec?.revision ?? options.revision,
      dtypes: [dtype],
      force: repair,
    });
  } catch (err) {
    if (!isSiftError(err)) throw err;
    const notOnHub = err.details?.status === 404 && err.details.file === undefined;
    const code = notOnHub && !spec ? 'UNKNOWN_MODEL' : err.code;
    const lead =
      notOnHub && !spec
        ? `unknown model "${wanted}": not a folder, not a known model, and ${err.message.replace(/^sift: /, '')}`
        : err.message;
    throw new SiftError(code, `${lead}${whereLooked}`, { cause: err, details: { ...details, ...err.details } });
  }
  const { files, config } = await readModelDir(dir, dtype, fixFor(displayName));
  return { name: displayName, spec, dir, dtype, files, config, source: 'download' };
}

function fixFor(name: string): string {
  return `run \`sift models pull ${name}\`, set SIFT_MODELS_DIR=<root with ORG/NAME/onnx/model.onnx>, or pass \`modelsDir\``;
}

function article(role: ModelRole): string {
  return role === 'embedder' ? 'an embedder' : 'a reranker';
}
