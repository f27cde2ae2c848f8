import assert from 'node:assert/strict';
import { isSiftError, type SiftError } from '../../src/errors.js';

/** Awaits `promise`, asserts it rejects with a SiftError of `code` (and message `pattern`), and returns the error. */
export async function expectSiftError(
  promise: Promise<unknown>,
  code: SiftError['code'],
  pattern?: RegExp,
): Promise<SiftError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isSiftError(err, code), `expected ${code}, got ${String(err)}`);
    if (pattern) assert.match(err.message, pattern);
    return err;
  }
  assert.fail(`expected a ${code} error`);
}
