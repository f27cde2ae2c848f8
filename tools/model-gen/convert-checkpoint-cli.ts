/**
 * Converts a Hugging Face BERT checkpoint folder (config.json, model.safetensors, tokenizer.json) into
 * the Hub layout sift loads (onnx/model.onnx + onnx/model_quantized.onnx), for machines that have a
 * checkpoint but cannot reach the Hub's ONNX exports.
 *
 *   npm run models:convert -- <checkpoint folder> <output folder>
 *
 * Name the output `<root>/<org>/<name>` and point SIFT_MODELS_DIR at `<root>`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { convertBertCheckpoint } from './convert-checkpoint.js';

const { positionals } = parseArgs({ allowPositionals: true });
if (positionals.length !== 2) {
  console.error('usage: npm run models:convert -- <checkpoint folder> <output folder>');
  process.exit(2);
}
try {
  const [src, dest] = positionals.map((p) => resolve(p)) as [string, string];
  const started = performance.now();
  const result = await convertBertCheckpoint(src, dest);
  const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
  console.log(`${result.dir} (${result.head}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`  onnx/model.onnx ${mb(result.sizes.fp32)}, onnx/model_quantized.onnx ${mb(result.sizes.quantized)}`);
  console.log(`  model.safetensors sha256 ${result.sha256}`);
  if (result.unused.length) console.log(`  unused checkpoint tensors: ${result.unused.join(', ')}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
