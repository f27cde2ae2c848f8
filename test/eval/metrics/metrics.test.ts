import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateQuery,
  metricSpecs,
  ndcgAtK,
  precisionAtK,
  rankByScore,
  recallAtK,
  reciprocalRankAtK,
} from '../../../src/eval/metrics/index.js';

const close = (actual: number, expected: number, msg?: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${msg ?? ''} expected ${expected}, got ${actual}`);

// One query, binary qrels: d1, d3, d7 relevant; d2 judged non-relevant (grade 0); others unjudged.
const binary = new Map([
  ['d1', 1],
  ['d2', 0],
  ['d3', 1],
  ['d7', 1],
]);
const ranked = ['d2', 'd1', 'd9', 'd3', 'd5'];

test('P@k counts relevant docs in the top k over k, even when fewer than k came back', () => {
  // top 1: d2 (grade 0) -> 0/1
  close(precisionAtK(ranked, binary, 1), 0);
  // top 4: d2 no, d1 yes, d9 unjudged, d3 yes -> 2/4
  close(precisionAtK(ranked, binary, 4), 0.5);
  // top 10 of 5 results: still 2 relevant, divided by 10 (trec_eval P_10)
  close(precisionAtK(ranked, binary, 10), 0.2);
});

test('R@k divides by all relevant docs in the qrels, retrieved or not', () => {
  // 3 relevant in qrels (d1, d3, d7); top 2 has d1 -> 1/3; top 5 has d1, d3 -> 2/3
  close(recallAtK(ranked, binary, 2), 1 / 3);
  close(recallAtK(ranked, binary, 5), 2 / 3);
});

test('RR@k is 1/rank of the first relevant doc within k, else 0', () => {
  // first relevant d1 at rank 2 -> 0.5; with k = 1 it is out of reach -> 0
  close(reciprocalRankAtK(ranked, binary, 10), 0.5);
  close(reciprocalRankAtK(ranked, binary, 1), 0);
});

test('nDCG@k with binary grades, by hand', () => {
  // gains at ranks 1..5: 0, 1, 0, 1, 0
  // DCG@5 = 1/log2(3) + 1/log2(5) = 0.630930 + 0.430677 = 1.061606
  // ideal: three 1s -> IDCG@5 = 1 + 1/log2(3) + 1/log2(4) = 1 + 0.630930 + 0.5 = 2.130930
  close(ndcgAtK(ranked, binary, 5), (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 0.5));
  // = 1.061606 / 2.130930 = 0.498189
  assert.ok(Math.abs(ndcgAtK(ranked, binary, 5) - 0.498189) < 1e-6);
  // @2: DCG = 1/log2(3) = 0.630930; IDCG@2 = 1 + 0.630930 -> 0.386853
  assert.ok(Math.abs(ndcgAtK(ranked, binary, 2) - 0.386853) < 1e-6);
});

test('nDCG@k uses linear gains of graded qrels and an ideal from every judged-relevant doc', () => {
  // grades: a 2, b 1, c 2, z 0 (judged non-relevant), n -1 (trec_eval: <= 0 is non-relevant)
  const graded = new Map([
    ['a', 2],
    ['b', 1],
    ['c', 2],
    ['z', 0],
    ['n', -1],
  ]);
  // run: b, n, a, u (unjudged)
  // DCG@4 = 1/log2(2) + 0 + 2/log2(4) + 0 = 1 + 1 = 2
  // ideal: 2, 2, 1 -> IDCG@4 = 2 + 2/log2(3) + 1/log2(4) = 2 + 1.261860 + 0.5 = 3.761860
  // nDCG@4 = 2 / 3.761860 = 0.531652
  const v = ndcgAtK(['b', 'n', 'a', 'u'], graded, 4);
  close(v, 2 / (2 + 2 / Math.log2(3) + 0.5));
  assert.ok(Math.abs(v - 0.531652) < 1e-6);
  // the same run with 2^g - 1 gains would be (1 + 3/2) / (3 + 3/log2(3) + 1/2) = 0.4672: linear is not that
  assert.ok(Math.abs(v - 0.4672) > 0.01);
  // a perfect graded ranking scores 1; swapping a 2 below the 1 scores less
  close(ndcgAtK(['a', 'c', 'b'], graded, 10), 1);
  assert.ok(ndcgAtK(['a', 'b', 'c'], graded, 10) < 1);
});

test('the ideal is cut at k: two relevant docs, k = 1, top hit relevant -> nDCG@1 = 1', () => {
  close(ndcgAtK(['d1'], binary, 1), 1);
});

test('empty result lists score 0 everywhere, and are still counted in the mean', () => {
  const v = evaluateQuery([], binary, metricSpecs({ k: [1, 10] }));
  assert.deepEqual(v, { 'P@1': 0, 'P@10': 0, 'R@1': 0, 'R@10': 0, 'Hit@1': 0, 'Hit@10': 0, 'MRR@10': 0, 'nDCG@10': 0 });
});

test('queries without a relevant judgement are not scored (undefined), whatever was retrieved', () => {
  assert.equal(evaluateQuery(['x'], new Map(), {}), undefined);
  assert.equal(
    evaluateQuery(
      ['x', 'y'],
      new Map([
        ['x', 0],
        ['y', -1],
      ]),
      {},
    ),
    undefined,
  );
  // the single metric functions return 0 for them rather than NaN
  assert.equal(recallAtK(['x'], new Map(), 10), 0);
  assert.equal(ndcgAtK(['x'], new Map([['x', 0]]), 10), 0);
});

test('a repeated doc id earns its gain once; the repeat holds its slot with no credit', () => {
  // a, a, b with a, b relevant: P@2 = 1/2 (second a gets nothing), R@3 = 2/2
  const q = new Map([
    ['a', 1],
    ['b', 1],
  ]);
  close(precisionAtK(['a', 'a', 'b'], q, 2), 0.5);
  close(recallAtK(['a', 'a', 'b'], q, 3), 1);
  // DCG@3 = 1 + 0 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.630930
  close(ndcgAtK(['a', 'a', 'b'], q, 3), 1.5 / (1 + 1 / Math.log2(3)));
});

test('ties: rankByScore orders by score desc then doc id desc, as trec_eval', () => {
  const scored = [
    { id: 'd1', score: 0.5 },
    { id: 'd3', score: 0.5 },
    { id: 'd2', score: 0.9 },
    { id: 'd10', score: 0.5 },
  ];
  // 0.9 first; among the 0.5s: 'd3' > 'd10' > 'd1' by string comparison, descending
  assert.deepEqual(rankByScore(scored), ['d2', 'd3', 'd10', 'd1']);
  // input order does not matter, and the input is not mutated
  const reversed = [...scored].reverse();
  assert.deepEqual(rankByScore(reversed), ['d2', 'd3', 'd10', 'd1']);
  assert.equal(reversed[0]?.id, 'd10');
  // so a tie between a relevant d1 and a non-relevant d3 puts d3 first: P@2 = 1/2, not 1
  const q = new Map([
    ['d2', 1],
    ['d1', 1],
  ]);
  close(precisionAtK(rankByScore(scored), q, 2), 0.5);
});

test('metricSpecs orders keys P, R, Hit, MRR, nDCG with sorted unique cut-offs', () => {
  assert.deepEqual(
    metricSpecs({ k: [4, 1, 4] }).map((s) => s.key),
    ['P@1', 'P@4', 'R@1', 'R@4', 'Hit@1', 'Hit@4', 'MRR@10', 'nDCG@10'],
  );
  assert.deepEqual(
    metricSpecs().map((s) => s.key),
    [
      'P@1',
      'P@3',
      'P@4',
      'P@10',
      'P@20',
      'R@1',
      'R@3',
      'R@4',
      'R@10',
      'R@20',
      'Hit@1',
      'Hit@3',
      'Hit@4',
      'Hit@10',
      'Hit@20',
      'MRR@10',
      'nDCG@10',
    ],
  );
});
