import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateRun,
  compareRuns,
  evaluateRuns,
  type EvalChunk,
  type Qrels,
  type RunConfig,
} from '../../src/eval/index.js';
import { chunksToDocuments } from '../../src/eval/chunks-to-documents.js';
import { documentJudge } from '../../src/eval/relevance-judge.js';
import { baseConfigOf, expandRunConfigs, runName } from '../../src/eval/run-config.js';
import { isSiftError } from '../../src/errors.js';

test('chunksToDocuments keeps each document at its first chunk', () => {
  const chunks = ['a', 'b', 'a', 'c', 'b'].map((docId, i) => ({ id: `c${i}`, docId }));
  assert.deepEqual(chunksToDocuments(chunks), ['a', 'b', 'c']);
  assert.deepEqual(chunksToDocuments([]), []);
});

test('expandRunConfigs: per mode the stage-1 base, then each reranker at each candidate count', () => {
  const configs = expandRunConfigs({ modes: ['bm25', 'hybrid'], rerankers: ['mini'], candidates: [50, 10] });
  assert.deepEqual(
    configs.map((c) => c.name),
    ['bm25', 'bm25+mini@10', 'bm25+mini@50', 'hybrid', 'hybrid+mini@10', 'hybrid+mini@50'],
  );
  assert.deepEqual(configs[0], { name: 'bm25', stage1: 'bm25', candidates: 20 });
  assert.equal(baseConfigOf(configs[5]!, configs)?.name, 'hybrid');
  assert.equal(baseConfigOf(configs[0], configs), undefined);
  assert.equal(runName({ stage1: 'dense', reranker: 'm', candidates: 20 }), 'dense+m@20');
  assert.throws(
    () => expandRunConfigs({ modes: ['sparse'] }),
    (e: unknown) => isSiftError(e, 'INVALID_OPTION') && /`modes` sparse/.test(e.message),
  );
  assert.throws(() => expandRunConfigs({ candidates: [0] }), /`candidates` 0/);
});

const qrels: Qrels = new Map([
  [
    'q1',
    new Map([
      ['d1', 1],
      ['d2', 1],
    ]),
  ],
  [
    'q2',
    new Map([
      ['d3', 2],
      ['d4', 0],
    ]),
  ],
  ['q3', new Map([['d5', 0]])], // no relevant judgement: run, timed, not scored
]);
const config: RunConfig = { name: 'bm25', stage1: 'bm25', candidates: 20 };

test('aggregateRun: means over scored queries, latency over all, per-query values kept', () => {
  const run = aggregateRun(
    config,
    [
      { queryId: 'q1', ranked: ['d1', 'x', 'd2'], latency: { stage1Ms: 10 } },
      { queryId: 'q2', ranked: ['d4', 'd3'], latency: { stage1Ms: 20 } },
      { queryId: 'q3', ranked: ['d5'], latency: { stage1Ms: 30 } },
    ],
    qrels,
    { k: [1, 3] },
  );
  // P@1: q1 1, q2 0 -> 0.5; P@3: q1 2/3, q2 1/3 -> 0.5
  assert.equal(run.metrics['P@1'], 0.5);
  assert.ok(Math.abs(run.metrics['P@3']! - 0.5) < 1e-12);
  // R@1: q1 1/2, q2 0 -> 0.25; MRR@10: q1 1, q2 1/2 -> 0.75
  assert.equal(run.metrics['R@1'], 0.25);
  assert.equal(run.metrics['MRR@10'], 0.75);
  // nDCG@10: q1 (1 + 1/log2 4) / (1 + 1/log2 3) = 1.5 / 1.630930 = 0.919721; q2 (2/log2 3) / 2 = 0.630930
  const expected = (1.5 / (1 + 1 / Math.log2(3)) + 1 / Math.log2(3)) / 2;
  assert.ok(Math.abs(run.metrics['nDCG@10']! - expected) < 1e-12);
  assert.deepEqual(Object.keys(run.metrics), ['P@1', 'P@3', 'R@1', 'R@3', 'Hit@1', 'Hit@3', 'MRR@10', 'nDCG@10']);
  // Hit@1: q1 (d1 first) 1, q2 (d4 judged 0 first) 0 -> 0.5; Hit@3: both -> 1
  assert.equal(run.metrics['Hit@1'], 0.5);
  assert.equal(run.metrics['Hit@3'], 1);
  assert.equal(run.evaluated, 2);
  assert.deepEqual(run.skipped, ['q3']);
  assert.equal(run.perQuery[2]?.metrics, null);
  // latency includes the skipped query: [10, 20, 30] -> p50 20, p95 h = 1.9 -> 29
  assert.equal(run.latency.stage1.p50, 20);
  assert.ok(Math.abs(run.latency.stage1.p95 - 29) < 1e-9);
  assert.equal(run.latency.rerank, null);
  assert.equal(run.reranker, null);
});

test('compareRuns counts per-query wins, losses and ties on one metric', () => {
  const rq = (queryId: string, ranked: string[], ms: number) => ({
    queryId,
    ranked,
    latency: { stage1Ms: 5, rerankMs: ms },
  });
  const base = aggregateRun(config, [rq('q1', ['x', 'd1'], 0), rq('q2', ['d3'], 0), rq('q3', [], 0)], qrels);
  const rr = aggregateRun(
    { name: 'bm25+m@20', stage1: 'bm25', reranker: 'm', candidates: 20 },
    [rq('q1', ['d1', 'x'], 80), rq('q2', ['d3'], 90), rq('q3', [], 100)],
    qrels,
  );
  const c = compareRuns(base, rr, 'MRR@10');
  // q1: 0.5 -> 1 (win); q2: 1 -> 1 (tie); q3 is not scored in either
  assert.deepEqual({ wins: c.wins, losses: c.losses, ties: c.ties }, { wins: 1, losses: 0, ties: 1 });
  assert.deepEqual(
    c.perQuery.map((q) => q.queryId),
    ['q1', 'q2'],
  );
  assert.equal(c.meanDelta, 0.25);
  const back = compareRuns(rr, base, 'MRR@10');
  assert.equal(back.losses, 1);
  assert.equal(rr.latency.rerank?.p50, 90);
  assert.equal(rr.latency.total.p50, 95);
});

test('evaluateRuns runs every configuration in order, warms up untimed, maps chunks to documents', async () => {
  const queries = [
    { id: 'q1', text: 'one' },
    { id: 'q2', text: 'two' },
  ];
  const calls: string[] = [];
  const chunksFor: Record<string, EvalChunk[]> = {
    q1: [
      { id: 'c1', docId: 'x' },
      { id: 'c2', docId: 'd1' },
      { id: 'c3', docId: 'd1' },
      { id: 'c4', docId: 'd2' },
    ],
    q2: [{ id: 'c5', docId: 'd3' }],
  };
  const configs = expandRunConfigs({ modes: ['bm25'], rerankers: ['fake'], candidates: [20] });
  const progress: number[] = [];
  const runs = await evaluateRuns({
    queries,
    judge: documentJudge(qrels),
    configs,
    metrics: { k: [2] },
    onProgress: (done, total) => progress.push(done / total),
    search: async (q, c) => {
      calls.push(`${c.name}:${q.id}`);
      const chunks = chunksFor[q.id] ?? [];
      // the fake reranker reverses the candidates
      return c.reranker === undefined
        ? { chunks, latency: { stage1Ms: 1 } }
        : { chunks: [...chunks].reverse(), latency: { stage1Ms: 1, rerankMs: 4 } };
    },
  });
  assert.deepEqual(calls, ['bm25:q1', 'bm25:q1', 'bm25:q2', 'bm25+fake@20:q1', 'bm25+fake@20:q1', 'bm25+fake@20:q2']);
  assert.deepEqual(progress, [0.25, 0.5, 0.75, 1]);
  // base q1: x, d1, d2 -> P@2 = 1/2; q2: d3 -> P@2 = 1/2
  assert.equal(runs[0]?.metrics['P@2'], 0.5);
  // reranked q1: d2, d1, x -> P@2 = 1; q2 the same -> mean 0.75
  assert.equal(runs[1]?.metrics['P@2'], 0.75);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    evaluateRuns({
      queries,
      judge: documentJudge(qrels),
      configs,
      warmup: 0,
      signal: ac.signal,
      search: async () => ({ chunks: [], latency: { stage1Ms: 0 } }),
    }),
    (e: unknown) => isSiftError(e, 'ABORTED'),
  );
});
