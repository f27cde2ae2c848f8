import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LazyTextModel } from '../../src/runtime/lazy-text-model.js';
import { testModelDir } from '../support/test-models.js';

test('concurrent first calls share one load; close releases it and the next call loads again', async () => {
  let prepared = 0;
  const lazy = new LazyTextModel(await testModelDir('reranker'), 'reranker', {}, () => ({ n: ++prepared }));
  const [a, b] = await Promise.all([lazy.get(), lazy.get()]);
  assert.equal(a, b);
  assert.equal(prepared, 1);
  assert.deepEqual(
    a.model.session.outputs.map((t) => t.name),
    ['logits'],
  );
  await lazy.close();
  const c = await lazy.get();
  assert.notEqual(c, a);
  assert.equal(c.n, 2);
  await lazy.close();
});

test('a model that prepare refuses is closed and the error surfaces; the next call tries again', async () => {
  let calls = 0;
  const lazy = new LazyTextModel(await testModelDir('reranker'), 'reranker', {}, () => {
    calls++;
    if (calls === 1) throw new Error('not this time');
    return { ok: true };
  });
  await assert.rejects(lazy.get(), /not this time/);
  assert.equal((await lazy.get()).ok, true);
  assert.equal(calls, 2);
  await lazy.close();
});
