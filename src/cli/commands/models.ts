/**
 * `sift models list|pull|path`: what models sift knows, which are on this machine, and fetching
 * them ahead of time (so later runs can be offline).
 */
import type { Command } from 'commander';
import { homedir } from 'node:os';
import { SiftError } from '../../errors.js';
import type { DownloadProgress } from '../../models/hub-download.js';
import { findLocalCopies, modelRoots, type LocalCopy } from '../../models/locate-model.js';
import { DEFAULT_DTYPE, MODEL_DTYPES, parseDtype } from '../../models/model-files.js';
import type { ModelDtype, ModelRole, ResolvedModel } from '../../models/model-spec.js';
import { defaultEmbedder, defaultReranker, listModels } from '../../models/registry.js';
import { resolveModel } from '../../models/resolve-model.js';
import { createProgress } from '../progress.js';
import { printJson, runCommand } from '../run-command.js';

interface ListFlags {
  role?: string;
  modelsDir: string[];
  json?: boolean;
}

interface PullFlags {
  dtype?: string;
  modelsDir?: string;
  json?: boolean;
}

interface PathFlags {
  dtype?: string;
  modelsDir: string[];
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers `sift models` and its subcommands. */
export function registerModels(program: Command): void {
  const models = program.command('models').description('list, download and locate the ONNX models sift runs');

  models
    .command('list')
    .description('known models, their sizes, and whether they are on this machine')
    .option('--role <role>', 'only rerankers or embedders: reranker | embedder')
    .option('--models-dir <dir>', 'also look in this model root (repeatable); also SIFT_MODELS_DIR', collect, [])
    .option('--json', 'print {"roots", "models": [...]} as JSON')
    .action((flags: ListFlags) => runCommand(flags, () => listCommand(flags)));

  models
    .command('pull')
    .description('download a model from the Hugging Face Hub (into the cache, or into --models-dir)')
    .argument('<name>', 'model name, alias, or any Hub ONNX repository as org/name')
    .option('--dtype <dtype>', `weights to fetch: fp32, q8 or all (default ${DEFAULT_DTYPE})`)
    .option('--models-dir <dir>', 'download into this model root instead of the cache (and look only there)')
    .option('--json', 'print {"name", "repo", "files": [...]} as JSON')
    .action((name: string, flags: PullFlags) => runCommand(flags, () => pullCommand(name, flags)));

  models
    .command('path')
    .description('print the local folder of a model (never downloads)')
    .argument('<name>', 'model name, alias, ONNX repository or folder')
    .option('--dtype <dtype>', `weights that must be present: fp32 or q8 (default ${DEFAULT_DTYPE})`)
    .option('--models-dir <dir>', 'also look in this model root (repeatable); also SIFT_MODELS_DIR', collect, [])
    .option('--json', 'print the resolved model (dir, files, dtype, source) as JSON')
    .action((name: string, flags: PathFlags) => runCommand(flags, () => pathCommand(name, flags)));
}

function parseRole(value: string | undefined): ModelRole | undefined {
  if (value === undefined) return undefined;
  if (value === 'reranker' || value === 'embedder') return value;
  throw new SiftError('INVALID_OPTION', `--role must be reranker or embedder, got "${value}"`);
}

async function listCommand(flags: ListFlags): Promise<void> {
  const role = parseRole(flags.role);
  const options = { modelsDir: flags.modelsDir };
  const roots = modelRoots(options);
  const rows = await Promise.all(
    listModels(role).map(async (spec) => ({ spec, local: await findLocalCopies(spec, options) })),
  );
  if (flags.json) {
    printJson({
      roots,
      models: rows.map(({ spec, local }) => ({
        ...spec,
        default: spec === defaultReranker || spec === defaultEmbedder,
        local: local.map((c) => ({ dir: c.dir, root: c.root.kind, dtypes: c.dtypes })),
      })),
    });
    return;
  }
  const header = ['name', 'role', 'ONNX repo', 'params', 'fp32 / q8', 'dim/labels', 'max len', 'on this machine'];
  const table = rows.map(({ spec, local }) => [
    `${spec.name}${spec === defaultReranker || spec === defaultEmbedder ? ' *' : ''}`,
    spec.role,
    spec.onnxRepo,
    `${spec.parametersM}M`,
    `${mb(spec.sizeMB.fp32)} / ${mb(spec.sizeMB.q8)}`,
    spec.role === 'embedder'
      ? `${spec.dimension ?? '?'}d ${spec.pooling ?? ''}`.trim()
      : `${spec.numLabels ?? '?'} logit${spec.numLabels === 1 ? '' : 's'}`,
    String(spec.maxLength),
    presence(local),
  ]);
  process.stdout.write(formatTable(header, table));
  process.stdout.write(
    `\n* default. Looked in: ${roots.map((r) => `${tilde(r.dir)} (${r.kind === 'option' ? '--models-dir' : r.kind === 'env' ? 'SIFT_MODELS_DIR' : 'cache'})`).join(', ')}\n` +
      'Any other Hub ONNX export in the same layout can be named as org/name.\n',
  );
}

async function pullCommand(name: string, flags: PullFlags): Promise<void> {
  const dtypes: readonly ModelDtype[] =
    flags.dtype === undefined
      ? [DEFAULT_DTYPE]
      : flags.dtype.trim().toLowerCase() === 'all'
        ? MODEL_DTYPES
        : [parseDtype(flags.dtype)];
  // With --models-dir, that folder is both where we look and where files go, so the pull lands
  // exactly there; without it, any local root counts and downloads go to the cache.
  const placement =
    flags.modelsDir === undefined
      ? {}
      : { modelsDir: flags.modelsDir, cacheDir: flags.modelsDir, env: { ...process.env, SIFT_MODELS_DIR: '' } };
  const onProgress = progressReporter(flags.json === true);
  const resolved: ResolvedModel[] = [];
  for (const dtype of dtypes) {
    resolved.push(await resolveModel(name, { ...placement, dtype, onProgress }));
  }
  const first = resolved[0]!;
  if (flags.json) {
    printJson({
      name: first.name,
      repo: first.spec?.onnxRepo ?? first.name,
      models: resolved.map((m) => ({ dtype: m.dtype, dir: m.dir, source: m.source, files: m.files })),
    });
    return;
  }
  for (const m of resolved) {
    const what = m.source === 'download' ? 'downloaded to' : 'already present in';
    process.stdout.write(`${m.name} (${m.dtype}): ${what} ${m.dir}\n`);
  }
}

async function pathCommand(name: string, flags: PathFlags): Promise<void> {
  const dtype = flags.dtype === undefined ? DEFAULT_DTYPE : parseDtype(flags.dtype);
  const model = await resolveModel(name, { modelsDir: flags.modelsDir, dtype, offline: true });
  if (flags.json) {
    const { spec: _spec, config: _config, ...rest } = model;
    printJson(rest);
  } else {
    process.stdout.write(`${model.dir}\n`);
  }
}

/** A progress bar per file on an interactive stderr; a line per finished file otherwise (not with --json). */
function progressReporter(json: boolean): (p: DownloadProgress) => void {
  const bar = createProgress({ quiet: json });
  const interactive = !json && process.stderr.isTTY === true;
  let current = '';
  return (p) => {
    if (p.file !== current) {
      bar.stop();
      current = p.file;
      bar.start(p.total ?? 0, `[${p.fileIndex}/${p.fileCount}] ${p.file}`);
    }
    if (p.total !== undefined) bar.setTotal(p.total);
    bar.update(p.loaded);
    if (p.done) {
      bar.stop();
      if (!interactive && !json) process.stderr.write(`sift: fetched ${p.file} (${(p.loaded / 1e6).toFixed(1)} MB)\n`);
    }
  };
}

function presence(local: LocalCopy[]): string {
  if (local.length === 0) return '-';
  return local.map((c) => `${c.dtypes.join('+')} ${tilde(c.dir)}`).join('; ');
}

function mb(n: number | undefined): string {
  if (n === undefined) return '?';
  return n >= 1000 ? `${(n / 1000).toFixed(2)} GB` : `${n} MB`;
}

function tilde(path: string): string {
  const home = homedir();
  return home && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
