import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSiftError } from '../../src/errors.js';
import type { Reranker, RerankResult } from '../../src/reranking/reranker.js';
import { sigmoid } from '../../src/reranking/scores.js';
import { KEYWORD } from '../support/keyword-model.js';

/** A reranker under test and whatever must be stopped after it (a loopback server, a model session). */
export interface OpenedReranker {
  reranker: Reranker;
  close?: () => Promise<void>;
}

/** The word every implementation under test finds relevant: the keyword judge's keyword, and a query word for the term-overlap fake. */
const CONTRACT_KEYWORD = KEYWORD;

const QUERY = `where does the ${CONTRACT_KEYWORD} live`;
/** Documents as users pass them: objects with metadata, one of them the relevant one, one duplicated text. */
const DOCUMENTS = [
  { text: 'Bread is baked from flour, water and yeast.', source: 'bread.md', tags: ['food'] },
  { text: `The ${CONTRACT_KEYWORD} lives on the savanna of east Africa.`, source: 'zebra.md', tags: ['animals'] },
  { text: 'Glaciers leave moraines of rock and soil behind.', source: 'glacier.md', tags: [] },
  { text: 'Bread is baked from flour, water and yeast.', source: 'bread-copy.md', tags: ['food'] },
  { text: 'A river carries sand to the sea.', source: 'river.md', tags: [] },
];

/**
 * The `Reranker` contract suite (STYLE #21): every judge (the local cross-encoder, the remote client,
 * the batched reranker, the term-overlap fake) runs these same cases. `open()` gives a fresh judge
 * per case; its relevance must put a passage holding `CONTRACT_KEYWORD` first.
 */
export function runRerankerContract(name: string, open: () => Promise<OpenedReranker>): void {
  async function withReranker(body: (reranker: Reranker) => Promise<void>): Promise<void> {
    const opened = await open();
    try {
      await body(opened.reranker);
    } finally {
      await opened.reranker.close();
      await opened.close?.();
    }
  }

  test(`${name}: every document comes back once, best first, as the same object with its text; the input is untouched`, () =>
    withReranker(async (reranker) => {
      const before = structuredClone(DOCUMENTS);
      const response = await reranker.rerank(QUERY, DOCUMENTS);
      assert.equal(typeof response.model, 'string');
      assert.equal(response.results.length, DOCUMENTS.length);
      assert.deepEqual(
        response.results.map((r) => r.index).sort((a, b) => a - b),
        [0, 1, 2, 3, 4],
      );
      for (const r of response.results) {
        assert.equal(r.document, DOCUMENTS[r.index], 'the input document itself, not a copy');
        assert.equal(r.text, DOCUMENTS[r.index]!.text);
        assert.equal(typeof r.truncated, 'boolean');
      }
      assertSorted(response.results);
      assert.deepEqual(DOCUMENTS, before, 'documents are not mutated');
      assert.equal(response.results[0]!.index, 1, `the ${CONTRACT_KEYWORD} passage is judged most relevant`);
      assert.ok(response.timings.totalMs >= 0);
      assert.ok(Number.isInteger(response.truncatedPairs) && response.truncatedPairs >= 0);
    }));

  test(`${name}: scores are relevance in 0..1, the logit's sigmoid; equal texts score the same`, () =>
    withReranker(async (reranker) => {
      const { results } = await reranker.rerank(
        QUERY,
        DOCUMENTS.map((d) => d.text),
      );
      for (const r of results) {
        assert.ok(r.score >= 0 && r.score <= 1, `score ${r.score}`);
        assert.ok(Number.isFinite(r.logit));
        assert.ok(Math.abs(r.score - sigmoid(r.logit)) < 1e-6, `score ${r.score} is sigmoid(${r.logit})`);
      }
      const byIndex = new Map(results.map((r) => [r.index, r]));
      assert.ok(Math.abs(byIndex.get(0)!.score - byIndex.get(3)!.score) < 1e-6, 'a duplicated text scores the same');
    }));

  test(`${name}: topK keeps the best of the full ranking; a document scores the same in any company`, () =>
    withReranker(async (reranker) => {
      const full = await reranker.rerank(QUERY, DOCUMENTS);
      const top = await reranker.rerank(QUERY, DOCUMENTS, { topK: 2 });
      assert.deepEqual(
        top.results.map((r) => r.index),
        full.results.slice(0, 2).map((r) => r.index),
      );
      assert.equal((await reranker.rerank(QUERY, DOCUMENTS, { topK: 0 })).results.length, 0);
      const alone = await reranker.rerank(QUERY, [DOCUMENTS[2]!]);
      const inFull = full.results.find((r) => r.index === 2)!;
      assert.equal(alone.results[0]!.index, 0);
      assert.ok(
        Math.abs(alone.results[0]!.score - inFull.score) < 1e-5,
        'the score does not depend on the other documents',
      );
    }));

  test(`${name}: no documents, no results; a bad query, document or topK is refused naming it`, () =>
    withReranker(async (reranker) => {
      assert.deepEqual((await reranker.rerank(QUERY, [])).results, []);
      await assert.rejects(
        reranker.rerank('  ', DOCUMENTS),
        (e) => isSiftError(e, 'INVALID_INPUT') && /query is empty/.test(e.message),
      );
      await assert.rejects(
        reranker.rerank(QUERY, [DOCUMENTS[0]!, { source: 'no-text.md' } as unknown as { text: string }]),
        (e) => isSiftError(e, 'INVALID_INPUT') && /document 1 has no text/.test(e.message),
      );
      await assert.rejects(
        reranker.rerank(QUERY, DOCUMENTS, { topK: -1 }),
        (e) => isSiftError(e, 'INVALID_OPTION') && /topK/.test(e.message),
      );
    }));
}

/** Best first; equal logits keep input order. */
function assertSorted(results: readonly RerankResult[]): void {
  for (let i = 1; i < results.length; i++) {
    const a = results[i - 1]!;
    const b = results[i]!;
    assert.ok(a.score >= b.score, `result ${i - 1} (${a.score}) before result ${i} (${b.score})`);
    if (a.logit === b.logit) assert.ok(a.index < b.index, 'ties keep input order');
  }
}
