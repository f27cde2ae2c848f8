import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheDirFromEnv, envFlag, modelsDirsFromEnv, offlineFromEnv } from '../../src/config/env.js';

test('envFlag accepts the usual spellings of true and nothing else', () => {
  for (const v of ['1', 'true', 'TRUE', 'yes', 'on']) assert.equal(envFlag(v), true, v);
  for (const v of [undefined, '', '0', 'false', 'no', 'maybe']) assert.equal(envFlag(v), false, String(v));
});

test('offline mode follows SIFT_OFFLINE and the Hugging Face HF_HUB_OFFLINE convention', () => {
  assert.equal(offlineFromEnv({ SIFT_OFFLINE: '1' }), true);
  assert.equal(offlineFromEnv({ HF_HUB_OFFLINE: '1' }), true);
  assert.equal(offlineFromEnv({}), false);
});

test('SIFT_MODELS_DIR may name several roots; the cache honours SIFT_CACHE_DIR then XDG_CACHE_HOME', () => {
  assert.deepEqual(modelsDirsFromEnv({ SIFT_MODELS_DIR: '/a:/b' }), ['/a', '/b']);
  assert.deepEqual(modelsDirsFromEnv({}), []);
  assert.equal(cacheDirFromEnv({ SIFT_CACHE_DIR: '/c' }), '/c');
  assert.equal(cacheDirFromEnv({ XDG_CACHE_HOME: '/x' }), '/x/sift/models');
});
