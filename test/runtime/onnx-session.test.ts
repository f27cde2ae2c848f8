import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { physicalCores } from '../../src/runtime/cpu-cores.js';
import {
  closeSession,
  MAX_SESSION_WORKERS,
  openSession,
  POOL_MAX_MODEL_BYTES,
  runConcurrently,
  sessionLayout,
  type ModelSession,
} from '../../src/runtime/onnx-session.js';
import { batchTensors } from '../../src/runtime/batching.js';
import { expectSiftError } from '../support/expect-sift-error.js';
import { testModelDir } from '../support/test-models.js';

const SMALL = 20 * 1024 * 1024;

test('sessionLayout: one single-threaded worker per thread for small graphs, capped; one in-process session for big ones', () => {
  assert.deepEqual(sessionLayout({ threads: undefined, workers: undefined }, SMALL, 2), { workers: 2, threadsEach: 1 });
  assert.deepEqual(sessionLayout({ threads: 1, workers: undefined }, SMALL, 8), { workers: 1, threadsEach: 1 });
  assert.deepEqual(sessionLayout({ threads: 16, workers: undefined }, SMALL, 2), {
    workers: MAX_SESSION_WORKERS,
    threadsEach: 16 / MAX_SESSION_WORKERS,
  });
  assert.deepEqual(
    sessionLayout({ threads: undefined, workers: undefined }, POOL_MAX_MODEL_BYTES + 1, 8),
    { workers: 1, threadsEach: undefined },
    "a big graph keeps one copy and onnxruntime's own thread count",
  );
  assert.deepEqual(sessionLayout({ threads: 4, workers: 1 }, SMALL, 8), { workers: 1, threadsEach: 4 });
  assert.deepEqual(sessionLayout({ threads: 3, workers: 2 }, SMALL, 8), { workers: 2, threadsEach: 1 });
  assert.deepEqual(sessionLayout({ threads: 1, workers: 3 }, SMALL, 8), { workers: 3, threadsEach: 1 });
});

test('physicalCores counts cores once per hyper-thread pair, and falls back where /proc/cpuinfo says nothing', () => {
  const cpu = (physical: number, core: number, n: number) =>
    `processor\t: ${n}\nphysical id\t: ${physical}\ncore id\t\t: ${core}\nflags\t\t: fpu\n`;
  assert.equal(
    physicalCores([cpu(0, 0, 0), cpu(0, 0, 1), cpu(0, 1, 2), cpu(0, 1, 3)].join('\n')),
    Math.min(2, physicalCores('')),
  );
  assert.ok(physicalCores('') >= 1);
  assert.ok(physicalCores() >= 1);
});

/** Three pairs of different lengths through `session`, one batch each, all in flight at once. */
async function logitsOf(session: ModelSession): Promise<number[]> {
  const pairs = [
    [101, 2129, 2116, 2111, 2444, 1999, 4068, 1029, 102, 4068, 2038, 1017, 1012, 1019, 2454, 2111, 1012, 102],
    [101, 2129, 2116, 2111, 2444, 1999, 4068, 1029, 102, 3000, 2003, 1999, 2605, 1012, 102],
    [101, 7592, 102, 2088, 102],
  ].map((ids) => ({ ids, typeIds: ids.map((_, i) => (i > ids.indexOf(102) ? 1 : 0)), truncated: false }));
  const out = await Promise.all(pairs.map((p) => session.run(batchTensors(session, [p], 0), ['logits'])));
  return out.map((o) => (o.logits!.data as Float32Array)[0]!);
}

test('a pool of two worker sessions gives the in-process session its exact logits, several calls at once', async () => {
  const file = join(await testModelDir('reranker'), 'onnx', 'model.onnx');
  const single = await openSession(file, { threads: 1, workers: 1 });
  const pool = await openSession(file, { threads: 2, workers: 2 });
  try {
    assert.equal(single.concurrency, 1);
    assert.equal(pool.concurrency, 2);
    assert.deepEqual(
      pool.inputs.map((t) => t.name),
      single.inputs.map((t) => t.name),
      'the pool reports the graph interface',
    );
    assert.deepEqual(await logitsOf(pool), await logitsOf(single));
  } finally {
    await closeSession(single);
    await closeSession(pool);
  }
  await expectSiftError(pool.run({}), 'INFERENCE_FAILED', /closed/);
});

test('an idle pool never keeps the process alive: a script that runs a pool and never closes it exits', async () => {
  const file = join(await testModelDir('reranker'), 'onnx', 'model.onnx');
  const dir = await mkdtemp(join(tmpdir(), 'sift-pool-exit-'));
  try {
    const script = join(dir, 'left-open.mts');
    const session = JSON.stringify(resolve('src/runtime/onnx-session.ts'));
    const batching = JSON.stringify(resolve('src/runtime/batching.ts'));
    await writeFile(
      script,
      `import { openSession } from ${session};\nimport { batchTensors } from ${batching};\n` +
        `const s = await openSession(${JSON.stringify(file)}, { threads: 2, workers: 2 });\n` +
        `const pair = { ids: [101, 7592, 102, 2088, 102], typeIds: [0, 0, 0, 1, 1], truncated: false };\n` +
        `await Promise.all([s.run(batchTensors(s, [pair], 0)), s.run(batchTensors(s, [pair], 0))]);\n` +
        `console.log('scored');\n`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.signal, null, 'exited by itself, not killed at the time limit');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /scored/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a pool reports a broken graph as MODEL_INVALID and bad feeds as INFERENCE_FAILED; a bad worker count is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sift-pool-'));
  try {
    const bad = join(dir, 'model.onnx');
    await writeFile(bad, 'not an onnx graph');
    await expectSiftError(openSession(bad, { workers: 2 }), 'MODEL_INVALID', /not a loadable ONNX model/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const file = join(await testModelDir('reranker'), 'onnx', 'model.onnx');
  const pool = await openSession(file, { threads: 2, workers: 2 });
  try {
    await expectSiftError(pool.run({}), 'INFERENCE_FAILED', /inference failed/);
    assert.equal((await logitsOf(pool)).length, 3, 'the pool still serves after a failed call');
  } finally {
    await closeSession(pool);
  }
  await expectSiftError(openSession(file, { workers: 0 }), 'INVALID_OPTION', /workers/);
});

test('runConcurrently keeps at most `concurrency` calls in flight, starts them in order, and stops at the first failure', async () => {
  let inFlight = 0;
  let most = 0;
  const started: number[] = [];
  await runConcurrently([5, 1, 4, 2, 3], 2, async (ms, i) => {
    started.push(i);
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, ms));
    inFlight--;
  });
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(most, 2);
  const seen: number[] = [];
  await assert.rejects(
    runConcurrently([0, 1, 2, 3, 4], 1, async (i) => {
      seen.push(i);
      if (i === 1) throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(seen, [0, 1], 'nothing starts after a failure');
});
