import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIFT_INT8_RECIPE, type Int8Recipe } from './int8-recipe.js';
import { quantizeGraph, SIFT_INT8_VERSION } from './quantize-graph.js';

/**
 * The int8 file sift derives from a float32 ONNX model (see {@link quantizeGraph}), made on first use
 * by `recipe` (default sift's general {@link SIFT_INT8_RECIPE}; the scout passes its own) and kept in
 * `<cacheDir>/.sift-int8/` (or the system temp folder when the cache is read-only), keyed by the
 * source's real path, size and modification time, the recipe and sift's int8 version. Later loads open the
 * cached file directly. Written atomically: a concurrent loader sees the whole file or none.
 *
 * @example await int8ModelFile('/models/Xenova/ms-marco-MiniLM-L-6-v2/onnx/model.onnx', '~/.cache/sift/models')
 * // -> '~/.cache/sift/models/.sift-int8/3f2a9c1b7d4e5a61.onnx'
 */
export async function int8ModelFile(
  fp32Path: string,
  cacheDir: string,
  recipe: Int8Recipe = SIFT_INT8_RECIPE,
): Promise<string> {
  const source = await realpath(fp32Path);
  const info = await stat(source);
  const key = createHash('sha256')
    .update(JSON.stringify([source, info.size, info.mtimeMs, SIFT_INT8_VERSION, recipe]))
    .digest('hex')
    .slice(0, 16);
  for (const root of [join(cacheDir, '.sift-int8'), join(tmpdir(), 'sift-int8')]) {
    const file = join(root, `${key}.onnx`);
    if ((await stat(file).catch(() => undefined))?.isFile()) return file;
  }
  const keep = new Set(recipe.keepFloat);
  const { bytes } = quantizeGraph(await readFile(source), recipe.weights, (matMul) => keep.has(matMul));
  let lastError: unknown;
  for (const root of [join(cacheDir, '.sift-int8'), join(tmpdir(), 'sift-int8')]) {
    const file = join(root, `${key}.onnx`);
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.incomplete`;
    try {
      await mkdir(root, { recursive: true });
      await writeFile(tmp, bytes);
      await rename(tmp, file);
      return file;
    } catch (err) {
      lastError = err;
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }
  throw lastError;
}
