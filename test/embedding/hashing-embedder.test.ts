import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { isSiftError } from '../../src/errors.js';

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

test('hashing embedder: deterministic unit vectors; shared words mean higher similarity', async () => {
  const e = new HashingEmbedder({ dimension: 256 });
  assert.equal(e.model, 'sift/hashing-256');
  assert.equal(await e.dimension(), 256);
  const [a, b, c, again, empty] = await e.embed([
    'Red apple pie',
    'apple PIE, red!',
    'blue whale song',
    'Red apple pie',
    '',
  ]);
  for (const v of [a, b, c, empty]) assert.ok(Math.abs(Math.hypot(...v!) - 1) < 1e-5);
  assert.deepEqual(a, again);
  assert.ok(Math.abs(dot(a!, b!) - 1) < 1e-5, 'same words in another order and case');
  assert.ok(dot(a!, c!) < 0.5);
});

test('hashing embedder: names, progress, bad dimension', async () => {
  assert.equal(HashingEmbedder.fromName('sift/hashing-64')?.model, 'sift/hashing-64');
  assert.equal(HashingEmbedder.fromName('sentence-transformers/all-MiniLM-L6-v2'), undefined);
  const seen: number[] = [];
  await new HashingEmbedder().embed(['a', 'b', 'c'], { batchSize: 2, onProgress: (done) => seen.push(done) });
  assert.deepEqual(seen, [2, 3]);
  assert.throws(
    () => new HashingEmbedder({ dimension: 1 }),
    (e) => isSiftError(e, 'INVALID_OPTION'),
  );
});
