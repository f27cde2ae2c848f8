import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ndcgAtK, precisionAtK, recallAtK, reciprocalRankAtK } from '../../../src/eval/metrics/index.js';

/** mulberry32: a tiny seeded generator, so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Brute-force references written independently from the definitions: no shared helpers, explicit
 * loops, the ideal DCG as the best DCG over all orderings of the relevant grades (exhaustive for
 * small sets), which must equal the sorted-grades shortcut the implementation takes.
 */
function refGrade(ranked: string[], q: Map<string, number>, i: number): number {
  const id = ranked[i] as string;
  if (ranked.indexOf(id) !== i) return 0;
  const g = q.get(id) ?? 0;
  return g > 0 ? g : 0;
}
function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
function refDcg(gains: number[], k: number): number {
  let s = 0;
  for (let i = 0; i < Math.min(k, gains.length); i++) s += (gains[i] as number) / Math.log2(i + 2);
  return s;
}

test('metrics equal brute-force references on 2,000 random queries (seeded)', () => {
  const rand = rng(20240605);
  const pool = Array.from({ length: 12 }, (_, i) => `d${i}`);
  for (let trial = 0; trial < 2000; trial++) {
    const q = new Map<string, number>();
    for (const d of pool) if (rand() < 0.5) q.set(d, Math.floor(rand() * 4) - 1); // grades -1..2
    const len = Math.floor(rand() * 10);
    const ranked = Array.from({ length: len }, () => pool[Math.floor(rand() * pool.length)] as string);
    const k = 1 + Math.floor(rand() * 8);
    const rel = [...q.values()].filter((g) => g > 0);
    let hits = 0;
    let firstRank = 0;
    for (let i = 0; i < Math.min(k, ranked.length); i++) {
      if (refGrade(ranked, q, i) > 0) {
        hits += 1;
        if (firstRank === 0) firstRank = i + 1;
      }
    }
    const ctx = `trial ${trial}: ranked=${ranked.join(',')} k=${k} qrels=${JSON.stringify([...q])}`;
    assert.ok(Math.abs(precisionAtK(ranked, q, k) - hits / k) < 1e-12, ctx);
    assert.ok(Math.abs(recallAtK(ranked, q, k) - (rel.length === 0 ? 0 : hits / rel.length)) < 1e-12, ctx);
    assert.ok(Math.abs(reciprocalRankAtK(ranked, q, k) - (firstRank === 0 ? 0 : 1 / firstRank)) < 1e-12, ctx);
    const gains = ranked.map((_, i) => refGrade(ranked, q, i));
    const idcg = rel.length <= 7 ? Math.max(0, ...permutations(rel).map((p) => refDcg(p, k))) : undefined;
    if (idcg === undefined) continue;
    const expected = idcg === 0 ? 0 : refDcg(gains, k) / idcg;
    const got = ndcgAtK(ranked, q, k);
    assert.ok(Math.abs(got - expected) < 1e-9, `${ctx}: nDCG ${got} vs ${expected}`);
    assert.ok(got >= 0 && got <= 1 + 1e-12, ctx);
  }
});
