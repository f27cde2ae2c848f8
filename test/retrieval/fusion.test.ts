import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FUSION, fuse, fusionLabel, parseFusionSpec, resolveFusion } from '../../src/retrieval/fusion.js';
import { reciprocalRankFusion } from '../../src/retrieval/reciprocal-rank-fusion.js';
import type { RetrievedChunk } from '../../src/retrieval/retriever.js';
import { isSiftError } from '../../src/errors.js';

const hit = (id: string, rank: number, score: number): RetrievedChunk => ({
  chunk: { id, source: `/${id}`, text: id, chunkIndex: 0, start: 0, end: 1, modifiedMs: 0 },
  rank,
  score,
});
// dense: a clearly first, b close behind; bm25: c far ahead of b.
const lists = {
  dense: [hit('a', 1, 0.9), hit('b', 2, 0.85), hit('d', 3, 0.2)],
  bm25: [hit('c', 1, 30), hit('b', 2, 10), hit('e', 3, 9)],
};
const ids = (r: RetrievedChunk[]): string[] => r.map((x) => x.chunk.id);

test('default fusion is theoretical min-max with dense weight 0.8: each list over its best score, from 0', () => {
  const fused = fuse(lists);
  // a: 0.8·0.9/0.9 = 0.8; b: 0.8·0.85/0.9 + 0.2·10/30 ≈ 0.822; d: 0.8·0.2/0.9 ≈ 0.178; c: 0.2; e: 0.2·9/30 = 0.06.
  assert.deepEqual(ids(fused), ['b', 'a', 'c', 'd', 'e']);
  assert.ok(Math.abs(fused[0]!.score - (0.8 * 0.85) / 0.9 - (0.2 * 10) / 30) < 1e-12);
  assert.ok(Math.abs(fused[1]!.score - 0.8) < 1e-12);
  assert.deepEqual(resolveFusion(), { ...DEFAULT_FUSION });
  assert.deepEqual(DEFAULT_FUSION, { method: 'tmm', alpha: 0.8, rrfK: 60 });
});

test("tmm keeps each list's own scale: unlike min-max, the weakest candidate does not become 0", () => {
  // min-max maps d (dense 0.2) to 0, level with absence; tmm keeps it at 0.2 / 0.9 of a.
  const tmm = fuse(lists, { method: 'tmm', alpha: 1 });
  assert.ok(Math.abs(tmm.find((r) => r.chunk.id === 'd')!.score - 0.2 / 0.9) < 1e-12);
  assert.equal(fuse(lists, { method: 'minmax', alpha: 1 }).find((r) => r.chunk.id === 'd')!.score, 0);
  // A score below the floor 0 (a negative cosine) counts as the floor; a list without a positive score adds nothing.
  const negative = { dense: [hit('a', 1, 0.5), hit('z', 2, -0.3)], bm25: [hit('z', 1, 2)] };
  const z = fuse(negative, { method: 'tmm', alpha: 0.5 }).find((r) => r.chunk.id === 'z')!;
  assert.ok(Math.abs(z.score - 0.5) < 1e-12);
  const flat = fuse({ dense: [hit('a', 1, -0.1)], bm25: [hit('b', 1, 0)] }, { method: 'tmm', alpha: 0.5 });
  assert.deepEqual(
    flat.map((r) => r.score),
    [0, 0],
  );
});

test('weighted RRF (k = 60, dense 0.7, BM25 0.3); alpha 0.5 is plain RRF', () => {
  const fused = fuse(lists, { method: 'rrf', alpha: 0.7 });
  // b: 0.7/62 + 0.3/62; a: 0.7/61; d: 0.7/63 (dense rank 3) now beats c: 0.3/61 (BM25 rank 1); e: 0.3/63.
  assert.deepEqual(ids(fused), ['b', 'a', 'd', 'c', 'e']);
  assert.ok(Math.abs(fused[0]!.score - 1 / 62) < 1e-12);
  assert.ok(Math.abs(fused[2]!.score - 0.7 / 63) < 1e-12);
  assert.deepEqual(ids(fuse(lists, { method: 'rrf', alpha: 0.5 })), ids(reciprocalRankFusion(lists)));
  assert.deepEqual(ids(reciprocalRankFusion(lists)), ['b', 'a', 'c', 'd', 'e']);
  assert.deepEqual(
    ids(fuse(lists, { method: 'rrf', rrfK: 20, alpha: 0.5 }, 2)),
    ids(reciprocalRankFusion(lists, { k: 20, limit: 2 })),
  );
});

test('alpha 1 keeps the dense order first, alpha 0 the BM25 order, for every method', () => {
  for (const method of ['rrf', 'minmax', 'zscore', 'tmm'] as const) {
    // (Score fusion puts a list's lowest score level with absence from it, so compare the top two.)
    assert.deepEqual(ids(fuse(lists, { method, alpha: 1 })).slice(0, 2), ['a', 'b'], method);
    assert.deepEqual(ids(fuse(lists, { method, alpha: 0 })).slice(0, 2), ['c', 'b'], method);
  }
});

test('score fusion uses the scores, not only the ranks: a big BM25 lead beats a small dense one', () => {
  // min-max: c = 0.5·1 = 0.5; b = 0.5·(0.65/0.7) + 0.5·(1/21) ≈ 0.49; a = 0.5.
  const minmax = fuse(lists, { method: 'minmax', alpha: 0.5 });
  assert.equal(minmax.length, 5);
  assert.ok(minmax[0]!.score >= minmax[1]!.score);
  assert.deepEqual(
    minmax.find((r) => r.chunk.id === 'b')!.parts!.map((p) => p.retriever),
    ['dense', 'bm25'],
  );
  // RRF ranks b (in both lists) first; min-max does not.
  assert.equal(ids(fuse(lists, { method: 'rrf', alpha: 0.5 }))[0], 'b');
  assert.notEqual(ids(minmax)[0], 'b');
});

test('fusion specs parse as sift eval takes them, and bad ones are refused by flag name', () => {
  assert.deepEqual(parseFusionSpec('rrf:20'), { method: 'rrf', alpha: 0.5, rrfK: 20 });
  assert.deepEqual(parseFusionSpec('rrf:60:0.7'), { method: 'rrf', alpha: 0.7, rrfK: 60 });
  assert.deepEqual(parseFusionSpec('zscore:0.3'), { method: 'zscore', alpha: 0.3, rrfK: 60 });
  assert.deepEqual(parseFusionSpec('tmm:0.8'), { method: 'tmm', alpha: 0.8, rrfK: 60 });
  // A spec without an alpha weighs both lists the same, whatever the default: rrf:60 stays plain RRF.
  assert.deepEqual(parseFusionSpec('rrf'), { method: 'rrf', alpha: 0.5, rrfK: 60 });
  assert.deepEqual(parseFusionSpec('minmax'), { method: 'minmax', alpha: 0.5, rrfK: 60 });
  assert.equal(fusionLabel(parseFusionSpec('rrf:60')), 'rrf:60');
  assert.equal(fusionLabel(DEFAULT_FUSION), 'tmm:0.8');
  assert.equal(fusionLabel(parseFusionSpec('rrf:60:0.7')), 'rrf:60:0.7');
  assert.equal(fusionLabel(parseFusionSpec('minmax:0.6')), 'minmax:0.6');
  assert.throws(
    () => parseFusionSpec('borda'),
    (e) => isSiftError(e, 'INVALID_OPTION') && /`fusion`/.test(e.message) && e.details?.option === 'fusion',
  );
  assert.throws(
    () => parseFusionSpec('minmax:1.5'),
    (e) => isSiftError(e, 'INVALID_OPTION') && /`alpha`/.test(e.message),
  );
});
