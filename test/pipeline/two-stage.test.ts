import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSiftError, SiftError } from '../../src/errors.js';
import { createReranker, DEFAULT_CANDIDATES, DEFAULT_TOP_K } from '../../src/pipeline/defaults.js';
import { composeTwoStage, loadJudge, twoStageSizes } from '../../src/pipeline/two-stage.js';
import { TermOverlapReranker } from '../../src/reranking/term-overlap-reranker.js';
import { CHUNKS, keywordRetriever } from '../server/server-fixtures.js';

test('two-stage sizes: 20 candidates and the best 4 unless said otherwise; a larger topK raises the candidates', () => {
  assert.equal(DEFAULT_CANDIDATES, 20);
  assert.equal(DEFAULT_TOP_K, 4);
  assert.deepEqual(twoStageSizes(), { candidates: 20, topK: 4, minScore: undefined });
  assert.deepEqual(twoStageSizes({ topK: 30 }), { candidates: 30, topK: 30, minScore: undefined });
  assert.deepEqual(twoStageSizes({ candidates: 2 }), { candidates: 2, topK: 2, minScore: undefined });
  assert.deepEqual(twoStageSizes({ candidates: 50, topK: 10, minScore: 0.5 }), {
    candidates: 50,
    topK: 10,
    minScore: 0.5,
  });
});

test('the rules hold for every caller: topK above candidates, non-whole sizes and minScore outside 0..1 name the option', () => {
  const retriever = keywordRetriever();
  const refused = (options: Parameters<typeof composeTwoStage>[0], option: string, pattern: RegExp) =>
    assert.throws(
      () => composeTwoStage(options),
      (e: unknown) => isSiftError(e, 'INVALID_OPTION') && e.details?.option === option && pattern.test(e.message),
    );
  refused({ retriever, candidates: 5, topK: 6 }, 'topK', /`topK` must be at most `candidates` \(5\)/);
  refused({ retriever, candidates: 0 }, 'candidates', /`candidates` must be a whole number >= 1, got 0/);
  refused({ retriever, topK: 2.5 }, 'topK', /`topK` must be a whole number >= 1/);
  refused({ retriever, minScore: 1.5 }, 'minScore', /`minScore` must be a number from 0 to 1/);
});

test("retrieve-then-rerank without a model: the term-overlap fake judges the keyword retriever's candidates", async () => {
  const twoStage = composeTwoStage({ retriever: keywordRetriever(), reranker: new TermOverlapReranker(), topK: 2 });
  const result = await twoStage.retrieve('population of Berlin');
  assert.equal(result.reranker, 'sift/term-overlap');
  assert.equal(result.hits.length, 2);
  // Stage 1 ranks by shared words; the judge reads both query words only in the population chunk.
  assert.equal(result.hits[0]!.chunk.id, 'berlin-pop');
  assert.ok(result.hits[0]!.rerankScore! > result.hits[1]!.rerankScore!);
  assert.ok(result.candidates <= CHUNKS.length);

  const compared = await twoStage.compare('population of Berlin');
  assert.equal(compared.semantic.length, 2);
  assert.equal(compared.reranked[0]!.chunk.id, 'berlin-pop');
  assert.ok(
    compared.semantic.every((h) => h.rerankScore !== undefined),
    'stage-1 hits carry their judge score too',
  );
});

test('loadJudge opens a judge that has a model to open, and is a no-op for one that has none', async () => {
  let opened = 0;
  const judge = Object.assign(new TermOverlapReranker(), { load: async () => void opened++ });
  assert.ok((await loadJudge(judge)) >= 0);
  assert.equal(opened, 1);
  assert.ok((await loadJudge(new TermOverlapReranker())) >= 0);
  assert.ok((await loadJudge(undefined)) >= 0);
  await assert.rejects(
    loadJudge(
      Object.assign(new TermOverlapReranker(), {
        load: async () => Promise.reject(new SiftError('MODEL_NOT_FOUND', 'gone')),
      }),
    ),
    (e) => isSiftError(e, 'MODEL_NOT_FOUND'),
  );
});

test('createReranker: sift/term-overlap is the model-free fake, URLs are remote judges', () => {
  assert.ok(createReranker('sift/term-overlap') instanceof TermOverlapReranker);
  assert.equal(createReranker('http://127.0.0.1:1/rerank').model.startsWith('http'), true);
});
