/**
 * Downloads a model repository from the Hugging Face Hub (or a mirror: `HF_ENDPOINT`) into a folder
 * in the Hub layout, with the global `fetch`, so sift needs no Hub client library.
 *
 * The repository's file list is read first (`/api/models/{repo}/revision/{rev}`), so that files
 * that only some exports have are fetched exactly when present: external weights
 * (`onnx/model.onnx_data`, for graphs over protobuf's 2 GB limit) and the optional tokenizer files.
 * Each file streams to `<file>.<pid>.incomplete` and is renamed when complete, so a killed download never
 * leaves a file that looks finished; the graph is fetched last, so a folder that has its graph has
 * everything else too.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hubEndpointFromEnv, hubTokenFromEnv } from '../config/env.js';
import { SiftError } from '../errors.js';
import { fileSize } from './model-dir.js';
import { isExternalDataOf, ONNX_FILE, OPTIONAL_FILES, REQUIRED_FILES } from './model-files.js';
import type { ModelDtype } from './model-spec.js';

/** Progress of one file of a download. */
export interface DownloadProgress {
  /** Path inside the repository, e.g. `onnx/model.onnx`. */
  file: string;
  /** Bytes of this file written so far. */
  loaded: number;
  /** Size of this file, when the Hub said (listing or Content-Length). */
  total: number | undefined;
  /** 1-based position of this file among the files being fetched, and their count. */
  fileIndex: number;
  fileCount: number;
  /** True on the last event of the file (written and renamed into place). */
  done: boolean;
}

/** How to reach the Hub. Every field falls back to the environment, then to a default. */
export interface HubOptions {
  /** Hub base URL; default `HF_ENDPOINT`, else https://huggingface.co. */
  endpoint?: string;
  /** Access token for gated or private repositories; default `HF_TOKEN`. */
  token?: string;
  /** Git revision (branch, tag or commit); default `main`. */
  revision?: string;
  /** Environment to read `HF_ENDPOINT` / `HF_TOKEN` from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds without any response byte before an attempt is abandoned; default 30000. */
  timeoutMs?: number;
  /** Further attempts after a network error, a timeout, HTTP 429 or 5xx; default 4. Range 0–10. */
  retries?: number;
  /** First retry delay in ms, doubled each retry (capped at 30 s); default 1000. */
  retryDelayMs?: number;
  /** Cancels the download; the current `.incomplete` file is removed. */
  signal?: AbortSignal;
}

export interface DownloadModelOptions extends HubOptions {
  /** Graphs to fetch; default `['fp32']`. */
  dtypes?: readonly ModelDtype[];
  /** Called as bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Fetch files even when already present (repairs a damaged folder); default false. */
  force?: boolean;
}

export interface DownloadResult {
  repo: string;
  revision: string;
  /** The folder written to. */
  dir: string;
  /** Repository paths fetched now. */
  downloaded: string[];
  /** Repository paths already present and left alone. */
  skipped: string[];
  /** Bytes fetched now. */
  bytes: number;
}

/** One entry of a repository's file list. */
export interface RepoFile {
  path: string;
  size?: number;
}

interface Resolved {
  endpoint: string;
  token: string | undefined;
  revision: string;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  signal: AbortSignal | undefined;
}

function resolveHub(options: HubOptions): Resolved {
  const env = options.env ?? process.env;
  return {
    endpoint: (options.endpoint ?? hubEndpointFromEnv(env)).replace(/\/+$/, ''),
    token: options.token ?? hubTokenFromEnv(env),
    revision: options.revision ?? 'main',
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: Math.min(Math.max(options.retries ?? 4, 0), 10),
    retryDelayMs: options.retryDelayMs ?? 1000,
    signal: options.signal,
  };
}

const encodePath = (p: string): string => p.split('/').map(encodeURIComponent).join('/');

/** An HTTP answer worth retrying: rate limiting or a server-side failure. */
const retryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** Thrown inside an attempt to say "this failure may pass; try again". */
class TransientError extends Error {}

/**
 * Runs `attempt` with an idle timeout, retrying transient failures with exponential backoff.
 * `attempt` receives a signal that aborts on timeout or caller abort, and a `touch()` to call
 * whenever bytes arrive (resetting the idle timer).
 */
async function withRetries<T>(
  hub: Resolved,
  what: string,
  attempt: (signal: AbortSignal, touch: () => void) => Promise<T>,
): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i <= hub.retries; i++) {
    if (i > 0) await sleep(Math.min(hub.retryDelayMs * 2 ** (i - 1), 30_000), hub.signal);
    if (hub.signal?.aborted) throw new SiftError('ABORTED', `${what}: aborted`);
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort();
    hub.signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const touch = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => ctl.abort(new TransientError(`no data for ${hub.timeoutMs} ms`)), hub.timeoutMs);
    };
    touch();
    try {
      return await attempt(ctl.signal, touch);
    } catch (err) {
      if (hub.signal?.aborted) throw new SiftError('ABORTED', `${what}: aborted`, { cause: err });
      if (err instanceof SiftError) throw err;
      // Anything else is a network-level failure (refused, reset, timed out, cut short): retry.
      lastError = ctl.signal.aborted && ctl.signal.reason instanceof Error ? ctl.signal.reason : err;
    } finally {
      clearTimeout(timer);
      hub.signal?.removeEventListener('abort', onAbort);
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new SiftError('DOWNLOAD_FAILED', `${what} failed after ${hub.retries + 1} attempts: ${reason}`, {
    cause: lastError,
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** Turns a non-OK, non-retryable answer into the error users can act on. */
function httpError(status: number, repo: string, hub: Resolved, file?: string): SiftError {
  const target = file ? `${file} of ${repo}` : repo;
  const details = { status, repo, revision: hub.revision, endpoint: hub.endpoint, ...(file ? { file } : {}) };
  if (status === 401 || status === 403) {
    const fix = hub.token
      ? 'the token in HF_TOKEN has no access to it; accept the model terms on the Hub or use another token'
      : 'it may be gated or private; set HF_TOKEN to a Hugging Face access token';
    return new SiftError('DOWNLOAD_FAILED', `the Hub refused access to ${target} (HTTP ${status}): ${fix}`, {
      details,
    });
  }
  if (status === 404) {
    const msg = file
      ? `the Hub has no ${file} in ${repo} at revision ${hub.revision} (HTTP 404)`
      : `the Hub has no repository ${repo} at revision ${hub.revision} (HTTP 404); check the name`;
    return new SiftError('DOWNLOAD_FAILED', msg, { details });
  }
  return new SiftError('DOWNLOAD_FAILED', `the Hub answered HTTP ${status} for ${target}`, { details });
}

function headers(hub: Resolved): Record<string, string> {
  return hub.token ? { authorization: `Bearer ${hub.token}` } : {};
}

/**
 * Lists the files of a Hub repository at a revision.
 *
 * @example
 * (await listRepoFiles('Xenova/ms-marco-MiniLM-L-6-v2')).map((f) => f.path);
 * // ['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'tokenizer.json', ...]
 */
export async function listRepoFiles(repo: string, options: HubOptions = {}): Promise<RepoFile[]> {
  const hub = resolveHub(options);
  // blobs=true makes the Hub include each file's size, so progress can show totals up front.
  const url = `${hub.endpoint}/api/models/${encodePath(repo)}/revision/${encodeURIComponent(hub.revision)}?blobs=true`;
  const body = await withRetries(hub, `listing ${repo} on ${hub.endpoint}`, async (signal) => {
    const res = await fetch(url, { headers: headers(hub), signal });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      if (retryableStatus(res.status)) throw new TransientError(`HTTP ${res.status}`);
      throw httpError(res.status, repo, hub);
    }
    return await res.json();
  });
  const siblings = (body as { siblings?: unknown } | null)?.siblings;
  if (!Array.isArray(siblings)) {
    throw new SiftError('DOWNLOAD_FAILED', `the Hub's answer for ${repo} has no file list (siblings)`, {
      details: { repo, endpoint: hub.endpoint },
    });
  }
  return siblings.flatMap((s: unknown) => {
    const entry = s as { rfilename?: unknown; size?: unknown };
    if (typeof entry.rfilename !== 'string') return [];
    return [typeof entry.size === 'number' ? { path: entry.rfilename, size: entry.size } : { path: entry.rfilename }];
  });
}

/**
 * Chooses what to fetch from a repository listing: config and tokenizer files, then external
 * weights, then each requested graph. Throws when the repository lacks something sift needs.
 */
export function planDownload(repo: string, files: readonly RepoFile[], dtypes: readonly ModelDtype[]): RepoFile[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const required of REQUIRED_FILES) {
    if (!byPath.has(required)) {
      throw new SiftError(
        'MODEL_INVALID',
        `Hub repository ${repo} has no ${required}; sift needs config.json, tokenizer.json and onnx/model.onnx` +
          ' (the layout of Transformers.js exports such as Xenova/... or onnx-community/...)',
        { details: { repo, missing: required } },
      );
    }
  }
  const plan: RepoFile[] = [...REQUIRED_FILES, ...OPTIONAL_FILES].flatMap((p) => byPath.get(p) ?? []);
  const graphs: RepoFile[] = [];
  for (const dtype of dtypes) {
    const graph = byPath.get(ONNX_FILE[dtype]);
    if (!graph) {
      const onnx = files.map((f) => f.path).filter((p) => p.endsWith('.onnx'));
      const fix =
        onnx.length === 0
          ? 'it is not an ONNX export; look for its Xenova/... or onnx-community/...-ONNX conversion'
          : `it has ${onnx.join(', ')}` +
            (dtypes.length === 1 && byPath.has(ONNX_FILE[dtype === 'q8' ? 'fp32' : 'q8'])
              ? `; use \`dtype\` ${dtype === 'q8' ? 'fp32' : 'q8'}`
              : '');
      throw new SiftError('MODEL_NOT_FOUND', `Hub repository ${repo} has no ${ONNX_FILE[dtype]} (${fix})`, {
        details: { repo, missing: ONNX_FILE[dtype], onnxFiles: onnx },
      });
    }
    plan.push(...files.filter((f) => isExternalDataOf(f.path, graph.path)));
    graphs.push(graph);
  }
  return [...plan, ...graphs];
}

/**
 * Downloads the files sift needs from a Hub repository into `dir` (the Hub layout), skipping files
 * already there unless `force`.
 *
 * @example
 * await downloadModel('Xenova/ms-marco-MiniLM-L-6-v2', '/cache/Xenova/ms-marco-MiniLM-L-6-v2', {
 *   dtypes: ['q8'],
 *   onProgress: (p) => console.error(p.file, p.loaded, p.total),
 * });
 * // { downloaded: ['config.json', 'tokenizer.json', ..., 'onnx/model_quantized.onnx'], ... }
 */
export async function downloadModel(
  repo: string,
  dir: string,
  options: DownloadModelOptions = {},
): Promise<DownloadResult> {
  const hub = resolveHub(options);
  const plan = planDownload(repo, await listRepoFiles(repo, options), options.dtypes ?? ['fp32']);
  const result: DownloadResult = { repo, revision: hub.revision, dir, downloaded: [], skipped: [], bytes: 0 };
  for (const [i, file] of plan.entries()) {
    const dest = join(dir, file.path);
    const have = await fileSize(dest);
    if (!options.force && have !== undefined && (file.size === undefined || file.size === have)) {
      result.skipped.push(file.path);
      continue;
    }
    result.bytes += await downloadFile(hub, repo, file, dest, (loaded, total, done) =>
      options.onProgress?.({ file: file.path, loaded, total, fileIndex: i + 1, fileCount: plan.length, done }),
    );
    result.downloaded.push(file.path);
  }
  return result;
}

async function downloadFile(
  hub: Resolved,
  repo: string,
  file: RepoFile,
  dest: string,
  report: (done: number, total: number | undefined, finished: boolean) => void,
): Promise<number> {
  const url = `${hub.endpoint}/${encodePath(repo)}/resolve/${encodeURIComponent(hub.revision)}/${encodePath(file.path)}`;
  // Per-process name: two sift processes fetching the same file never write into one another's
  // partial file; whichever finishes last renames an identical complete file into place.
  const partial = `${dest}.${process.pid}.incomplete`;
  await mkdir(dirname(dest), { recursive: true });
  return withRetries(hub, `downloading ${file.path} of ${repo}`, async (signal, touch) => {
    const res = await fetch(url, { headers: headers(hub), signal });
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      if (retryableStatus(res.status)) throw new TransientError(`HTTP ${res.status}`);
      throw httpError(res.status, repo, hub, file.path);
    }
    const lengthHeader = res.headers.get('content-length');
    // With a content-encoding the header counts compressed bytes, not what we write.
    const expected = lengthHeader !== null && !res.headers.get('content-encoding') ? Number(lengthHeader) : undefined;
    const total = expected ?? file.size;
    let done = 0;
    const fh = await open(partial, 'w');
    try {
      report(0, total, false);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        await fh.write(chunk);
        done += chunk.byteLength;
        report(done, total, false);
      }
      await fh.close();
      if (expected !== undefined && done !== expected) {
        throw new TransientError(`got ${done} of ${expected} bytes`);
      }
      await rename(partial, dest);
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(partial, { force: true });
      throw err;
    }
    report(done, total ?? done, true);
    return done;
  });
}
