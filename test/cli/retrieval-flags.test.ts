import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSiftError } from '../../src/errors.js';
import { parseHybridDepth, retrievalOptions } from '../../src/cli/retrieval-flags.js';
import { DEFAULT_FUSION } from '../../src/retrieval/fusion.js';

test('retrieval flags: the default fusion without flags; --fusion, --alpha, --rrf-k and --hybrid-depth as given', () => {
  assert.deepEqual(retrievalOptions({}).fusion, { ...DEFAULT_FUSION });
  assert.deepEqual(retrievalOptions({ fusion: 'rrf', alpha: '0.7', rrfK: '20', hybridDepth: '50' }).fusion, {
    method: 'rrf',
    alpha: 0.7,
    rrfK: 20,
    depth: 50,
  });
  assert.equal(parseHybridDepth('100'), 100);
});

test('--hybrid-depth must be a whole number from 1 to 1000, named in the error', () => {
  for (const bad of ['0', '2.5', 'many', '5000'])
    assert.throws(
      () => retrievalOptions({ hybridDepth: bad }),
      (e) => isSiftError(e, 'INVALID_OPTION') && /--hybrid-depth/.test(e.message),
      bad,
    );
});
