import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyStats, percentile } from '../../../src/eval/metrics/index.js';

test('percentile interpolates linearly between closest ranks (numpy default)', () => {
  // sorted [10, 20, 30, 40]; p50: h = 3 * 0.5 = 1.5 -> 20 + 0.5 * 10 = 25
  assert.equal(percentile([40, 10, 30, 20], 50), 25);
  // p95: h = 3 * 0.95 = 2.85 -> 30 + 0.85 * 10 = 38.5
  assert.ok(Math.abs(percentile([10, 20, 30, 40], 95) - 38.5) < 1e-9);
  // ends are the min and max; one value is every percentile
  assert.equal(percentile([10, 20, 30, 40], 0), 10);
  assert.equal(percentile([10, 20, 30, 40], 100), 40);
  assert.equal(percentile([7], 95), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('latencyStats gives p50, p95, mean and count', () => {
  // sorted [8, 9, 10, 40]: p50 h=1.5 -> 9.5; p95 h=2.85 -> 10 + 0.85*30 = 35.5; mean 67/4 = 16.75
  const s = latencyStats([10, 8, 40, 9]);
  assert.equal(s.p50, 9.5);
  assert.ok(Math.abs(s.p95 - 35.5) < 1e-9);
  assert.equal(s.mean, 16.75);
  assert.equal(s.count, 4);
  // 1..100: p50 h = 49.5 -> 50.5; p95 h = 94.05 -> 95.05
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.ok(Math.abs(latencyStats(hundred).p95 - 95.05) < 1e-9);
  assert.equal(latencyStats(hundred).p50, 50.5);
});
