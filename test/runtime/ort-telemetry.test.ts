import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { testModelDir } from '../support/test-models.js';

/**
 * Opens the test reranker through `openSession` in a child process with `env`, and says whether
 * onnxruntime's telemetry client started there (it leaves `/tmp/mat-debug-<pid>.log` behind; pids are
 * reused, so only a file written since the child started counts).
 */
async function telemetryStarted(env: NodeJS.ProcessEnv): Promise<boolean> {
  const file = join(await testModelDir('reranker'), 'onnx', 'model.onnx');
  const session = JSON.stringify(resolve('src/runtime/onnx-session.ts'));
  const script =
    `const { openSession, closeSession } = await import(${session});\n` +
    `const s = await openSession(${JSON.stringify(file)}, { threads: 2, workers: 2 });\n` +
    `await closeSession(s);\nconsole.log(process.pid);\n`;
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const log = `/tmp/mat-debug-${run.stdout.trim()}.log`;
  // Made by this child, not left by an earlier process that had the same pid.
  const made = (statSync(log, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= started - 1000;
  if (made) rmSync(log, { force: true });
  return made;
}

test("onnxruntime's telemetry stays off when sift opens sessions, unless the user turns it on", async () => {
  const env = { ...process.env };
  delete env.ORT_DISABLE_TELEMETRY;
  // onnxruntime keeps its telemetry off by itself when CI is set: the children run as a user's process does.
  delete env.CI;
  assert.equal(await telemetryStarted(env), false, 'sift sets ORT_DISABLE_TELEMETRY=1 before the first session');
  // The check can see telemetry: a user's explicit ORT_DISABLE_TELEMETRY=0 is respected and it starts.
  assert.equal(await telemetryStarted({ ...env, ORT_DISABLE_TELEMETRY: '0' }), true);
});
