import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSiftError } from '../../src/errors.js';
import { downloadModel, listRepoFiles, type DownloadProgress } from '../../src/models/hub-download.js';
import { dummyModelFiles, startFakeHub, tempDir } from './fake-hub.js';

const REPO = 'Xenova/tiny-test';
const fast = { retryDelayMs: 5, env: {} };

/** Every file under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1))
    .sort();
}

test('lists the repository, then fetches config, tokenizer files and only the chosen graph', async (t) => {
  const hub = await startFakeHub({ [REPO]: { files: dummyModelFiles() } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });

  const files = await listRepoFiles(REPO, { endpoint: hub.endpoint, ...fast });
  assert.ok(files.some((f) => f.path === 'onnx/model.onnx' && f.size === 4096));

  const events: DownloadProgress[] = [];
  const result = await downloadModel(REPO, dir, {
    endpoint: hub.endpoint,
    dtypes: ['q8'],
    onProgress: (p) => events.push(p),
    ...fast,
  });
  assert.deepEqual(result.downloaded, [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    'special_tokens_map.json',
    'onnx/model_quantized.onnx',
  ]);
  assert.deepEqual(await tree(dir), [
    'config.json',
    'onnx/model_quantized.onnx',
    'special_tokens_map.json',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);
  assert.deepEqual(
    await readFile(join(dir, 'onnx/model_quantized.onnx')),
    dummyModelFiles()['onnx/model_quantized.onnx'],
  );
  // The graph comes last, so a folder holding its graph holds everything else.
  assert.equal(hub.requests.at(-1), `/${REPO}/resolve/main/onnx/model_quantized.onnx`);
  assert.equal(hub.requests[0], `/api/models/${REPO}/revision/main?blobs=true`);

  const last = events.filter((e) => e.file === 'onnx/model_quantized.onnx').at(-1);
  assert.deepEqual(
    { ...last },
    { file: 'onnx/model_quantized.onnx', loaded: 1024, total: 1024, fileIndex: 5, fileCount: 5, done: true },
  );
});

test('fetches external-data files of graphs over 2 GB along with their graph', async (t) => {
  const hub = await startFakeHub({ 'onnx-community/big-ONNX': { files: dummyModelFiles({ externalData: true }) } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });

  const result = await downloadModel('onnx-community/big-ONNX', dir, {
    endpoint: hub.endpoint,
    dtypes: ['fp32'],
    ...fast,
  });
  assert.deepEqual(result.downloaded.slice(-2), ['onnx/model.onnx_data', 'onnx/model.onnx']);
  assert.equal(existsSync(join(dir, 'onnx/model_quantized.onnx')), false);
});

test('files already present are not fetched again', async (t) => {
  const hub = await startFakeHub({ [REPO]: { files: dummyModelFiles() } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });

  await downloadModel(REPO, dir, { endpoint: hub.endpoint, dtypes: ['fp32'], ...fast });
  hub.requests.length = 0;
  const again = await downloadModel(REPO, dir, { endpoint: hub.endpoint, dtypes: ['fp32', 'q8'], ...fast });
  assert.deepEqual(again.downloaded, ['onnx/model_quantized.onnx']);
  assert.deepEqual(hub.requests, [
    `/api/models/${REPO}/revision/main?blobs=true`,
    `/${REPO}/resolve/main/onnx/model_quantized.onnx`,
  ]);
});

test('HTTP 500 and a cut-off body are retried; the file ends complete', async (t) => {
  const hub = await startFakeHub({ [REPO]: { files: dummyModelFiles() } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });

  hub.fail(`/api/models/${REPO}/revision/main`, 500);
  hub.fail(`/${REPO}/resolve/main/onnx/model.onnx`, 503, 'truncate');
  await downloadModel(REPO, dir, { endpoint: hub.endpoint, dtypes: ['fp32'], ...fast });
  assert.equal(hub.requests.filter((r) => r.endsWith('/onnx/model.onnx')).length, 3);
  assert.deepEqual(await readFile(join(dir, 'onnx/model.onnx')), dummyModelFiles()['onnx/model.onnx']);
  assert.ok(!(await tree(dir)).some((f) => f.endsWith('.incomplete')));
});

test('a download that keeps failing leaves neither a final file nor an .incomplete one', async (t) => {
  const hub = await startFakeHub({ [REPO]: { files: dummyModelFiles() } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });

  hub.fail(`/${REPO}/resolve/main/onnx/model.onnx`, 'truncate', 'truncate', 'truncate');
  await assert.rejects(
    downloadModel(REPO, dir, { endpoint: hub.endpoint, dtypes: ['fp32'], retries: 2, ...fast }),
    (err) => isSiftError(err, 'DOWNLOAD_FAILED') && /onnx\/model\.onnx.*after 3 attempts/.test(err.message),
  );
  const files = await tree(dir);
  assert.ok(!files.includes('onnx/model.onnx'), files.join(','));
  assert.ok(!files.some((f) => f.endsWith('.incomplete')), files.join(','));
});

test('a server that stops answering times out and is retried', async (t) => {
  const hub = await startFakeHub({ [REPO]: { files: dummyModelFiles() } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });

  hub.fail(`/${REPO}/resolve/main/config.json`, 'hang');
  await downloadModel(REPO, dir, { endpoint: hub.endpoint, dtypes: ['q8'], timeoutMs: 150, ...fast });
  assert.equal(hub.requests.filter((r) => r.endsWith('/config.json')).length, 2);

  hub.fail(`/api/models/${REPO}/revision/main`, 'hang');
  await assert.rejects(
    listRepoFiles(REPO, { endpoint: hub.endpoint, timeoutMs: 150, retries: 0, ...fast }),
    (err) => isSiftError(err, 'DOWNLOAD_FAILED') && /no data for 150 ms/.test(err.message),
  );
});

test('401 names HF_TOKEN and is not retried; the token is sent as a Bearer header', async (t) => {
  const hub = await startFakeHub({ 'org/gated': { files: dummyModelFiles(), token: 'secret' } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });

  await assert.rejects(
    downloadModel('org/gated', dir, { endpoint: hub.endpoint, ...fast }),
    (err) => isSiftError(err, 'DOWNLOAD_FAILED') && /HTTP 401/.test(err.message) && /set HF_TOKEN/.test(err.message),
  );
  assert.equal(hub.requests.length, 1);

  await assert.rejects(
    downloadModel('org/gated', dir, { endpoint: hub.endpoint, env: { HF_TOKEN: 'wrong' }, retryDelayMs: 5 }),
    (err) => isSiftError(err) && /token in HF_TOKEN has no access/.test(err.message),
  );
  await downloadModel('org/gated', dir, { endpoint: hub.endpoint, env: { HF_TOKEN: 'secret' }, retryDelayMs: 5 });
  assert.equal(hub.authorizations.at(-1), 'Bearer secret');
});

test('404 for a repository or a file says which; no retries', async (t) => {
  const files = dummyModelFiles();
  delete files['special_tokens_map.json'];
  const hub = await startFakeHub({ [REPO]: { files } });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });

  await assert.rejects(
    downloadModel('nobody/nothing', dir, { endpoint: hub.endpoint, ...fast }),
    (err) =>
      isSiftError(err, 'DOWNLOAD_FAILED') &&
      err.details?.status === 404 &&
      /no repository nobody\/nothing/.test(err.message),
  );
  assert.equal(hub.requests.length, 1);
  // The listing promises a file the server then cannot find.
  hub.fail(`/${REPO}/resolve/main/tokenizer.json`, 404);
  await assert.rejects(
    downloadModel(REPO, dir, { endpoint: hub.endpoint, ...fast }),
    (err) =>
      isSiftError(err, 'DOWNLOAD_FAILED') &&
      err.details?.file === 'tokenizer.json' &&
      /no tokenizer\.json in/.test(err.message),
  );
});

test('a repository without the asked graph, or without ONNX at all, is refused before downloading', async (t) => {
  const hub = await startFakeHub({
    'org/fp32-only': { files: dummyModelFiles({ q8: false }) },
    'org/pytorch-only': { files: { 'config.json': '{}', 'tokenizer.json': '{}', 'model.safetensors': 'x' } },
  });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });

  await assert.rejects(
    downloadModel('org/fp32-only', dir, { endpoint: hub.endpoint, dtypes: ['q8'], ...fast }),
    (err) =>
      isSiftError(err, 'MODEL_NOT_FOUND') &&
      /no onnx\/model_quantized\.onnx/.test(err.message) &&
      /use `dtype` fp32/.test(err.message),
  );
  await assert.rejects(
    downloadModel('org/pytorch-only', dir, { endpoint: hub.endpoint, ...fast }),
    (err) => isSiftError(err, 'MODEL_NOT_FOUND') && /not an ONNX export/.test(err.message),
  );
  assert.ok(hub.requests.every((r) => r.startsWith('/api/')));
});
