import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScoreCache } from '../../src/reranking/score-cache.js';

const v = (logit: number) => ({ logit, score: 1 / (1 + Math.exp(-logit)), truncated: false });

test('keys separate models, queries and passages, and stay short for long passages', () => {
  const a = ScoreCache.key('m/fp32/512', 'q', 'passage');
  assert.equal(a, ScoreCache.key('m/fp32/512', 'q', 'passage'));
  assert.notEqual(a, ScoreCache.key('m/q8/512', 'q', 'passage'));
  assert.notEqual(a, ScoreCache.key('m/fp32/512', 'q2', 'passage'));
  assert.notEqual(a, ScoreCache.key('m/fp32/512', 'q', 'passage2'));
  // The separator keeps (query, passage) boundaries: "ab"+"c" is not "a"+"bc".
  assert.notEqual(ScoreCache.key('m', 'ab', 'c'), ScoreCache.key('m', 'a', 'bc'));
  assert.ok(ScoreCache.key('m', 'q', 'x'.repeat(100_000)).length < 40);
});

test('evicts the least recently used entry, and a hit counts as a use', () => {
  const cache = new ScoreCache({ maxEntries: 2 });
  cache.set('a', v(1));
  cache.set('b', v(2));
  assert.equal(cache.get('a')?.logit, 1); // a is now the most recent
  cache.set('c', v(3)); // evicts b
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a')?.logit, 1);
  assert.equal(cache.get('c')?.logit, 3);
  assert.equal(cache.size, 2);
  assert.deepEqual(cache.stats(), { entries: 2, hits: 3, misses: 1 });
  cache.set('a', v(10)); // overwrite keeps one entry
  assert.equal(cache.size, 2);
  assert.equal(cache.get('a')?.logit, 10);
  cache.clear();
  assert.deepEqual(cache.stats(), { entries: 0, hits: 0, misses: 0 });
});

test('rejects a size that is not a whole number >= 1', () => {
  assert.throws(() => new ScoreCache({ maxEntries: 0 }), /maxEntries/);
  assert.throws(() => new ScoreCache({ maxEntries: 1.5 }), /maxEntries/);
});
