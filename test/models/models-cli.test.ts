import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, dummyModelFiles, startFakeHub, tempDir, writeFiles } from './fake-hub.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/sift.js ...args` asynchronously (the fake Hub lives in this process). */
function sift(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/sift.js', ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const L6_ONNX = 'Xenova/ms-marco-MiniLM-L-6-v2';

test('models list --json reports every known model and which are on this machine', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const cache = join(dir, 'cache');
  const root = join(dir, 'root');
  await writeFiles(join(cache, L6_ONNX), dummyModelFiles({ fp32: false }));
  await writeFiles(join(root, 'BAAI/bge-small-en-v1.5'), dummyModelFiles());
  const env = cleanEnv({ SIFT_CACHE_DIR: cache, HF_ENDPOINT: 'http://127.0.0.1:9' });

  const all = await sift(['models', 'list', '--json', '--models-dir', root], env);
  assert.equal(all.code, 0, all.stderr);
  const out = JSON.parse(all.stdout) as {
    roots: { dir: string; kind: string }[];
    models: { name: string; default: boolean; local: { dir: string; root: string; dtypes: string[] }[] }[];
  };
  assert.deepEqual(
    out.roots.map((r) => r.kind),
    ['option', 'cache'],
  );
  const l6 = out.models.find((m) => m.name === 'cross-encoder/ms-marco-MiniLM-L-6-v2');
  assert.equal(l6?.default, true);
  assert.deepEqual(l6?.local, [{ dir: join(cache, L6_ONNX), root: 'cache', dtypes: ['q8'] }]);
  const bge = out.models.find((m) => m.name === 'BAAI/bge-small-en-v1.5');
  assert.deepEqual(bge?.local, [{ dir: join(root, 'BAAI/bge-small-en-v1.5'), root: 'option', dtypes: ['fp32', 'q8'] }]);

  const embedders = await sift(['models', 'list', '--role', 'embedder', '--json'], env);
  const names = (JSON.parse(embedders.stdout) as { models: { role: string }[] }).models.map((m) => m.role);
  assert.ok(names.length > 0 && names.every((r) => r === 'embedder'));

  const bad = await sift(['models', 'list', '--role', 'judge', '--json'], env);
  assert.equal(bad.code, 2);
  assert.equal((JSON.parse(bad.stdout) as { error: { code: string } }).error.code, 'INVALID_OPTION');
});

test('models pull downloads from the Hub into the cache, then finds it present; path prints the folder', async (t) => {
  const hub = await startFakeHub({ [L6_ONNX]: { files: dummyModelFiles() } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });
  const cache = join(dir, 'cache');
  const env = cleanEnv({ SIFT_CACHE_DIR: cache, HF_ENDPOINT: hub.endpoint });

  const pull = await sift(['models', 'pull', 'ms-marco-MiniLM-L-6-v2', '--dtype', 'all', '--json'], env);
  assert.equal(pull.code, 0, pull.stderr);
  const result = JSON.parse(pull.stdout) as {
    name: string;
    repo: string;
    models: { dtype: string; dir: string; source: string }[];
  };
  assert.equal(result.name, 'cross-encoder/ms-marco-MiniLM-L-6-v2');
  assert.equal(result.repo, L6_ONNX);
  assert.deepEqual(
    result.models.map((m) => [m.dtype, m.source]),
    [
      ['fp32', 'download'],
      ['q8', 'download'],
    ],
  );
  assert.ok(existsSync(join(cache, L6_ONNX, 'onnx/model_quantized.onnx')));

  const count = hub.requests.length;
  const again = await sift(['models', 'pull', L6_ONNX], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already present in/);
  assert.equal(hub.requests.length, count);

  const path = await sift(['models', 'path', 'cross-encoder/ms-marco-MiniLM-L-6-v2', '--dtype', 'q8'], env);
  assert.equal(path.code, 0, path.stderr);
  assert.equal(path.stdout.trim(), join(cache, L6_ONNX));
});

test('models pull --models-dir puts the files in that root', async (t) => {
  const hub = await startFakeHub({ [L6_ONNX]: { files: dummyModelFiles() } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });
  const root = join(dir, 'mine');
  const env = cleanEnv({ SIFT_CACHE_DIR: join(dir, 'cache'), HF_ENDPOINT: hub.endpoint });

  const pull = await sift(
    ['models', 'pull', 'cross-encoder/ms-marco-MiniLM-L-6-v2', '--models-dir', root, '--dtype', 'q8'],
    env,
  );
  assert.equal(pull.code, 0, pull.stderr);
  assert.ok(existsSync(join(root, L6_ONNX, 'onnx/model_quantized.onnx')));
  assert.ok(!existsSync(join(dir, 'cache')));
});

test('models pull failures exit 1 with a JSON error: unknown repo, gated repo, offline', async (t) => {
  const hub = await startFakeHub({ 'org/gated': { files: dummyModelFiles(), token: 't0ken' } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });
  const env = cleanEnv({ SIFT_CACHE_DIR: join(dir, 'cache'), HF_ENDPOINT: hub.endpoint });

  const missing = await sift(['models', 'pull', 'nobody/nothing', '--json'], env);
  assert.equal(missing.code, 1);
  assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 'UNKNOWN_MODEL');

  const gated = await sift(['models', 'pull', 'org/gated', '--json'], env);
  assert.equal(gated.code, 1);
  assert.match(gated.stderr, /HF_TOKEN/);
  const ok = await sift(['models', 'pull', 'org/gated', '--json'], { ...env, HF_TOKEN: 't0ken' });
  assert.equal(ok.code, 0, ok.stderr);

  const before = hub.requests.length;
  const offline = await sift(['models', 'pull', 'bge-small-en-v1.5', '--json'], { ...env, SIFT_OFFLINE: '1' });
  assert.equal(offline.code, 1);
  const error = (JSON.parse(offline.stdout) as { error: { code: string; details: { looked: string[] } } }).error;
  assert.equal(error.code, 'MODEL_NOT_FOUND');
  assert.ok(error.details.looked.includes(join(dir, 'cache', 'Xenova/bge-small-en-v1.5')));
  assert.equal(hub.requests.length, before);

  const bad = await sift(['models', 'pull', 'bge-small-en-v1.5', '--dtype', 'fp16'], env);
  assert.equal(bad.code, 2);
});
