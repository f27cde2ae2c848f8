import assert from 'node:assert/strict';
import type { OnnxEmbedder } from '../../src/embedding/onnx-embedder.js';

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

/**
 * Checks an int8 scout against the same model in fp32 on `texts`: each text's vector is the same
 * embedded alone as inside one batch of `batchSize` (static activation ranges), and its cosine to the
 * fp32 vector is above `minCosine(text)`.
 */
export async function assertInt8VectorsStable(
  int8: OnnxEmbedder,
  fp32: OnnxEmbedder,
  texts: readonly string[],
  options: { batchSize: number; minCosine: (text: string) => number },
): Promise<void> {
  const batched = await int8.embed(texts, { batchSize: options.batchSize });
  const floats = await fp32.embed(texts);
  for (let i = 0; i < texts.length; i++) {
    const [alone] = await int8.embed([texts[i]!]);
    assert.ok(dot(alone!, batched[i]!) > 1 - 1e-5, `text ${i}: alone vs batched ${dot(alone!, batched[i]!)}`);
    const cosine = dot(batched[i]!, floats[i]!);
    assert.ok(cosine > options.minCosine(texts[i]!), `text ${i}: int8 vs fp32 ${cosine}`);
  }
}
