/**
 * int8 recipes by name, for bench/judge-int8-recipes.ts and bench/peers.bench.ts: which MatMuls stay
 * float32, 7- or 8-bit weights, and smoothing / outlier channels from sift's calibration pairs.
 */
import {
  absoluteRanges,
  calibrateChannelRanges,
  type ChannelRanges,
} from '../../src/runtime/int8/calibrate-activations.js';
import { calibrationSequences } from '../../src/runtime/int8/calibration-sequences.js';
import { recipeSmoothing } from '../../src/runtime/int8/int8-model-file.js';
import { quantizeGraph, type QuantizeGraphResult } from '../../src/runtime/int8/quantize-graph.js';
import type { QuantizeOptions } from '../../src/runtime/int8/quantize-weight.js';
import { loadTokenizer } from '../../src/tokenization/load-tokenizer.js';

/** MatMul name stems per class: Hugging Face's ONNX export, then tools/model-gen's converter. */
const CLASSES: Record<string, string[]> = {
  q: ['attention/self/query', 'attention/query'],
  k: ['attention/self/key', 'attention/key'],
  v: ['attention/self/value', 'attention/value'],
  ao: ['attention/output/dense', 'attention/output'],
  up: ['intermediate/dense', 'ffn/intermediate'],
  down: ['output/dense', 'ffn/output'],
};

/** Whether MatMul `node` is class `cls` (q, k, v, qkv, ao, up, down) of one of `layers` (all when empty). */
function isClass(node: string, cls: string, layers: string): boolean {
  const kinds = cls === 'qkv' ? ['q', 'k', 'v'] : [cls];
  const ls = layers ? [...layers] : ['0', '1', '2', '3', '4', '5'];
  return kinds.some((c) =>
    ls.some((l) => CLASSES[c]!.some((stem) => node.endsWith(`/encoder/layer.${l}/${stem}/MatMul`))),
  );
}

/**
 * A recipe's weight options and the MatMuls it leaves in float32: `r7` / `r8` (7- or 8-bit weights),
 * `<r>ffn<layers>` (FFN output projections of those layers fp32, all six when none named), or
 * `<r>-keep-<class><layers>-...` (those fp32) / `<r>-only-<class><layers>-...` (only those int8), classes
 * q, k, v, qkv, ao (attention output), up (FFN input), down (FFN output), e.g. `r8-keep-down0-qkv0`.
 */
export function recipe(name: string): { weights: QuantizeOptions; keepFloat: (node: string) => boolean } {
  const m = /^r(7|8)(?:ffn([0-5]*)|-(keep|only)((?:-(?:qkv|q|k|v|ao|up|down)[0-5]*)+))?$/.exec(name);
  if (!m) throw new Error(`unknown recipe ${name} (r7, r8, r8ffn0, r8ffn, r8-keep-down0-qkv0, r8-only-up, ...)`);
  const weights: QuantizeOptions = { type: 'int8', reduceRange: m[1] === '7' };
  if (m[2] !== undefined) {
    const layers = m[2] ?? '';
    return { weights, keepFloat: (node) => isClass(node, 'down', layers) };
  }
  if (!m[3]) return { weights, keepFloat: () => false };
  const parts = m[4]!
    .split('-')
    .filter(Boolean)
    .map((p) => /^(qkv|q|k|v|ao|up|down)([0-5]*)$/.exec(p)!);
  const listed = (node: string) => parts.some((p) => isClass(node, p[1]!, p[2]!));
  return { weights, keepFloat: m[3] === 'keep' ? listed : (node) => !listed(node) };
}

/**
 * The graph of recipe `name` (see `recipe`, plus `+sq<alpha %>` smoothing of the hidden-width inputs,
 * `+sqa` of the GELU outputs too, `c` never scaling a channel up, `o<n>` n outlier channels of each
 * GELU output in float32; or `+st` static activation ranges calibrated on sift's pairs, `+stt` on its
 * texts one by one, as the product's judge and scout recipes do), calibrated with the tokenizer at
 * `tokenizerPath`.
 */
export async function recipeGraph(name: string, fp32: Uint8Array, tokenizerPath: string): Promise<QuantizeGraphResult> {
  const st = /\+st(t?)$/.exec(name);
  const base = st ? name.slice(0, st.index) : name;
  const sq = /\+sq(a?)(c?)(\d+)(?:o(\d+))?$/.exec(base);
  const { weights, keepFloat } = recipe(sq ? base.slice(0, sq.index) : base);
  // One calibration run per kind of input: the pairs serve smoothing and `+st`, single texts `+stt`.
  const { tokenizer } = await loadTokenizer(tokenizerPath);
  const runs = new Map<'texts' | 'pairs', Promise<Map<string, ChannelRanges>>>();
  const calibrated = (kind: 'texts' | 'pairs') => {
    if (!runs.has(kind)) runs.set(kind, calibrateChannelRanges(fp32, calibrationSequences(tokenizer, kind)));
    return runs.get(kind)!;
  };
  const ranges = st ? await calibrated(st[1] ? 'texts' : 'pairs') : undefined;
  if (!sq) return quantizeGraph(fp32, weights, keepFloat, undefined, ranges);
  const alpha = Number(sq[3]) / 100;
  const minScale = sq[2] === 'c' ? { minScale: 1 } : {};
  // With outliers: the product's smoothing (`Int8Recipe.smoothing`), every input smoothed and the
  // GELU outputs split.
  if (sq[4]) {
    const smoothing = recipeSmoothing(await calibrated('pairs'), { alpha, outliers: Number(sq[4]) });
    return quantizeGraph(fp32, weights, keepFloat, { ...smoothing, ...minScale }, ranges);
  }
  const all = absoluteRanges(await calibrated('pairs'));
  // Without `a`: only inputs as wide as the hidden size (layer norm outputs, attention context), not
  // the FFN's GELU outputs, whose rarely active channels 16 pairs under-measure.
  const smoothed = sq[1] === 'a' ? all : new Map([...all].filter(([, r]) => r.length <= 384));
  return quantizeGraph(fp32, weights, keepFloat, { ranges: smoothed, alpha, ...minScale }, ranges);
}
