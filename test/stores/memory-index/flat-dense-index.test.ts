import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlatDenseIndex } from '../../../src/stores/memory-index/flat-dense-index.js';
import { prng, type Rng } from '../../reliability/prng.js';

/** Unit vectors around a few topic centroids, so neighbours are meaningfully nearer than the rest. */
function clustered(rng: Rng, count: number, dim: number, topics: number): Float32Array {
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Array.from({ length: topics }, () => Float32Array.from({ length: dim }, gauss));
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const c = centres[rng.int(0, topics - 1)]!;
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = c[j]! + 1.2 * gauss();
      out[i * dim + j] = v;
      norm += v * v;
    }
    for (let j = 0; j < dim; j++) out[i * dim + j]! /= Math.sqrt(norm);
  }
  return out;
}

/** The reference: every row scored in float64, best first (ties by id). */
function bruteForce(
  ids: readonly string[],
  matrix: Float32Array,
  dim: number,
  q: Float32Array,
  k: number,
): { id: string; score: number }[] {
  return ids
    .map((id, r) => {
      let s = 0;
      for (let j = 0; j < dim; j++) s += matrix[r * dim + j]! * q[j]!;
      return { id, score: s };
    })
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, k);
}

const row = (m: Float32Array, dim: number, r: number): Float32Array => m.slice(r * dim, (r + 1) * dim);

test('flat dense index: the int8 pass plus fp32 re-score returns the exact top k on random stores (property, 12 seeds)', async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const rng = prng(seed);
    const dim = rng.pick([16, 64, 384]);
    const n = rng.int(1, 3000);
    const k = rng.int(1, 30);
    const matrix = clustered(rng, n, dim, rng.int(1, 40));
    const ids = Array.from({ length: n }, (_, i) => `c${i}`);
    const index = await FlatDenseIndex.create(dim, { rescore: 100 });
    // Written in uneven batches, as ingestion writes them.
    for (let i = 0; i < n;) {
      const m = Math.min(n - i, rng.int(1, 700));
      index.upsert(ids.slice(i, i + m), matrix.subarray(i * dim, (i + m) * dim));
      i += m;
    }
    assert.equal(index.size, n);
    for (let qi = 0; qi < 5; qi++) {
      const q = row(clustered(rng, 1, dim, 40), dim, 0);
      const got = index.search(q, k);
      const want = bruteForce(ids, matrix, dim, q, k);
      const wantIds = new Set(want.map((h) => h.id));
      const recall = got.filter((h) => wantIds.has(h.id)).length / want.length;
      assert.ok(recall >= 0.95, `seed ${seed}: recall@${k} ${recall} at n=${n}, dim=${dim}`);
      // Scores are exact fp32 cosines of the returned rows, sorted best first.
      for (const h of got)
        assert.ok(
          Math.abs(h.score - bruteForce([h.id], row(matrix, dim, Number(h.id.slice(1))), dim, q, 1)[0]!.score) < 1e-5,
        );
      for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]!.score >= got[i]!.score);
    }
  }
});

test('flat dense index: the true nearest row is found even when one vector stretches the int8 range', async () => {
  const dim = 64;
  const rng = prng(7);
  const matrix = clustered(rng, 2000, dim, 10);
  const ids = Array.from({ length: 2000 }, (_, i) => `c${i}`);
  const index = await FlatDenseIndex.create(dim, { rescore: 50 });
  index.upsert(ids, matrix);
  // A one-hot vector has the largest possible component: the matrix is re-quantised, not clipped.
  const spike = new Float32Array(dim);
  spike[3] = 1;
  index.upsert(['spike'], spike);
  assert.deepEqual(
    index.search(spike, 1).map((h) => h.id),
    ['spike'],
  );
  for (let r = 0; r < 2000; r += 397) assert.equal(index.search(row(matrix, dim, r), 1)[0]!.id, `c${r}`);
});

test('flat dense index: upsert overwrites by id, remove frees slots, and search sees both at once', async () => {
  const dim = 16;
  const rng = prng(3);
  const matrix = clustered(rng, 500, dim, 5);
  const ids = Array.from({ length: 500 }, (_, i) => `c${i}`);
  const index = await FlatDenseIndex.create(dim, { rescore: 20 });
  index.upsert(ids, matrix);
  // c10 now holds c20's vector: both are the best match for it.
  index.upsert(['c10'], row(matrix, dim, 20));
  assert.equal(index.size, 500);
  assert.deepEqual(new Set(index.search(row(matrix, dim, 20), 2).map((h) => h.id)), new Set(['c10', 'c20']));
  // Removing every even row leaves exactly the odd ones, each still its own nearest neighbour.
  assert.equal(index.remove(ids.filter((_, i) => i % 2 === 0)), 250);
  assert.equal(index.remove(['c0', 'unknown']), 0);
  assert.equal(index.size, 250);
  assert.ok(index.ids().every((id) => Number(id.slice(1)) % 2 === 1));
  for (let r = 1; r < 500; r += 50) assert.equal(index.search(row(matrix, dim, r), 1)[0]!.id, `c${r}`);
  assert.deepEqual(index.stats(), { chunks: 250, dimension: dim, bytes: index.stats().bytes });
  assert.ok(index.stats().bytes >= 250 * dim * 5);
});

test('flat dense index: k beyond the size returns every row; an empty index and k 0 return nothing; wrong dimensions are refused', async () => {
  const index = await FlatDenseIndex.create(8);
  assert.deepEqual(index.search(new Float32Array(8), 5), []);
  const m = clustered(prng(1), 3, 8, 1);
  index.upsert(['a', 'b', 'c'], m);
  assert.equal(index.search(row(m, 8, 0), 10).length, 3);
  assert.deepEqual(index.search(row(m, 8, 0), 0), []);
  assert.throws(() => index.search(new Float32Array(4), 1), /dimension 4/);
  await assert.rejects(FlatDenseIndex.create(0), /dimension/);
  await assert.rejects(FlatDenseIndex.create(8, { rescore: 0 }), /rescore/);
});

const recallAgainst = (truth: readonly { id: string }[], got: readonly { id: string }[]): number => {
  const want = new Set(truth.map((t) => t.id));
  return got.filter((g) => want.has(g.id)).length / truth.length;
};

test('flat dense index: past graphMinRows an HNSW graph is built in the background and then answers with exact scores and high recall', async () => {
  const dim = 32;
  const rng = prng(7);
  const n = 3000;
  const matrix = clustered(rng, n, dim, 12);
  const ids = Array.from({ length: n }, (_, i) => `c${i}`);
  const index = await FlatDenseIndex.create(dim, { rescore: 50, graphMinRows: 1000 });
  index.upsert(ids.slice(0, 900), matrix.subarray(0, 900 * dim));
  assert.equal(index.stats().graph, undefined, 'no graph below graphMinRows');
  index.upsert(ids.slice(900), matrix.subarray(900 * dim));
  // The build has started; until it is complete the exact scan answers.
  assert.equal(index.stats().graph?.state, 'building');
  const q = row(matrix, dim, 5);
  assert.deepEqual(
    index.search(q, 10).map((h) => h.id),
    bruteForce(ids, matrix, dim, q, 10).map((h) => h.id),
  );
  await index.graphReady();
  assert.deepEqual(index.stats().graph, { state: 'ready', rows: n });
  let recall = 0;
  let selfFirst = 0;
  for (let r = 0; r < 100; r++) {
    const query = row(matrix, dim, r * 29);
    const hits = index.search(query, 10);
    const truth = bruteForce(ids, matrix, dim, query, 10);
    recall += recallAgainst(truth, hits) / 100;
    // Scores are the exact fp32 ones, best first.
    for (const h of hits) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += matrix[Number(h.id.slice(1)) * dim + j]! * query[j]!;
      assert.ok(Math.abs(h.score - s) < 1e-5);
    }
    if (hits[0]!.id === `c${r * 29}`) selfFirst++;
  }
  assert.ok(recall >= 0.98, `graph recall@10 ${recall}`);
  // An approximate graph (built on several threads, so not the same graph every run) may miss a row's
  // own vector now and then; one run in CI returned another row first for 1 of 100 queries.
  assert.ok(selfFirst >= 98, `a stored row's own vector ranks first for ${selfFirst} of 100 queries`);
  await index.dispose();
});

test('flat dense index: the graph follows removals, overwrites and new rows (never returns a removed id, finds new ones)', async () => {
  const dim = 24;
  const rng = prng(11);
  const n = 2400;
  const matrix = clustered(rng, n + 1500, dim, 8);
  const ids = Array.from({ length: n + 1500 }, (_, i) => `c${i}`);
  const index = await FlatDenseIndex.create(dim, { rescore: 40, graphMinRows: 1000 });
  index.upsert(ids.slice(0, n), matrix.subarray(0, n * dim));
  // Changes while the graph is being built are caught by its next pass.
  index.remove(ids.slice(0, 100));
  await index.graphReady();
  assert.deepEqual(index.stats().graph, { state: 'ready', rows: n - 100 });
  // After it is complete: a few new rows go in at once, removals leave it, an overwrite moves a row.
  index.upsert(ids.slice(n, n + 50), matrix.subarray(n * dim, (n + 50) * dim));
  assert.deepEqual(index.stats().graph, { state: 'ready', rows: n - 100 + 50 });
  index.remove(ids.slice(100, 200));
  index.upsert(['c300'], row(matrix, dim, n + 60));
  for (let r = 0; r < 200; r += 7)
    assert.ok(
      index.search(row(matrix, dim, r), 10).every((h) => Number(h.id.slice(1)) >= 200),
      `removed row returned for query ${r}`,
    );
  for (let r = n; r < n + 50; r += 5) assert.equal(index.search(row(matrix, dim, r), 1)[0]!.id, `c${r}`);
  const overwritten = index.search(row(matrix, dim, n + 60), 1)[0]!;
  assert.equal(overwritten.id, 'c300');
  assert.ok(overwritten.score > 0.9999);
  // Many new rows at once (more than 1,024): a background pass adds them while the scan answers.
  index.upsert(ids.slice(n + 50), matrix.subarray((n + 50) * dim));
  assert.equal(index.stats().graph?.state, 'building');
  await index.graphReady();
  assert.equal(index.stats().graph?.state, 'ready');
  assert.equal(index.stats().graph?.rows, index.size);
  for (let r = n + 100; r < n + 1500; r += 70) assert.equal(index.search(row(matrix, dim, r), 1)[0]!.id, `c${r}`);
  await index.dispose();
});
