/**
 * Where model folders may live on this machine, and which of them hold a given model. Local roots
 * are searched in a fixed order: the `modelsDir` option (`--models-dir`), then `SIFT_MODELS_DIR`,
 * then the download cache; each root uses the Hub layout `<root>/<org>/<name>/...`.
 */
import { join, resolve } from 'node:path';
import { cacheDirFromEnv, modelsDirsFromEnv } from '../config/env.js';
import { presentDtypes } from './model-dir.js';
import type { ModelDtype, ModelSpec } from './model-spec.js';

/** A folder that may contain models, and why it is searched. */
export interface ModelRoot {
  dir: string;
  /** `option`: `modelsDir` / `--models-dir`; `env`: `SIFT_MODELS_DIR`; `cache`: the download cache. */
  kind: 'option' | 'env' | 'cache';
}

export interface ModelRootsOptions {
  /** Extra roots searched first (`--models-dir`); relative paths are taken from the working directory. */
  modelsDir?: string | readonly string[];
  /** The download cache; default `SIFT_CACHE_DIR`, else `$XDG_CACHE_HOME/sift/models`, else `~/.cache/sift/models`. */
  cacheDir?: string;
  /** Environment to read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The local roots in search order, without duplicates.
 *
 * @example
 * modelRoots({ modelsDir: '/models', env: { SIFT_MODELS_DIR: '/shared', SIFT_CACHE_DIR: '/c' } });
 * // [{ dir: '/models', kind: 'option' }, { dir: '/shared', kind: 'env' }, { dir: '/c', kind: 'cache' }]
 */
export function modelRoots(options: ModelRootsOptions = {}): ModelRoot[] {
  const env = options.env ?? process.env;
  const given =
    options.modelsDir === undefined
      ? []
      : typeof options.modelsDir === 'string'
        ? [options.modelsDir]
        : options.modelsDir;
  const roots: ModelRoot[] = [
    ...given.filter((d) => d.length > 0).map((d) => ({ dir: resolve(d), kind: 'option' as const })),
    ...modelsDirsFromEnv(env).map((d) => ({ dir: resolve(d), kind: 'env' as const })),
    { dir: resolve(options.cacheDir ?? cacheDirFromEnv(env)), kind: 'cache' as const },
  ];
  return roots.filter((r, i) => roots.findIndex((o) => o.dir === r.dir) === i);
}

/** The download cache root of these options. */
export function cacheRoot(options: ModelRootsOptions = {}): string {
  return resolve(options.cacheDir ?? cacheDirFromEnv(options.env ?? process.env));
}

/**
 * The folders under `root` that may hold a model: `<root>/<canonical name>`, each `org/name` alias,
 * then `<root>/<ONNX repository>`; for an unknown `org/name`, just `<root>/<org>/<name>`.
 */
export function candidateDirs(root: string, name: string, spec: ModelSpec | undefined): string[] {
  const names = spec ? [spec.name, ...spec.aliases.filter((a) => a.includes('/')), spec.onnxRepo] : [name];
  return [...new Set(names.map((n) => join(root, ...n.split('/'))))];
}

/** A folder on this machine holding a model, with the dtypes whose graph it has. */
export interface LocalCopy {
  dir: string;
  root: ModelRoot;
  dtypes: ModelDtype[];
}

/**
 * Every local folder holding at least one graph of the model, in search order.
 *
 * @example
 * await findLocalCopies(defaultReranker, { env: { SIFT_CACHE_DIR: '/c' } });
 * // [{ dir: '/c/Xenova/ms-marco-MiniLM-L-6-v2', root: { dir: '/c', kind: 'cache' }, dtypes: ['q8'] }]
 */
export async function findLocalCopies(spec: ModelSpec, options: ModelRootsOptions = {}): Promise<LocalCopy[]> {
  const copies: LocalCopy[] = [];
  for (const root of modelRoots(options)) {
    for (const dir of candidateDirs(root.dir, spec.name, spec)) {
      const dtypes = await presentDtypes(dir);
      if (dtypes.length > 0) copies.push({ dir, root, dtypes });
    }
  }
  return copies;
}
