import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregateRun, type Qrels, type QueryRun, type RunConfig } from '../../../src/eval/index.js';
import {
  beforeAfterLines,
  buildEvalReport,
  formatRunsTable,
  formatSweepTable,
  htmlReport,
  markdownSummary,
  markdownSweepTable,
  sweepRows,
  writeReportFiles,
} from '../../../src/eval/report/index.js';

// Four queries, one relevant doc each (r1..r4). The base finds r at rank 1 for q1, rank 2 for q2,
// rank 5 for q3 and never for q4; the re-ranked run lifts q2 and q3 to rank 1 and drops q1 to rank 2.
const qrels: Qrels = new Map(['q1', 'q2', 'q3', 'q4'].map((q, i) => [q, new Map([[`r${i + 1}`, 1]])]));
const withRelevantAt = (q: string, rel: string, rank: number | null): string[] =>
  Array.from({ length: 5 }, (_, i) => (rank !== null && i === rank - 1 ? rel : `${q}-n${i}`));
const baseRuns: QueryRun[] = [
  { queryId: 'q1', ranked: withRelevantAt('q1', 'r1', 1), latency: { stage1Ms: 6 } },
  { queryId: 'q2', ranked: withRelevantAt('q2', 'r2', 2), latency: { stage1Ms: 8 } },
  { queryId: 'q3', ranked: withRelevantAt('q3', 'r3', 5), latency: { stage1Ms: 8 } },
  { queryId: 'q4', ranked: withRelevantAt('q4', 'r4', null), latency: { stage1Ms: 10 } },
];
const rerankedRuns: QueryRun[] = [
  { queryId: 'q1', ranked: withRelevantAt('q1', 'r1', 2), latency: { stage1Ms: 6, rerankMs: 80 } },
  { queryId: 'q2', ranked: withRelevantAt('q2', 'r2', 1), latency: { stage1Ms: 8, rerankMs: 87 } },
  { queryId: 'q3', ranked: withRelevantAt('q3', 'r3', 1), latency: { stage1Ms: 8, rerankMs: 87 } },
  { queryId: 'q4', ranked: withRelevantAt('q4', 'r4', null), latency: { stage1Ms: 10, rerankMs: 90 } },
];
const baseConfig: RunConfig = { name: 'bm25', stage1: 'bm25', candidates: 20 };
const rrConfig: RunConfig = { name: 'bm25+mini@20', stage1: 'bm25', reranker: 'mini', candidates: 20 };
const runs = [
  aggregateRun(baseConfig, baseRuns, qrels, { k: [1, 4] }),
  aggregateRun(rrConfig, rerankedRuns, qrels, { k: [1, 4] }),
];
const queryText = new Map([
  ['q1', 'plain question'],
  ['q2', 'is <script>alert("x")</script> & friends safe?'],
  ['q3', 'third'],
  ['q4', 'fourth'],
]);
const report = buildEvalReport({ dataset: 'toy', split: 'test', runs, queryText });

test('JSON has the documented shape and the computed numbers', () => {
  const { json } = report;
  // the original keys, in order, then the additions of paired significance, verdicts and groups
  assert.deepEqual(Object.keys(json), [
    'dataset',
    'split',
    'queries',
    'runs',
    'significance',
    'recommendations',
    'groups',
  ]);
  assert.equal(json.queries, 4);
  const [b, r] = json.runs;
  assert.deepEqual(Object.keys(b!), ['name', 'stage1', 'reranker', 'candidates', 'metrics', 'latency']);
  assert.equal(b?.reranker, null);
  assert.equal(r?.reranker, 'mini');
  // base P@1: only q1 -> 1/4; re-ranked: q2, q3 -> 2/4. MRR@10: base (1 + 1/2 + 1/5 + 0)/4 = 0.425; re-ranked (1/2 + 1 + 1 + 0)/4 = 0.625
  assert.equal(b?.metrics['P@1'], 0.25);
  assert.equal(r?.metrics['P@1'], 0.5);
  assert.ok(Math.abs(b.metrics['MRR@10']! - 0.425) < 1e-12);
  assert.equal(r?.metrics['MRR@10'], 0.625);
  // base stage-1 latencies [6, 8, 8, 10]: p50 8, p95 h = 2.85 -> 8 + 0.85 * 2 = 9.7
  assert.deepEqual(b?.latency.stage1, { p50: 8, p95: 9.7 });
  assert.equal(b?.latency.rerank, null);
  // rerank [80, 87, 87, 90]: p50 87, p95 87 + 0.85 * 3 = 89.55
  assert.deepEqual(r?.latency.rerank, { p50: 87, p95: 89.55 });
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json, 'plain JSON, nothing lost');
});

test('comparisons: the re-ranked run against its base, per-query wins and losses', () => {
  assert.equal(report.comparisons.length, 1);
  const c = report.comparisons[0]!;
  // nDCG@10 per query, one relevant: 1/log2(rank + 1). q1 1 -> 0.631 (loss); q2 0.631 -> 1 (win);
  // q3 1/log2(6) = 0.387 -> 1 (win); q4 0 -> 0 (tie)
  assert.deepEqual({ wins: c.wins, losses: c.losses, ties: c.ties }, { wins: 2, losses: 1, ties: 1 });
  assert.deepEqual(
    c.perQuery.map((q) => q.queryId),
    ['q3', 'q2', 'q4', 'q1'],
  );
});

test('before/after lines read "base -> re-ranked" with metric and p50 latency', () => {
  // totals: base [6, 8, 8, 10] p50 8; re-ranked [86, 95, 95, 100] p50 95
  // P@4: base q1, q2 -> 2 / 16 = 0.125 (0.13); re-ranked q1, q2, q3 -> 3 / 16 = 0.1875 (0.19); +50%
  assert.deepEqual(beforeAfterLines(runs[0]!, runs[1]!), [
    'Without re-ranking: Precision@4 = 0.13, Latency = 8ms',
    'With re-ranking: Precision@4 = 0.19, Latency = 95ms',
    'Gain: Precision@4 0.13 -> 0.19 (+0.06, +50%), Latency 8ms -> 95ms (+87ms)',
  ]);
});

test('terminal table lists every run with metrics and per-stage latency', () => {
  const table = formatRunsTable(report, { metrics: ['P@1', 'MRR@10'] });
  const lines = table.split('\n');
  assert.match(lines[0]!, /^run\s+P@1\s+MRR@10\s+stage1 p50\s+stage1 p95\s+rerank p50\s+rerank p95$/);
  assert.match(lines[2]!, /^bm25\s+0\.250\s+0\.425\s+8ms\s+10ms\s+-\s+-$/);
  assert.match(lines[3]!, /^bm25\+mini@20\s+0\.500\s+0\.625\s+8ms\s+10ms\s+87ms\s+90ms$/);
});

test('Markdown summary carries the headline, the table and the win/loss counts', () => {
  const md = markdownSummary(report);
  assert.match(md, /^# sift eval: toy \(test, 4 queries\)/);
  assert.match(md, /## bm25 -> bm25\+mini@20/);
  assert.ok(md.includes('- With re-ranking: Precision@4 = 0.19, Latency = 95ms'));
  assert.ok(md.includes('2 wins, 1 losses, 1 ties'));
  assert.match(md, /\| bm25\+mini@20 \| 0\.500 \|/);
});

test('HTML report is self-contained, escapes query text and holds both charts', () => {
  const html = htmlReport(report);
  assert.ok(html.startsWith('<!doctype html>'));
  // no external resources: the only URL is the SVG namespace
  assert.deepEqual([...new Set(html.match(/https?:\/\/[^\s"']+/g) ?? [])], ['http://www.w3.org/2000/svg']);
  assert.ok(!/<script|<link|src=/i.test(html.replace(/&lt;script&gt;/g, '')), 'no scripts, links or sources');
  assert.ok(html.includes('q2: is &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; friends safe?'));
  assert.ok(!html.includes('<script>alert'));
  assert.match(html, /<svg[^>]*class="chart quality-latency"/);
  assert.match(html, /<svg[^>]*class="chart win-loss"/);
  // scatter: one hollow base point, one filled re-ranked point
  assert.equal((html.match(/<g class="point"><circle /g) ?? []).length, 2);
  assert.match(html, /<text [^>]*>2 bm25\+mini@20 {2}0\.\d{3} {2}95ms<\/text>/, 'legend names each point');
  // win/loss chart: two green bars, one red, the tie draws nothing
  assert.equal((html.match(/<rect class="win"/g) ?? []).length, 2);
  assert.equal((html.match(/<rect class="loss"/g) ?? []).length, 1);
  assert.ok(html.includes('bm25 -&gt; bm25+mini@20: 2 wins, 1 losses, 1 ties (nDCG@10)'));
  assert.ok(html.includes('<td>0.625</td>'), 'MRR@10 of the re-ranked run');
  assert.ok(html.includes('Without re-ranking: Precision@4 = 0.13, Latency = 8ms'));
});

test('sweep table: model, size, ms per query and quality, cheapest first', () => {
  const rows = sweepRows(runs, { sizeMB: (m) => (m === 'mini' ? 90.9 : undefined) });
  assert.deepEqual(
    rows.map((r) => [r.model, r.sizeMB, r.rerankMs, r.totalMs]),
    [
      ['none (bm25)', undefined, undefined, 8],
      ['mini', 90.9, 87, 95],
    ],
  );
  const text = formatSweepTable(runs, { sizeMB: () => 90.9, precisionKey: 'P@1' });
  assert.match(text, /^model\s+candidates\s+size MB\s+ms\/query \(rerank\)\s+ms\/query \(total\)\s+nDCG@10\s+P@1$/m);
  assert.match(text, /^mini\s+20\s+91\s+87ms\s+95ms\s+0\.\d{3}\s+0\.500$/m);
  assert.match(markdownSweepTable(runs), /\| none \(bm25\) \| 20 \| - \| - \| 8ms \|/);
});

test('writeReportFiles writes report.html, summary.md and results.json', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sift-report-'));
  t.after(() => rm(dir, { recursive: true }));
  const files = await writeReportFiles(report, join(dir, 'out'));
  assert.deepEqual(JSON.parse(await readFile(files.json, 'utf8')), report.json);
  assert.match(await readFile(files.html, 'utf8'), /<svg/);
  assert.match(await readFile(files.markdown, 'utf8'), /# sift eval: toy/);
});
