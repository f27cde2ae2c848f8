import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameOptions, SiftError } from '../../src/errors.js';
import { inFlagTerms } from '../../src/cli/option-flags.js';
import { errorResponse, inFieldTerms } from '../../src/server/error-response.js';

// Core errors name options as the library does (`chunkSize`, details.option); each surface prints
// them in its own words: the CLI as the flags the user typed, the HTTP API as its request fields.

const topK = () =>
  new SiftError(
    'INVALID_OPTION',
    '`topK` must be at most `candidates` (5): the judge keeps the best of the candidates, got 6',
    {
      details: { option: 'topK' },
    },
  );

test('renameOptions replaces the backticked names it knows and leaves the rest', () => {
  assert.equal(
    renameOptions('sift: `topK` over `candidates`; run `sift models pull x`', {
      topK: '--top-k',
      candidates: '--candidates',
    }),
    'sift: --top-k over --candidates; run `sift models pull x`',
  );
});

test('the CLI prints library options as flags and names the flag in details', () => {
  const shown = inFlagTerms(topK());
  assert.equal(
    shown.message,
    'sift: --top-k must be at most --candidates (5): the judge keeps the best of the candidates, got 6',
  );
  assert.deepEqual(shown.details, { option: 'topK', flag: '--top-k' });
  assert.equal(shown.code, 'INVALID_OPTION');
  const chunk = inFlagTerms(
    new SiftError('INVALID_OPTION', '`chunkSize` must be a whole number >= 1, got 0', {
      details: { option: 'chunkSize' },
    }),
  );
  assert.equal(chunk.message, 'sift: --chunk-size must be a whole number >= 1, got 0');
  const plain = new SiftError('STORE_ERROR', 'no store at x');
  assert.equal(inFlagTerms(plain), plain, 'errors without option names are printed as they are');
});

test('the API reports a request option as INVALID_INPUT naming the request field', () => {
  const shown = inFieldTerms(topK());
  assert.deepEqual(shown.toJSON(), {
    code: 'INVALID_INPUT',
    message: 'sift: top_k must be at most candidates (5): the judge keeps the best of the candidates, got 6',
    details: { field: 'top_k' },
  });
  const res = errorResponse(topK());
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'INVALID_INPUT');
  // An option that is not a request field keeps its code and its library name.
  const other = errorResponse(
    new SiftError('INVALID_OPTION', '`batchSize` must be a whole number >= 1', { details: { option: 'batchSize' } }),
  );
  assert.equal(other.body.error.code, 'INVALID_OPTION');
  assert.match(other.body.error.message, /`batchSize`/);
});
