import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { ModelSession } from '../onnx-session.js';
import { disableOrtTelemetry } from '../ort-telemetry.js';
import { FIRST_TOKEN_VERSION, firstTokenGraph } from './first-token-graph.js';

/** How far the rewritten graph's outputs may move from the original's on the check inputs. */
const TOLERANCE = 1e-4;

/**
 * Larger graphs are loaded as they are: rewriting decodes and re-encodes the whole file in memory
 * (about three times its size), and a model that big has enough layers that the last one is a small
 * share (bge-reranker-large: 24).
 */
export const FIRST_TOKEN_MAX_BYTES = 400 * 1024 * 1024;

/**
 * The file a cross-encoder should load: `path` rewritten by {@link firstTokenGraph} so its last layer
 * computes only the first token the head reads, or `path` itself when the graph does not qualify or
 * the rewrite does not give the original's outputs on a check batch (two sequences, one padded;
 * within 1e-4). Made once per source file and kept in `<cacheDir>/.sift-first-token/` (or the system
 * temp folder when the cache is read-only), keyed like sift's int8 files by the source's real path,
 * size and modification time; a graph that does not qualify leaves a `.none` marker, so it is checked once.
 *
 * @example await firstTokenModelFile('/models/Xenova/ms-marco-MiniLM-L-6-v2/onnx/model.onnx', '~/.cache/sift/models')
 * // -> '~/.cache/sift/models/.sift-first-token/9b1f0c2d7e3a4b58.onnx'
 */
export async function firstTokenModelFile(path: string, cacheDir: string): Promise<string> {
  const source = await realpath(path);
  const info = await stat(source);
  const key = createHash('sha256')
    .update(JSON.stringify([source, info.size, info.mtimeMs, FIRST_TOKEN_VERSION]))
    .digest('hex')
    .slice(0, 16);
  const roots = [join(cacheDir, '.sift-first-token'), join(tmpdir(), 'sift-first-token')];
  for (const root of roots) {
    if (await isFile(join(root, `${key}.onnx`))) return join(root, `${key}.onnx`);
    if (await isFile(join(root, `${key}.none`))) return path;
  }
  if (info.size > FIRST_TOKEN_MAX_BYTES) return path;
  const original = await readFile(source);
  const rewritten = external(original) ? undefined : firstTokenGraph(original);
  const same = rewritten !== undefined && (await sameOutputs(original, rewritten.bytes));
  const written = await writeAtomically(
    roots,
    same ? `${key}.onnx` : `${key}.none`,
    same ? rewritten.bytes : new Uint8Array(),
  );
  return same && written ? written : path;
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

/** Whether any initializer lives in an external data file (the rewritten copy could not find it). */
function external(model: Uint8Array): boolean {
  try {
    const graph = onnxProto.onnx.ModelProto.decode(model).graph;
    return (graph?.initializer ?? []).some((t) => t.dataLocation === onnxProto.onnx.TensorProto.DataLocation.EXTERNAL);
  } catch {
    return true;
  }
}

/**
 * Runs both graphs on the same batch of two token sequences (the second one padded) and compares every
 * output. Inputs are made from their names: ids, attention mask, token types, positions; a graph with
 * another input, or one that fails to run, is not the same.
 */
async function sameOutputs(original: Uint8Array, rewritten: Uint8Array): Promise<boolean> {
  disableOrtTelemetry();
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, graphOptimizationLevel: 'all' };
  let a: ort.InferenceSession | undefined;
  let b: ort.InferenceSession | undefined;
  try {
    a = await ort.InferenceSession.create(original, options);
    b = await ort.InferenceSession.create(rewritten, options);
    const feeds = checkFeeds(new ModelSession('check', a));
    if (!feeds) return false;
    const [x, y] = [await a.run(feeds), await b.run(feeds)];
    return a.outputNames.every((name) => {
      const u = x[name]?.data;
      const v = y[name]?.data;
      if (!(u instanceof Float32Array) || !(v instanceof Float32Array) || u.length !== v.length) return false;
      return u.every((value, i) => Math.abs(value - v[i]!) <= TOLERANCE * (1 + Math.abs(value)));
    });
  } catch {
    return false;
  } finally {
    await a?.release();
    await b?.release();
  }
}

function checkFeeds(session: ModelSession): Record<string, ort.Tensor> | undefined {
  const [batch, length] = [2, 12];
  const valid = (row: number, i: number): boolean => row === 0 || i < length - 3;
  const feeds: Record<string, ort.Tensor> = {};
  for (const { name, type } of session.inputs) {
    const value: ((row: number, i: number) => number) | undefined = /mask/.test(name)
      ? (row, i) => (valid(row, i) ? 1 : 0)
      : /token_type/.test(name)
        ? (_, i) => (i < length / 2 ? 0 : 1)
        : /position/.test(name)
          ? (_, i) => i
          : /ids/.test(name)
            ? (row, i) => (valid(row, i) ? 5 + ((i * 7 + row * 3) % 50) : 0)
            : undefined;
    if (!value || (type !== 'int64' && type !== 'int32')) return undefined;
    const data = Array.from({ length: batch * length }, (_, k) => value(Math.floor(k / length), k % length));
    feeds[name] =
      type === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(data, BigInt), [batch, length])
        : new ort.Tensor('int32', Int32Array.from(data), [batch, length]);
  }
  return feeds;
}

/** Writes `bytes` as `name` in the first root that takes it (atomically); its path, or undefined. */
async function writeAtomically(roots: string[], name: string, bytes: Uint8Array): Promise<string | undefined> {
  for (const root of roots) {
    const file = join(root, name);
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.incomplete`;
    try {
      await mkdir(root, { recursive: true });
      await writeFile(tmp, bytes);
      await rename(tmp, file);
      return file;
    } catch {
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }
  return undefined;
}
