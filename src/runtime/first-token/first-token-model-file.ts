import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { EncodedSequence } from '../../tokenization/pair-encoder.js';
import { batchTensors } from '../batching.js';
import { derivedSlot, findDerived, writeDerived } from '../derived-file.js';
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
 * computes only the first token the head reads, or `path` itself when the graph does not qualify (or
 * is over {@link FIRST_TOKEN_MAX_BYTES}) or the rewrite does not give the original's outputs on a
 * check batch (two pairs, one padded; within 1e-4). Made once per source file and kept like sift's
 * int8 files (`derived-file.ts`: `<cacheDir>/.sift-first-token/`, or the system temp folder when the
 * cache is read-only); a graph that does not qualify leaves a `.none` marker, so it is checked once.
 *
 * @example await firstTokenModelFile('/models/Xenova/ms-marco-MiniLM-L-6-v2/onnx/model.onnx', '~/.cache/sift/models')
 * // -> '~/.cache/sift/models/.sift-first-token/9b1f0c2d7e3a4b58.onnx'
 */
export async function firstTokenModelFile(path: string, cacheDir: string): Promise<string> {
  const slot = await derivedSlot(path, cacheDir, 'first-token', [FIRST_TOKEN_VERSION]);
  if (slot.size > FIRST_TOKEN_MAX_BYTES) return path;
  const cached = await findDerived(slot, `${slot.key}.onnx`);
  if (cached) return cached;
  if (await findDerived(slot, `${slot.key}.none`)) return path;
  const original = await readFile(slot.source);
  const rewritten = firstTokenGraph(original);
  const same = rewritten !== undefined && (await sameOutputs(original, rewritten.bytes));
  try {
    const written = await writeDerived(
      slot,
      `${slot.key}.${same ? 'onnx' : 'none'}`,
      same ? rewritten.bytes : new Uint8Array(),
    );
    return same ? written : path;
  } catch {
    return path; // no writable cache: load the graph as it is, and check again next time
  }
}

/** Two pairs of token ids, the second one shorter (padded in the batch), for the check run. */
const CHECK_PAIRS: EncodedSequence[] = [12, 9].map((length) => ({
  ids: Array.from({ length }, (_, i) => 5 + ((i * 7 + length) % 50)),
  typeIds: Array.from({ length }, (_, i) => (i < length / 2 ? 0 : 1)),
  truncated: false,
}));

/**
 * Runs both graphs on the same padded batch of two pairs, fed as the judge feeds them
 * (`batchTensors`), and compares every output; a graph that fails to run is not the same.
 */
async function sameOutputs(original: Uint8Array, rewritten: Uint8Array): Promise<boolean> {
  disableOrtTelemetry();
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, graphOptimizationLevel: 'all' };
  let a: ort.InferenceSession | undefined;
  let b: ort.InferenceSession | undefined;
  try {
    a = await ort.InferenceSession.create(original, options);
    b = await ort.InferenceSession.create(rewritten, options);
    const feeds = batchTensors(new ModelSession('check', a), CHECK_PAIRS, 0);
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
