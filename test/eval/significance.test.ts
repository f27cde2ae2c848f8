import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateRun,
  buildEvalReport,
  groupRuns,
  htmlReport,
  markdownSummary,
  pairSignificance,
  recommendReranking,
  UNTAGGED,
  type Qrels,
  type QueryRun,
  type RunConfig,
  type RunResult,
} from '../../src/eval/index.js';
import { formatGroupTables, formatSignificanceTable } from '../../src/eval/report/significance-table.js';
import { significancePairs } from '../../src/eval/significance.js';

// n queries with one relevant document each; a run is the rank of that document per query.
const N = 24;
const ids = Array.from({ length: N }, (_, i) => `q${i + 1}`);
const qrels: Qrels = new Map(ids.map((q) => [q, new Map([[`${q}-rel`, 1]])]));
function run(
  config: RunConfig,
  ranks: (q: number) => number | null,
  ms: { stage1: number; rerank?: number },
): RunResult {
  const queries: QueryRun[] = ids.map((q, i) => {
    const rank = ranks(i);
    return {
      queryId: q,
      ranked: Array.from({ length: 10 }, (_, j) => (rank !== null && j === rank - 1 ? `${q}-rel` : `${q}-n${j}`)),
      latency: { stage1Ms: ms.stage1, ...(ms.rerank !== undefined ? { rerankMs: ms.rerank + (i % 4) } : {}) },
    };
  });
  return aggregateRun(config, queries, qrels, { k: [1, 4] });
}
const cfg = (stage1: 'bm25' | 'dense', reranker?: string): RunConfig => ({
  name: reranker === undefined ? stage1 : `${stage1}+${reranker}@20`,
  stage1,
  ...(reranker !== undefined ? { reranker } : {}),
  candidates: 20,
});
// bm25 finds the document at rank 5 everywhere; 'good' lifts it to rank 1 everywhere (P@4 +0.25 per
// query); 'meh' lifts it on 2 queries and drops it on 1 (not significant). dense is already at rank 1.
const bm25 = run(cfg('bm25'), () => 5, { stage1: 8 });
const good = run(cfg('bm25', 'good'), () => 1, { stage1: 8, rerank: 80 });
const meh = run(cfg('bm25', 'meh'), (i) => (i < 2 ? 1 : i === 2 ? null : 5), { stage1: 8, rerank: 30 });
const dense = run(cfg('dense'), () => 1, { stage1: 12 });
const denseGood = run(cfg('dense', 'good'), () => 1, { stage1: 12, rerank: 80 });
const runs = [bm25, good, meh, dense, denseGood];

test('significance pairs: each re-ranked run against its stage-1 base; with --sweep, each reranker against the first', () => {
  assert.deepEqual(
    significancePairs(runs).map((p) => `${p.base.name} -> ${p.other.name} (${p.kind})`),
    ['bm25 -> bm25+good@20 (rerank)', 'bm25 -> bm25+meh@20 (rerank)', 'dense -> dense+good@20 (rerank)'],
  );
  assert.deepEqual(
    significancePairs(runs, { sweep: true })
      .slice(3)
      .map((p) => `${p.base.name} -> ${p.other.name} (${p.kind})`),
    ['bm25+good@20 -> bm25+meh@20 (reranker)'],
  );
});

test('pairSignificance pairs queries by id over those scored in both runs', () => {
  const s = pairSignificance({ base: bm25, other: good, kind: 'rerank' }, ['P@4', 'Hit@1', 'MRR@10']);
  assert.equal(s.queries, N);
  // P@4: 0 -> 0.25 on every query; Hit@1: 0 -> 1; MRR@10: 1/5 -> 1
  assert.equal(s.metrics['P@4']?.delta, 0.25);
  assert.equal(s.metrics['Hit@1']?.delta, 1);
  assert.ok(Math.abs(s.metrics['MRR@10']!.delta - 0.8) < 1e-12);
  for (const d of Object.values(s.metrics)) {
    // 24 equal gains: only the all-plus and all-minus sign vectors are as extreme
    assert.ok(d.p < 0.001 && d.significant, `${d.p}`);
    assert.ok(Math.abs(d.low - d.delta) < 1e-12 && Math.abs(d.high - d.delta) < 1e-12, 'no spread, no interval width');
  }
  // meh, P@4: +0.25 on q1 and q2 (rank 5 -> 1), 0 elsewhere (rank 5 and "missing" are both outside
  // the top 4) -> +0.5/24; of the sign vectors of the two non-zero diffs, 2 of 4 reach |0.5| -> p 0.5
  const m = pairSignificance({ base: bm25, other: meh, kind: 'rerank' }, ['P@4', 'MRR@10']).metrics;
  assert.ok(Math.abs(m['P@4']!.delta - 0.5 / 24) < 1e-12);
  assert.ok(Math.abs(m['P@4']!.p - 0.5) < 0.02, `${m['P@4']!.p}`);
  assert.equal(m['P@4']!.significant, false);
  // MRR@10: +0.8, +0.8 on q1, q2 and -0.2 on q3 (1/5 -> 0): 4 of 8 vectors reach |1.4| -> p 0.5
  assert.ok(Math.abs(m['MRR@10']!.delta - 1.4 / 24) < 1e-12);
  assert.ok(Math.abs(m['MRR@10']!.p - 0.5) < 0.02);
  // a query unscored in one run (no relevant judgement) is left out of the pairs
  const lessJudged: Qrels = new Map([...qrels].map(([q, j]) => [q, q === 'q1' ? new Map<string, number>() : j]));
  const partial = aggregateRun(
    cfg('bm25'),
    ids.map((q) => ({ queryId: q, ranked: [], latency: { stage1Ms: 1 } })),
    lessJudged,
  );
  assert.equal(pairSignificance({ base: partial, other: good, kind: 'rerank' }, ['P@4']).queries, N - 1);
});

test('should I re-rank: a significant gain within budget is worth it; the same gain over budget, a tie or a loss is not', () => {
  const sig = significancePairs(runs).map((p) => pairSignificance(p, ['P@4']));
  const [b, d] = recommendReranking(runs, sig, { metric: 'P@4' });
  // bm25: 'good' has the largest gain; its re-ranking costs 80..83 ms (p50 81.5)
  assert.equal(b?.run, 'bm25+good@20');
  assert.equal(b?.verdict, 'rerank');
  assert.equal(b?.reason, 'significant-gain');
  assert.equal(b?.baseline, 0);
  assert.deepEqual(b?.addedLatency, { p50: 81.5, p95: 83 });
  assert.match(
    b.line,
    /^bm25 \(P@4 0\.00\): re-rank with good@20: \+0\.25 P@4 \[\+0\.25, \+0\.25\], p < 0\.001, \+82ms p50 \/ \+83ms p95 — worth it$/,
  );
  // dense: already at rank 1, re-ranking changes nothing
  assert.equal(d?.verdict, 'skip');
  assert.equal(d?.reason, 'not-significant');
  assert.match(d.line, /not significant \(p = 1\.00\) at \+82ms p50 .* — skip it$/);

  // a budget of 50 ms total p95: 'good' (8 + 83 ms) is over, 'meh' (8 + 33 ms) fits but is not significant
  const [tight] = recommendReranking(runs, sig, { metric: 'P@4', latencyBudgetMs: 50 });
  assert.equal(tight?.run, 'bm25+meh@20');
  assert.equal(tight?.withinBudget, true);
  assert.equal(tight?.reason, 'not-significant');
  // a budget nothing fits: the fastest run speaks, over budget
  const [none] = recommendReranking(runs, sig, { metric: 'P@4', latencyBudgetMs: 20 });
  assert.equal(none?.run, 'bm25+meh@20');
  assert.equal(none?.reason, 'over-budget');
  assert.equal(none?.verdict, 'skip');
  assert.match(none.line, /total p95 41ms is over the 20ms budget — skip it$/);

  // a significant loss: the base and the re-ranked run swapped
  const worse = run(cfg('bm25', 'bad'), () => 5, { stage1: 8, rerank: 50 });
  const better = run(cfg('bm25'), () => 1, { stage1: 8 });
  const [loss] = recommendReranking(
    [better, worse],
    significancePairs([better, worse]).map((p) => pairSignificance(p, ['P@4'])),
  );
  assert.equal(loss?.reason, 'worse');
  assert.match(loss.line, /-0\.25 P@4 .*re-ranking hurts/);
});

test('groups: every metric of every run per tag, untagged queries in their own group', () => {
  const tags = new Map<string, string[]>([
    ['q1', ['how-to']],
    ['q2', ['how-to', 'keys']],
    ['q3', ['keys']],
  ]);
  const groups = groupRuns([bm25, meh], tags);
  assert.deepEqual(
    groups.map((g) => [g.tag, g.queries]),
    [
      ['how-to', 2],
      ['keys', 2],
      [UNTAGGED, 21],
    ],
  );
  // meh over how-to (q1, q2): rank 1 both -> P@1 1; over keys (q2 rank 1, q3 missing) -> 0.5
  assert.equal(groups[0]?.runs[1]?.metrics['P@1'], 1);
  assert.equal(groups[1]?.runs[1]?.metrics['P@1'], 0.5);
  assert.equal(groups[2]?.runs[1]?.metrics['P@1'], 0);
  assert.deepEqual(Object.keys(groups[0].runs[0]!.metrics), Object.keys(bm25.metrics));
  assert.deepEqual(groupRuns([bm25], new Map()), []);
});

test('reports carry the significance, the verdicts and the groups in every format', () => {
  const queryTags = new Map<string, string[]>([
    ['q1', ['how-to']],
    ['q2', ['<b>tag</b>']],
  ]);
  const report = buildEvalReport({ dataset: 'toy', split: 'test', runs, queryTags, sweep: true, latencyBudgetMs: 200 });
  const { json } = report;
  assert.deepEqual(json.significance.metrics, ['P@4', 'Hit@4', 'MRR@10', 'nDCG@10']);
  assert.equal(json.significance.seed, 42);
  assert.equal(json.significance.comparisons.length, 4);
  assert.equal(json.recommendations.length, 2);
  assert.equal(json.recommendations[0]?.verdict, 'rerank');
  assert.equal(json.recommendations[0]?.latencyBudgetMs, 200);
  assert.deepEqual(
    json.groups.map((g) => g.tag),
    ['how-to', '<b>tag</b>', UNTAGGED],
  );
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json, 'plain JSON');
  // reproducible: the same inputs and seed give the same document
  assert.deepEqual(
    buildEvalReport({ dataset: 'toy', split: 'test', runs, queryTags, sweep: true, latencyBudgetMs: 200 }).json,
    json,
  );

  const table = formatSignificanceTable(report);
  assert.match(
    table,
    /^bm25 -> bm25\+good@20\s+P@4\s+0\.000\s+0\.250\s+\+0\.250\s+\[\+0\.250, \+0\.250\]\s+<0\.001\s+yes$/m,
  );
  assert.match(table, /^bm25 -> bm25\+meh@20\s+P@4\s+.*\s+n\.s\.$/m);
  assert.match(formatGroupTables(report), /^how-to \(1 query\):\nrun\s+P@1/m);

  const md = markdownSummary(report);
  assert.match(md, /## Should I re-rank\?\n\n- bm25 \(P@4 0\.00\): re-rank with good@20: .* — worth it/);
  assert.match(
    md,
    /- Paired: P@4 \+0\.021 \[[^\]]+\] p 0\.\d{3} n\.s\./,
    'the meh comparison is marked not significant',
  );
  assert.match(md, /\| bm25 -> bm25\+meh@20 \| P@4 \| .* \| n\.s\. \|/);
  assert.match(md, /### how-to \(1 query\)/);

  const html = htmlReport(report);
  assert.match(html, /<li class="rerank">bm25 \(P@4 0\.00\): re-rank with good@20: .* — worth it<\/li>/);
  assert.match(html, /<li class="skip">dense/);
  assert.match(html, /<tr class="ns"><td>bm25 -&gt; bm25\+meh@20<\/td><td>P@4<\/td>/);
  assert.match(html, /<svg[^>]*class="chart groups"/);
  assert.equal((html.match(/<rect class="group-bar"/g) ?? []).length, 3 * runs.length);
  assert.ok(html.includes('&lt;b&gt;tag&lt;/b&gt;') && !html.includes('<b>tag</b>'), 'tags are escaped');
});
