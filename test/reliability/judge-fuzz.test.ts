import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { isSiftError } from '../../src/errors.js';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import { testModelDir } from '../support/test-models.js';
import { NASTY_STRINGS, prng, randomString } from './prng.js';

/**
 * Seeded fuzzing of the tokenizer and the judge (the tiny generated cross-encoder, real ONNX
 * inference): every score is a finite number in 0..1, and the only failures are SiftErrors that say
 * what to change (an empty query, a query that leaves no room for the passage).
 */

export const JUDGE_SEED = 0x5eed02;
const ALLOWED = new Set(['INVALID_INPUT', 'QUERY_TOO_LONG']);

let judge: CrossEncoderReranker;
before(async () => {
  judge = new CrossEncoderReranker({ model: await testModelDir('reranker') });
  await judge.load();
});
after(() => judge.close());

function checkScores(scores: readonly number[], what: string): void {
  for (const s of scores) assert.ok(Number.isFinite(s) && s >= 0 && s <= 1, `${what}: score ${s} outside 0..1`);
}

async function judgeOrExplain(query: string, docs: readonly string[], what: string): Promise<string> {
  try {
    const { results } = await judge.rerank(query, docs);
    assert.equal(results.length, docs.length, what);
    checkScores(
      results.map((r) => r.score),
      what,
    );
    return 'scored';
  } catch (err) {
    assert.ok(
      isSiftError(err) && ALLOWED.has(err.code),
      `${what}: threw ${err instanceof Error ? err.stack : String(err)}`,
    );
    assert.ok(err.message.length > 20, `${what}: the message explains (${err.message})`);
    return err.code;
  }
}

test('nasty strings as queries and passages: scores in 0..1, or a SiftError that explains', async (t) => {
  const outcomes: Record<string, number> = {};
  for (const query of NASTY_STRINGS) {
    const outcome = await judgeOrExplain(query, NASTY_STRINGS, `query ${JSON.stringify(query.slice(0, 20))}`);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (query.trim().length === 0) assert.equal(outcome, 'INVALID_INPUT', 'an empty or blank query is refused');
  }
  t.diagnostic(`${NASTY_STRINGS.length} queries x ${NASTY_STRINGS.length} passages: ${JSON.stringify(outcomes)}`);
});

test('200 seeded random (query, passages) sets: controls, surrogates, emoji, RTL', async (t) => {
  const rng = prng(JUDGE_SEED);
  const outcomes: Record<string, number> = {};
  let pairs = 0;
  for (let i = 0; i < 200; i++) {
    const query = randomString(rng, rng.int(0, 40));
    const docs = Array.from({ length: rng.int(1, 6) }, () => randomString(rng, rng.int(0, 600)));
    pairs += docs.length;
    const outcome = await judgeOrExplain(query, docs, `set ${i}`);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  t.diagnostic(`200 sets, ${pairs} pairs: ${JSON.stringify(outcomes)}`);
  assert.ok((outcomes.scored ?? 0) > 150);
});

test('1 MB passages (spaced, unspaced, emoji) score in bounded time; a 1 MB query is QUERY_TOO_LONG', async () => {
  const mb = 1024 * 1024;
  const passages = ['word '.repeat(mb / 5), 'x'.repeat(mb), '😀'.repeat(mb / 2), 'مرحبا '.repeat(mb / 6)];
  const started = performance.now();
  const { results, truncatedPairs } = await judge.rerank('how many people live in Berlin?', passages);
  checkScores(
    results.map((r) => r.score),
    '1 MB passages',
  );
  // WordPiece reads a 1 MB word as one [UNK] token, so only the spaced passages are truncated.
  assert.ok(truncatedPairs >= 2);
  assert.ok(performance.now() - started < 15_000, `took ${Math.round(performance.now() - started)} ms`);
  await assert.rejects(
    judge.rerank('berlin '.repeat(mb / 7), ['a passage']),
    (err) => isSiftError(err, 'QUERY_TOO_LONG') && /query/.test(err.message),
  );
});

test('empty passages and an empty list are fine; wrong types are INVALID_INPUT naming the document', async () => {
  const { results } = await judge.rerank('berlin', ['', ' ', '\u0000']);
  checkScores(
    results.map((r) => r.score),
    'empty passages',
  );
  assert.deepEqual((await judge.rerank('berlin', [])).results, []);
  await assert.rejects(
    judge.rerank('berlin', ['ok', 42 as unknown as string]),
    (err) => isSiftError(err, 'INVALID_INPUT') && /document 1/.test(err.message),
  );
  await assert.rejects(judge.rerank('berlin', [{ text: null } as unknown as string]), (err) =>
    isSiftError(err, 'INVALID_INPUT'),
  );
});
