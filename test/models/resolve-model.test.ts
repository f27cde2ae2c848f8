import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSiftError } from '../../src/errors.js';
import { resolveModel } from '../../src/models/resolve-model.js';
import { dummyModelFiles, startFakeHub, tempDir, writeFiles, type FakeHub } from './fake-hub.js';

const L6 = 'cross-encoder/ms-marco-MiniLM-L-6-v2';
const L6_ONNX = 'Xenova/ms-marco-MiniLM-L-6-v2';

/** A fake Hub holding the default reranker's export, and three empty roots. */
async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<{
  hub: FakeHub;
  option: string;
  envRoot: string;
  cache: string;
  env: NodeJS.ProcessEnv;
}> {
  const hub = await startFakeHub({
    [L6_ONNX]: { files: dummyModelFiles() },
    'someone/custom-onnx': { files: dummyModelFiles() },
  });
  const { dir, cleanup } = await tempDir();
  t.after(async () => {
    await hub.close();
    await cleanup();
  });
  const option = join(dir, 'option');
  const envRoot = join(dir, 'env');
  const cache = join(dir, 'cache');
  return {
    hub,
    option,
    envRoot,
    cache,
    env: { SIFT_MODELS_DIR: envRoot, SIFT_CACHE_DIR: cache, HF_ENDPOINT: hub.endpoint },
  };
}

test('an existing folder path is used as it is, with its config read', async (t) => {
  const { hub, option, env } = await setup(t);
  const dir = join(option, 'my-model');
  await writeFiles(dir, dummyModelFiles({ q8: false }));
  const model = await resolveModel(dir, { env });
  assert.equal(model.dir, dir);
  assert.equal(model.name, dir);
  assert.equal(model.spec, undefined);
  assert.equal(model.source, 'local');
  assert.equal(model.files.onnx, join(dir, 'onnx/model.onnx'));
  assert.equal(model.config.model_type, 'bert');
  assert.deepEqual(hub.requests, []);
});

test('a folder in the Hub layout of a known model keeps its registry entry', async (t) => {
  const { option, env } = await setup(t);
  const dir = join(option, 'Xenova/e5-small-v2');
  await writeFiles(dir, dummyModelFiles());
  const model = await resolveModel(dir, { env, role: 'embedder' });
  assert.equal(model.name, 'intfloat/e5-small-v2');
  assert.equal(model.spec?.queryPrefix, 'query: ');
  assert.equal(model.dir, dir);
  // Asked for as another role, the folder is still usable, just without the entry.
  assert.equal((await resolveModel(dir, { env, role: 'reranker' })).spec, undefined);
});

test('local roots win in order: --models-dir, then SIFT_MODELS_DIR, then the cache; no request is made', async (t) => {
  const { hub, option, envRoot, cache, env } = await setup(t);
  // Canonical layout in the option and env roots, the ONNX repo layout in the cache.
  await writeFiles(join(option, L6), dummyModelFiles());
  await writeFiles(join(envRoot, L6), dummyModelFiles());
  await writeFiles(join(cache, L6_ONNX), dummyModelFiles());

  const first = await resolveModel('ms-marco-MiniLM-L-6-v2', { modelsDir: option, env });
  assert.equal(first.dir, join(option, L6));
  assert.equal(first.source, 'local');
  assert.equal(first.name, L6);
  assert.equal(first.spec?.name, L6);

  await rm(join(option, L6), { recursive: true });
  assert.equal((await resolveModel(L6, { modelsDir: option, env })).dir, join(envRoot, L6));

  await rm(join(envRoot, L6), { recursive: true });
  const cached = await resolveModel('xenova/MS-MARCO-MiniLM-L-6-v2', { modelsDir: [option], env, dtype: 'q8' });
  assert.equal(cached.dir, join(cache, L6_ONNX));
  assert.equal(cached.source, 'cache');
  assert.equal(cached.files.onnx, join(cache, L6_ONNX, 'onnx/model_quantized.onnx'));
  assert.deepEqual(hub.requests, []);
});

test('a missing model is downloaded into the cache once; the next resolve makes no request', async (t) => {
  const { hub, cache, env } = await setup(t);
  const seen: string[] = [];
  const first = await resolveModel(L6, {
    env,
    retryDelayMs: 5,
    onProgress: (p) => {
      if (p.done) seen.push(p.file);
    },
  });
  assert.equal(first.source, 'download');
  assert.equal(first.dir, join(cache, L6_ONNX));
  assert.equal(first.dtype, 'fp32');
  assert.ok(seen.includes('onnx/model.onnx'));
  assert.ok(existsSync(join(cache, L6_ONNX, 'tokenizer.json')));

  const count = hub.requests.length;
  const second = await resolveModel(L6, { env });
  assert.equal(second.source, 'cache');
  assert.equal(hub.requests.length, count);
});

test('offline mode never touches the network and lists every place looked, with the fixes', async (t) => {
  const { hub, option, envRoot, cache, env } = await setup(t);
  for (const offline of [
    { offline: true },
    { env: { ...env, SIFT_OFFLINE: '1' } },
    { env: { ...env, HF_HUB_OFFLINE: '1' } },
  ]) {
    await assert.rejects(resolveModel(L6, { env, modelsDir: option, ...offline }), (err) => {
      assert.ok(isSiftError(err, 'MODEL_NOT_FOUND'), String(err));
      for (const dir of [join(option, L6), join(envRoot, L6), join(cache, L6), join(cache, L6_ONNX)]) {
        assert.ok(err.message.includes(dir), `${dir} missing from:\n${err.message}`);
      }
      assert.match(err.message, /offline/);
      assert.match(err.message, /sift models pull cross-encoder\/ms-marco-MiniLM-L-6-v2/);
      assert.match(err.message, /SIFT_MODELS_DIR=<root with ORG\/NAME\/onnx\/model\.onnx>/);
      assert.match(err.message, /`modelsDir`/);
      return true;
    });
  }
  assert.deepEqual(hub.requests, []);
});

test('when only the other dtype is present, the error says so and names the --dtype to use', async (t) => {
  const { envRoot, env } = await setup(t);
  await writeFiles(join(envRoot, L6_ONNX), dummyModelFiles({ q8: false }));
  await assert.rejects(
    resolveModel(L6, { env, dtype: 'q8', offline: true }),
    (err) =>
      isSiftError(err, 'MODEL_NOT_FOUND') &&
      err.message.includes(
        `${join(envRoot, L6_ONNX)} has onnx/model.onnx but no onnx/model_quantized.onnx; use \`dtype\` fp32`,
      ),
  );
  // A folder named directly gets the same hint.
  await assert.rejects(
    resolveModel(join(envRoot, L6_ONNX), { env, dtype: 'q8' }),
    (err) =>
      isSiftError(err, 'MODEL_INVALID') &&
      /no onnx\/model_quantized\.onnx \(it has onnx\/model\.onnx; use `dtype` fp32\)/.test(err.message),
  );
});

test('a folder without tokenizer.json, or with a bad config.json, is refused naming the file', async (t) => {
  const { option, env } = await setup(t);
  const dir = join(option, L6);
  const files = dummyModelFiles();
  delete files['tokenizer.json'];
  await writeFiles(dir, files);
  await assert.rejects(
    resolveModel(L6, { env, modelsDir: option }),
    (err) =>
      isSiftError(err, 'MODEL_INVALID') &&
      err.message.includes(dir) &&
      /no tokenizer\.json/.test(err.message) &&
      err.details?.file === join(dir, 'tokenizer.json'),
  );

  await writeFile(join(dir, 'tokenizer.json'), '{}');
  await writeFile(join(dir, 'config.json'), '{"model_type": "bert",');
  await assert.rejects(
    resolveModel(L6, { env, modelsDir: option }),
    (err) => isSiftError(err, 'MODEL_INVALID') && /config\.json that is not valid JSON/.test(err.message),
  );

  await writeFile(join(dir, 'config.json'), '[1, 2]');
  await assert.rejects(
    resolveModel(dir, { env }),
    (err) => isSiftError(err, 'MODEL_INVALID') && /config\.json that is not a JSON object/.test(err.message),
  );

  await writeFile(join(dir, 'config.json'), '{}');
  await writeFile(join(dir, 'onnx/model.onnx'), '');
  await assert.rejects(
    resolveModel(dir, { env }),
    (err) => isSiftError(err, 'MODEL_INVALID') && /empty onnx\/model\.onnx/.test(err.message),
  );
});

test('a damaged cache folder is repaired by downloading again', async (t) => {
  const { hub, cache, env } = await setup(t);
  const files = dummyModelFiles();
  files['config.json'] = 'not json';
  await writeFiles(join(cache, L6_ONNX), files);
  const model = await resolveModel(L6, { env, retryDelayMs: 5 });
  assert.equal(model.source, 'download');
  assert.equal(model.config.model_type, 'bert');
  assert.ok(hub.requests.some((r) => r.endsWith('/config.json')));
});

test('unknown names: org/name is tried on the Hub as is; anything else is refused without a request', async (t) => {
  const { hub, cache, env } = await setup(t);
  const custom = await resolveModel('someone/custom-onnx', { env, retryDelayMs: 5 });
  assert.equal(custom.spec, undefined);
  assert.equal(custom.name, 'someone/custom-onnx');
  assert.equal(custom.dir, join(cache, 'someone/custom-onnx'));

  await assert.rejects(
    resolveModel('someone/missing', { env, retryDelayMs: 5 }),
    (err) =>
      isSiftError(err, 'UNKNOWN_MODEL') &&
      /no repository someone\/missing/.test(err.message) &&
      err.message.includes(join(cache, 'someone/missing')),
  );

  const before = hub.requests.length;
  await assert.rejects(
    resolveModel('not-a-model', { env, role: 'reranker' }),
    (err) => isSiftError(err, 'UNKNOWN_MODEL') && err.message.includes(L6) && !err.message.includes('all-MiniLM'),
  );
  assert.equal(hub.requests.length, before);
});

test('a known model of the wrong role is refused as a usage error', async (t) => {
  const { env } = await setup(t);
  await assert.rejects(
    resolveModel('all-MiniLM-L6-v2', { env, role: 'reranker', offline: true }),
    (err) => isSiftError(err, 'INVALID_OPTION') && /is an embedder, not a reranker/.test(err.message),
  );
});

test('download failures keep the Hub message and add where sift looked', async (t) => {
  const { hub, cache, env } = await setup(t);
  hub.fail(`/api/models/${L6_ONNX}/revision/main`, 401);
  await assert.rejects(
    resolveModel(L6, { env, retryDelayMs: 5 }),
    (err) =>
      isSiftError(err, 'DOWNLOAD_FAILED') &&
      /HF_TOKEN/.test(err.message) &&
      err.message.includes(join(cache, L6_ONNX)) &&
      /sift models pull/.test(err.message),
  );
});
