import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testModelDir } from '../support/test-models.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

const examples = fileURLToPath(new URL('../../examples/docs', import.meta.url));
const EMBEDDER = 'sift/hashing-256';

async function exampleStore(): Promise<string> {
  const store = join(await tempDir('sift-query-'), 'store');
  const res = await runCli(['ingest', examples, '--store', store, '--embedder', EMBEDDER, '--json']);
  assert.equal(res.code, 0, res.stderr);
  return store;
}

test('sift query: two-stage results with both scores; --no-rerank shows stage 1; --compare counts what changed', async () => {
  const store = await exampleStore();
  const judge = await testModelDir('reranker');
  const q = 'How many people live in Berlin?';

  const two = await runCli([
    'query',
    q,
    '--store',
    store,
    '--reranker',
    judge,
    '--candidates',
    '10',
    '-k',
    '3',
    '--json',
  ]);
  assert.equal(two.code, 0, two.stderr);
  const out = JSON.parse(two.stdout);
  assert.equal(out.mode, 'hybrid');
  assert.equal(out.reranker, judge);
  assert.equal(out.results.length, 3);
  for (const r of out.results) {
    assert.ok(r.score >= 0 && r.score <= 1);
    assert.ok(r.retrievalRank >= 1 && r.retrievalRank <= 10);
    assert.equal(typeof r.source, 'string');
  }
  for (const key of ['retrieveMs', 'rerankMs', 'totalMs']) assert.equal(typeof out.timings[key], 'number');

  const plain = await runCli(['query', q, '--store', store, '--no-rerank', '--mode', 'bm25', '-k', '2', '--json']);
  assert.equal(plain.code, 0, plain.stderr);
  const p = JSON.parse(plain.stdout);
  assert.equal(p.reranker, null);
  assert.deepEqual(
    p.results.map((r: { retrievalRank: number }) => r.retrievalRank),
    [1, 2],
  );
  assert.match(p.results[0].source, /berlin\.md$/);

  const cmp = await runCli([
    'query',
    q,
    '--store',
    store,
    '--reranker',
    judge,
    '--candidates',
    '10',
    '-k',
    '4',
    '--compare',
    '--json',
  ]);
  assert.equal(cmp.code, 0, cmp.stderr);
  const c = JSON.parse(cmp.stdout);
  assert.equal(c.semantic.length, 4);
  assert.equal(c.reranked.length, 4);
  const before = new Set(c.semantic.map((h: { chunkId: string }) => h.chunkId));
  assert.equal(c.changed, c.reranked.filter((h: { chunkId: string }) => !before.has(h.chunkId)).length);
  const text = await runCli(['query', q, '--store', store, '--reranker', judge, '--candidates', '10', '--compare']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`re-ranking changed ${c.changed} of 4`));

  const bad = await runCli(['query', q, '--store', store, '--compare', '--no-rerank']);
  assert.equal(bad.code, 2);
  const badMode = await runCli(['query', q, '--store', store, '--mode', 'fuzzy']);
  assert.equal(badMode.code, 2);
  assert.match(badMode.stderr, /--mode must be one of dense, bm25, hybrid/);
});

/** A small BEIR-layout dataset: 12 documents, 3 judged queries. */
async function tinyBeir(): Promise<string> {
  const dir = await tempDir('sift-beir-');
  const docs = [
    ['b1', 'Berlin population', 'Berlin has about 3.7 million inhabitants, the largest city population in Germany.'],
    ['b2', 'Berlin museums', 'Berlin is known for the Museum Island and many galleries.'],
    ['p1', 'Paris', 'Paris is the capital of France with about 2.1 million residents.'],
    ['c1', 'Coffee', 'Brew coffee with water between 90 and 96 degrees Celsius.'],
    ['c2', 'Espresso', 'Espresso forces hot water through fine coffee at 9 bars of pressure.'],
    ['s1', 'Photosynthesis', 'Plants turn light, water and carbon dioxide into glucose and oxygen.'],
    ...Array.from({ length: 6 }, (_, i) => [
      `n${i}`,
      `Note ${i}`,
      `An unrelated note number ${i} about gardening and tools.`,
    ]),
  ];
  await writeFile(
    join(dir, 'corpus.jsonl'),
    docs.map(([id, title, text]) => JSON.stringify({ _id: id, title, text })).join('\n'),
  );
  await writeFile(
    join(dir, 'queries.jsonl'),
    [
      { _id: 'q1', text: 'how many people live in Berlin' },
      { _id: 'q2', text: 'coffee water temperature' },
      { _id: 'q3', text: 'how do plants make oxygen' },
    ]
      .map((q) => JSON.stringify(q))
      .join('\n'),
  );
  await mkdir(join(dir, 'qrels'));
  await writeFile(
    join(dir, 'qrels', 'test.tsv'),
    'query-id\tcorpus-id\tscore\nq1\tb1\t1\nq2\tc1\t2\nq2\tc2\t1\nq3\ts1\t1\n',
  );
  return dir;
}

test('sift eval: every mode alone and re-ranked, metrics and latencies as JSON, the corpus store reused, reports written', async () => {
  const dataset = await tinyBeir();
  const store = join(dataset, 'store');
  const out = join(dataset, 'report');
  const judge = await testModelDir('reranker');
  const args = [
    'eval',
    '--dataset',
    dataset,
    '--store',
    store,
    '--embedder',
    EMBEDDER,
    '--reranker',
    judge,
    '--candidates',
    '5,10',
    '--json',
  ];
  const first = await runCli([...args, '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  const r = JSON.parse(first.stdout);
  assert.equal(r.dataset, 'sift-beir-' + dataset.split('sift-beir-')[1]);
  assert.equal(r.split, 'test');
  assert.equal(r.queries, 3);
  assert.equal(r.ingest.documents, 12);
  assert.ok(r.ingest.chunksAdded >= 12);
  const names = r.runs.map((x: { name: string }) => x.name);
  for (const mode of ['dense', 'bm25', 'hybrid']) {
    assert.ok(names.includes(mode), `${mode} alone`);
    assert.ok(names.includes(`${mode}+${judge}@5`) && names.includes(`${mode}+${judge}@10`), `${mode} re-ranked`);
  }
  for (const run of r.runs) {
    for (const key of ['P@1', 'P@4', 'R@20', 'MRR@10', 'nDCG@10']) {
      assert.ok(run.metrics[key] >= 0 && run.metrics[key] <= 1, `${run.name} ${key}`);
    }
    assert.ok(run.latency.stage1.p50 >= 0);
    assert.equal(run.latency.rerank === null, run.reranker === null);
  }
  // BM25 finds the one relevant Berlin document first.
  const bm25 = r.runs.find((x: { name: string }) => x.name === 'bm25');
  assert.ok(bm25.metrics['R@20'] === 1, 'every judged document is within the top 20 of a 12-document corpus');
  for (const f of ['report.html', 'summary.md', 'results.json']) assert.ok(existsSync(join(out, f)), f);

  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).ingest.chunksAdded, 0, 'the second run reuses the ingested corpus');

  const table = await runCli([
    'eval',
    '--dataset',
    dataset,
    '--store',
    store,
    '--embedder',
    EMBEDDER,
    '--reranker',
    judge,
    '--mode',
    'bm25',
  ]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Without re-ranking: Precision@4 = \d\.\d\d, Latency = \d+ms/);
  assert.match(table.stdout, /With re-ranking: Precision@4 = \d\.\d\d/);
});

test("sift eval on a labelled file of the user's own documents, and clear errors", async () => {
  const store = await exampleStore();
  const dir = await tempDir('sift-labelled-');
  const file = join(dir, 'questions.jsonl');
  await writeFile(
    file,
    [
      JSON.stringify({ query: 'How many people live in Berlin?', relevant: ['docs/berlin.md'] }),
      JSON.stringify({ query: 'What temperature should coffee water be?', answers: ['90 and 96 degrees'] }),
    ].join('\n'),
  );
  const res = await runCli(['eval', '--dataset', file, '--store', store, '--no-rerank', '--mode', 'bm25', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.equal(r.queries, 2);
  assert.equal(r.runs[0].name, 'bm25');
  assert.equal(r.runs[0].metrics['R@20'], 1, 'BM25 finds the Berlin file and the coffee answer within 20');

  const missing = await runCli(['eval', '--store', store]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--dataset is required/);
  const nowhere = await runCli(['eval', '--dataset', join(dir, 'nope'), '--embedder', 'none']);
  assert.equal(nowhere.code, 1);
  assert.match(nowhere.stderr, /nope/);
});

test('sift eval: Hit@k, tags, relevant+answers lines, paired significance and the re-rank verdict in JSON and text', async () => {
  const store = await exampleStore();
  const judge = await testModelDir('reranker');
  const dir = await tempDir('sift-labelled-');
  const file = join(dir, 'questions.jsonl');
  await writeFile(
    file,
    [
      JSON.stringify({ query: 'How many people live in Berlin?', relevant: ['docs/berlin.md'], tags: ['city'] }),
      JSON.stringify({
        query: 'What temperature should coffee water be?',
        answers: ['90 and 96 degrees'],
        kind: 'how-to',
      }),
      JSON.stringify({
        query: 'coffee water temperature',
        relevant: ['coffee.md'],
        answers: ['96 degrees'],
        tags: ['how-to'],
      }),
    ].join('\n'),
  );
  const args = [
    'eval',
    '--dataset',
    file,
    '--store',
    store,
    '--mode',
    'bm25',
    '--reranker',
    judge,
    '--candidates',
    '5',
    '--k',
    '1,4',
  ];
  const res = await runCli([...args, '--latency-budget-ms', '100000', '--seed', '7', '--json']);
  assert.equal(res.code, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  for (const key of ['dataset', 'split', 'queries', 'runs', 'store', 'ingest']) assert.ok(key in r, key);
  assert.equal(r.queries, 3);
  for (const run of r.runs) assert.ok(run.metrics['Hit@4'] >= run.metrics['Hit@1'], 'Hit@k grows with k');
  assert.equal(r.runs[0].metrics['Hit@4'], 1, 'BM25 brings each answer into the top 4 of this small corpus');
  assert.equal(r.significance.seed, 7);
  assert.deepEqual(r.significance.metrics, ['P@4', 'Hit@4', 'MRR@10', 'nDCG@10']);
  assert.equal(r.significance.comparisons.length, 1);
  assert.equal(r.significance.comparisons[0].queries, 3);
  const [rec] = r.recommendations;
  assert.equal(rec.stage1, 'bm25');
  assert.equal(rec.latencyBudgetMs, 100000);
  assert.ok(rec.verdict === 'rerank' || rec.verdict === 'skip');
  assert.equal(typeof rec.addedLatency.p50, 'number');
  assert.deepEqual(
    r.groups.map((g: { tag: string }) => g.tag),
    ['city', 'how-to'],
  );
  assert.equal(r.groups[1].queries, 2);

  const text = await runCli(args);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Is the gain real\? \(paired over queries\)/);
  assert.match(text.stdout, /^Paired: P@4 [+-]\d\.\d{3} \[/m);
  assert.match(text.stdout, /By tag:\n\ncity \(1 query\):/);
  assert.match(
    text.stdout,
    /Should I re-rank\?\n {2}bm25 \(P@4 \d\.\d\d\): re-rank with .*@5: .* — (worth it|skip it)$/m,
  );

  const badBudget = await runCli([...args, '--latency-budget-ms', 'soon']);
  assert.equal(badBudget.code, 2);
  assert.match(badBudget.stderr, /--latency-budget-ms must be a number/);
  const help = await runCli(['eval', '--help']);
  assert.match(help.stdout, /--latency-budget-ms <ms>/);
  assert.match(help.stdout, /--seed <n>/);
});
