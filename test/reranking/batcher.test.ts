import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { isSiftError, SiftError } from '../../src/errors.js';
import type { PairScores, QueryTextPair } from '../../src/reranking/pair-scorer.js';
import { Batcher, type BatchStats } from '../../src/reranking/batcher.js';

/** A deterministic fake judge: logit = text length + query length / 1000; records each call's pairs; `delayMs` per call. */
function fakeScorer(delayMs = 5) {
  const calls: QueryTextPair[][] = [];
  const scoreQueryPairs = async (pairs: readonly QueryTextPair[]): Promise<PairScores> => {
    calls.push([...pairs]);
    await sleep(delayMs);
    if (pairs.some((p) => p.query === 'boom')) throw new SiftError('QUERY_TOO_LONG', 'the query is too long');
    const logits = Float64Array.from(pairs, (p) => p.text.length + p.query.length / 1000);
    const truncated = pairs.map(() => false);
    return {
      logits,
      scores: logits.map((l) => 1 / (1 + Math.exp(-l))),
      truncated,
      truncatedPairs: 0,
      batches: 1,
      timings: { tokenizeMs: 1, inferenceMs: 2, totalMs: 3 },
    };
  };
  return { calls, scorer: { scoreQueryPairs } };
}

const pairs = (query: string, ...texts: string[]) => texts.map((text) => ({ query, text }));

test('concurrent requests are merged into one batch and each gets its own scores in its own order', async () => {
  const { calls, scorer } = fakeScorer();
  const stats: BatchStats[] = [];
  const batcher = new Batcher({ scorer, maxWaitMs: 5, onBatch: (s) => stats.push(s) });
  const [a, b, c] = await Promise.all([
    batcher.submit(pairs('q1', 'a', 'bbb')),
    batcher.submit(pairs('q22', 'cc')),
    batcher.submit(pairs('q3', 'dddd', 'e', 'ff')),
  ]);
  assert.equal(calls.length, 1, 'one scoring call for three requests');
  assert.equal(calls[0]!.length, 6);
  assert.deepEqual([...a.logits], [1.002, 3.002]);
  assert.deepEqual([...b.logits], [2.003]);
  assert.deepEqual([...c.logits], [4.002, 1.002, 2.002]);
  assert.deepEqual(
    stats.map((s) => [s.pairs, s.requests]),
    [[6, 3]],
  );
  assert.ok(a.queueMs >= 0 && a.inferenceMs === 2);
});

test('batches hold at most maxBatchPairs; requests arriving while a batch runs form the next one', async () => {
  const { calls, scorer } = fakeScorer(20);
  const batcher = new Batcher({ scorer, maxBatchPairs: 4, maxWaitMs: 1 });
  const first = batcher.submit(pairs('q', 'a', 'b', 'c', 'd', 'e', 'f'));
  await sleep(5);
  const later = [batcher.submit(pairs('r', 'x')), batcher.submit(pairs('s', 'y', 'z'))];
  const [big, ...rest] = await Promise.all([first, ...later]);
  assert.deepEqual(
    calls.map((c) => c.length),
    [4, 4, 1],
    'the big request is split; its tail shares a batch with the later ones',
  );
  assert.equal(big.scores.length, 6);
  assert.deepEqual(
    rest.map((r) => r.scores.length),
    [1, 2],
  );
});

test('merge: false scores requests one by one', async () => {
  const { calls, scorer } = fakeScorer(2);
  const batcher = new Batcher({ scorer, merge: false });
  await Promise.all([batcher.submit(pairs('a', 'x', 'y')), batcher.submit(pairs('b', 'z'))]);
  assert.deepEqual(
    calls.map((c) => c.length),
    [2, 1],
  );
});

test('a full queue refuses with QUEUE_FULL and a Retry-After estimate; a lone large request still runs', async () => {
  const { scorer } = fakeScorer(30);
  const batcher = new Batcher({ scorer, maxQueuedPairs: 4, maxBatchPairs: 2, maxWaitMs: 0 });
  const running = batcher.submit(pairs('q', 'a', 'b'));
  await sleep(1);
  const queued = batcher.submit(pairs('q', 'c', 'd', 'e'));
  assert.equal(batcher.queuedPairs, 3);
  await assert.rejects(batcher.submit(pairs('q', 'f', 'g')), (err: unknown) => {
    assert.ok(isSiftError(err, 'QUEUE_FULL'));
    assert.ok(Number(err.details?.retryAfterSeconds) >= 1);
    assert.match(err.message, /3 pairs waiting, limit 4/);
    return true;
  });
  await Promise.all([running, queued]);
  const large = await batcher.submit(pairs('q', ...'abcdefgh'));
  assert.equal(large.scores.length, 8, 'an empty queue takes a request larger than its bound');
});

test("one request's failure does not fail the requests it was batched with", async () => {
  const { calls, scorer } = fakeScorer(1);
  const batcher = new Batcher({ scorer, maxWaitMs: 5 });
  const [ok, bad, ok2] = await Promise.allSettled([
    batcher.submit(pairs('q', 'a')),
    batcher.submit(pairs('boom', 'b')),
    batcher.submit(pairs('r', 'cc')),
  ]);
  assert.equal(ok.status, 'fulfilled');
  assert.equal(ok2.status, 'fulfilled');
  assert.equal(bad.status, 'rejected');
  assert.ok(isSiftError(bad.reason, 'QUERY_TOO_LONG'));
  assert.deepEqual(
    calls.map((c) => c.length),
    [3, 1, 1, 1],
    'the merged batch failed, then each request ran alone',
  );
});

test('a request aborted while queued is dropped; drain waits for the queue to empty', async () => {
  const { calls, scorer } = fakeScorer(20);
  const batcher = new Batcher({ scorer, maxWaitMs: 0 });
  const first = batcher.submit(pairs('q', 'a'));
  await sleep(1);
  const controller = new AbortController();
  const aborted = batcher.submit(pairs('r', 'b', 'c'), controller.signal);
  const kept = batcher.submit(pairs('s', 'd'));
  controller.abort();
  await assert.rejects(aborted, (err: unknown) => isSiftError(err, 'ABORTED'));
  await batcher.drain();
  assert.equal(batcher.queuedPairs, 0);
  assert.equal((await kept).scores.length, 1);
  await first;
  assert.deepEqual(
    calls.map((c) => c.map((p) => p.text).join('')),
    ['a', 'd'],
  );
});

test('options are checked', () => {
  const { scorer } = fakeScorer();
  assert.throws(() => new Batcher({ scorer, maxBatchPairs: 0 }), /`maxBatchPairs` must be a whole number >= 1/);
  assert.throws(() => new Batcher({ scorer, maxWaitMs: -1 }), /`maxWaitMs` must be a whole number >= 0/);
  assert.throws(() => new Batcher({ scorer, maxQueuedPairs: 1.5 }), /maxQueuedPairs/);
});
