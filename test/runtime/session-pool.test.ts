import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { MAX_WORKER_RESTARTS, SessionPool } from '../../src/runtime/session-pool.js';
import { testModelDir } from '../support/test-models.js';

/** One short pair as the test reranker's feeds. */
function feeds(): Record<string, ort.Tensor> {
  const ids = [101, 7592, 102, 2088, 102];
  const tensor = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, ids.length]);
  return { input_ids: tensor(ids), attention_mask: tensor(ids.map(() => 1)), token_type_ids: tensor([0, 0, 0, 1, 1]) };
}

/**
 * The pool's live workers. A worker only dies by itself on a native or out-of-memory failure, which a
 * test cannot cause on purpose; stopping its thread from outside is the same event for the pool.
 */
function workersOf(pool: SessionPool): Worker[] {
  return (pool as unknown as { members: { worker: Worker }[] }).members.map((m) => m.worker);
}

async function untilWorkers(pool: SessionPool, count: number): Promise<void> {
  for (let i = 0; i < 600 && workersOf(pool).length !== count; i++) await sleep(50);
  assert.equal(workersOf(pool).length, count, `the pool is back to ${count} workers`);
}

async function logit(pool: SessionPool): Promise<number> {
  const out = await pool.run(feeds(), ['logits']);
  return (out.logits!.data as Float32Array)[0]!;
}

test('a pool whose workers die starts new ones and keeps serving; no call hangs', async () => {
  const file = join(await testModelDir('reranker'), 'onnx', 'model.onnx');
  const pool = await SessionPool.open(file, { intraOpNumThreads: 1 }, 2);
  try {
    const expected = await logit(pool);
    // A worker dies while calls are queued and in flight: each call settles, the pool refills.
    const calls = Array.from({ length: 6 }, () =>
      logit(pool).then(
        (v) => v,
        (err: Error) => err,
      ),
    );
    await workersOf(pool)[0]!.terminate();
    for (const result of await Promise.all(calls)) {
      if (result instanceof Error) assert.match(result.message, /session worker exited/);
      else assert.equal(result, expected);
    }
    await untilWorkers(pool, 2);
    // Every original worker gone: with no replacement the pool would have no session left.
    for (const worker of workersOf(pool)) await worker.terminate();
    await untilWorkers(pool, 2);
    assert.equal(await logit(pool), expected, 'the new workers give the same logits');
    assert.equal((await Promise.all([logit(pool), logit(pool), logit(pool)])).length, 3);
  } finally {
    await pool.release();
  }
});

test(`a pool gives up after ${MAX_WORKER_RESTARTS} restarts with no call succeeding, and says why`, async () => {
  const file = join(await testModelDir('reranker'), 'onnx', 'model.onnx');
  const pool = await SessionPool.open(file, { intraOpNumThreads: 1 }, 1);
  try {
    await logit(pool);
    for (let i = 0; i < MAX_WORKER_RESTARTS; i++) {
      await workersOf(pool)[0]!.terminate();
      await untilWorkers(pool, 1);
    }
    await workersOf(pool)[0]!.terminate();
    await assert.rejects(logit(pool), /4 workers in a row stopped with no call succeeding, the pool gave up/);
    await assert.rejects(logit(pool), /the pool gave up/, 'later calls fail with the same reason');
  } finally {
    await pool.release();
  }
});
