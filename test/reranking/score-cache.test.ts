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

test('a cross-encoder with a cache judges each pair once and returns the same scores', async () => {
  const { CrossEncoderReranker } = await import('../../src/reranking/cross-encoder.js');
  const { testModelDir } = await import('../support/test-models.js');
  const model = await testModelDir('reranker');
  const cache = new ScoreCache();
  const plain = new CrossEncoderReranker({ model });
  const cached = new CrossEncoderReranker({ model, scoreCache: cache });
  const query = 'How many people live in Berlin?';
  const texts = ['Berlin had 3,520,031 inhabitants.', 'Berlin is known for museums.', 'Paris', 'x '.repeat(2000)];
  try {
    const expected = await plain.scorePairs(query, texts);
    const first = await cached.scorePairs(query, texts);
    assert.deepEqual(cache.stats(), { entries: 4, hits: 0, misses: 4 });
    const again = await cached.scorePairs(query, texts);
    assert.equal(again.batches, 0, 'no inference for cached pairs');
    for (const r of [first, again]) {
      r.logits.forEach((l, i) => assert.ok(Math.abs(l - expected.logits[i]!) < 1e-5, `pair ${i}`));
      assert.deepEqual(r.truncated, expected.truncated);
      assert.equal(r.truncatedPairs, expected.truncatedPairs);
    }
    // A mix: cached pairs come from the cache, new ones are judged, all in input order.
    const mixed = await cached.scorePairs(query, ['new passage about Berlin', texts[1]!]);
    assert.equal(mixed.batches, 1);
    assert.ok(Math.abs(mixed.logits[1]! - expected.logits[1]!) < 1e-5);
    // Another maximum length is another key: truncation may change the score.
    await cached.scorePairs(query, texts.slice(0, 1), { maxLength: 16 });
    assert.equal(cache.size, 6);
    const ranked = await cached.rerank(query, texts, { topK: 2 });
    const order = [...expected.logits.keys()].sort((a, b) => expected.logits[b]! - expected.logits[a]! || a - b);
    assert.deepEqual(
      ranked.results.map((r) => r.index),
      order.slice(0, 2),
    );
  } finally {
    await plain.close();
    await cached.close();
  }
});
