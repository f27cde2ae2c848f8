import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapInterval,
  pairedDifference,
  pairedRandomization,
  seededRandom,
} from '../../../src/eval/stats/index.js';

/** Brute force, written independently of the implementation: every one of the 2^n sign vectors. */
function bruteForceP(diffs: readonly number[]): number {
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0));
  let hits = 0;
  let total = 0;
  const walk = (i: number, sum: number): void => {
    if (i === diffs.length) {
      total += 1;
      if (Math.abs(sum) >= observed - 1e-12) hits += 1;
      return;
    }
    walk(i + 1, sum + diffs[i]!);
    walk(i + 1, sum - diffs[i]!);
  };
  walk(0, 0);
  return hits / total;
}

test('randomization p-values computed by hand', () => {
  // [1, 1, 1]: sums over the 8 sign vectors are 3, 1, 1, 1, -1, -1, -1, -3; |sum| >= 3 twice -> 2/8
  assert.equal(pairedRandomization([1, 1, 1]).p, 0.25);
  // [0.5, -0.25, 0.25], observed sum 0.5: |sums| are 0.5 (+++), 0.5 (-++), 1 (+-+), 0 (++-), 0 (--+),
  // 1 (-+-), 0.5 (+--), 0.5 (---): six of eight reach 0.5 -> 0.75
  assert.equal(pairedRandomization([0.5, -0.25, 0.25]).p, 0.75);
  // a zero difference moves nothing: [1, 0, 0.5] has |sum| 1.5 in 4 of 8 vectors -> 0.5
  assert.equal(pairedRandomization([1, 0, 0.5]).p, 0.5);
  // no difference at all, or no queries: nothing to test, p = 1
  assert.equal(pairedRandomization([0, 0, 0]).p, 1);
  assert.equal(pairedRandomization([]).p, 1);
  // the direction does not matter (two-sided)
  assert.equal(pairedRandomization([-1, -1, -1]).p, 0.25);
});

test('exact p equals a brute-force enumeration of all 2^n sign flips; the sampled p estimates it', () => {
  const sets = [
    [0.25, -0.5, 0.75, 0, 1, 0.25, -0.25, 0.5, 0, 0.25],
    [1, 1, 0, -1, 1, 0, 1, 1, -1, 1, 1, 0],
    [0.1, 0.2, 0.3, -0.4, 0.05, 0.6, -0.15, 0.35, 0.45, -0.05, 0.2],
  ];
  for (const diffs of sets) {
    const truth = bruteForceP(diffs);
    const exact = pairedRandomization(diffs);
    assert.equal(exact.method, 'exact');
    assert.equal(exact.assignments, 2 ** diffs.length);
    assert.ok(Math.abs(exact.p - truth) < 1e-12, `exact ${exact.p} vs brute force ${truth}`);
    const resamples = 20_000;
    const sampled = pairedRandomization(diffs, { exact: false, resamples, seed: 7 });
    assert.equal(sampled.method, 'sampled');
    // binomial standard error of the estimate; 5 SE is far beyond chance for a fixed seed
    const se = Math.sqrt((truth * (1 - truth)) / resamples);
    assert.ok(Math.abs(sampled.p - truth) <= 5 * se + 2 / resamples, `sampled ${sampled.p} vs ${truth}`);
  }
});

test('sampled tests are reproducible from their seed', () => {
  const rng = seededRandom(1);
  const diffs = Array.from({ length: 200 }, () => Math.round((rng.next() - 0.45) * 4) / 4);
  const a = pairedRandomization(diffs, { seed: 42 });
  const b = pairedRandomization(diffs, { seed: 42 });
  assert.equal(a.method, 'sampled');
  assert.deepEqual(a, b);
  assert.deepEqual(bootstrapInterval(diffs, { seed: 42 }), bootstrapInterval(diffs, { seed: 42 }));
  assert.notDeepEqual(bootstrapInterval(diffs, { seed: 42 }), bootstrapInterval(diffs, { seed: 43 }));
  // the sampled p never reports 0: (1 + hits) / (1 + resamples)
  const huge = pairedRandomization(
    Array.from({ length: 100 }, () => 1),
    { resamples: 1000 },
  );
  assert.equal(huge.p, 1 / 1001);
});

test('bootstrap intervals: hand-computed cases and a brute-force enumeration of all resamples', () => {
  // every resample of a constant has the same mean
  for (const bound of bootstrapInterval([0.2, 0.2, 0.2])) assert.ok(Math.abs(bound - 0.2) < 1e-12);
  // [0, 1]: resample means 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4 -> 2.5th percentile 0, 97.5th 1
  assert.deepEqual(bootstrapInterval([0, 1]), [0, 1]);
  assert.deepEqual(bootstrapInterval([]).map(Number.isNaN), [true, true]);
  // n = 5: all 5^5 = 3125 equally likely resamples give the exact distribution of the mean
  const values = [0, 0.25, 0.5, 1, -0.5];
  const means: number[] = [];
  for (let code = 0; code < 5 ** 5; code += 1) {
    let sum = 0;
    for (let i = 0, c = code; i < 5; i += 1, c = Math.floor(c / 5)) sum += values[c % 5]!;
    means.push(sum / 5);
  }
  const [low, high] = bootstrapInterval(values, { resamples: 20_000, seed: 3 });
  const below = (x: number) => means.filter((m) => m < x - 1e-12).length / means.length;
  const atOrBelow = (x: number) => means.filter((m) => m <= x + 1e-12).length / means.length;
  // the bounds sit where the exact distribution crosses 2.5 % and 97.5 % (sampling slack 1 %)
  assert.ok(below(low) <= 0.035 && atOrBelow(low) >= 0.015, `low ${low}: ${below(low)}, ${atOrBelow(low)}`);
  assert.ok(below(high) <= 0.985 && atOrBelow(high) >= 0.965, `high ${high}: ${below(high)}, ${atOrBelow(high)}`);
});

test('pairedDifference: means, difference, interval and p of two aligned score lists', () => {
  const d = pairedDifference([0, 1, 0.5], [1, 1, 1]);
  assert.equal(d.queries, 3);
  assert.equal(d.base, 0.5);
  assert.equal(d.other, 1);
  assert.equal(d.delta, 0.5);
  assert.equal(d.p, 0.5); // see the hand-computed [1, 0, 0.5] above
  assert.equal(d.significant, false);
  assert.ok(d.low <= d.delta && d.delta <= d.high);
  // 30 queries all improved by 1: only the all-plus and all-minus vectors reach |sum| 30
  const big = pairedDifference(new Array(30).fill(0), new Array(30).fill(1));
  assert.ok(big.p < 0.001 && big.significant);
  assert.deepEqual([big.low, big.high], [1, 1]);
});
