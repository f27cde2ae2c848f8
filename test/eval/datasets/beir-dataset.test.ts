import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isSiftError } from '../../../src/errors.js';
import { loadBeirDataset, readQrels } from '../../../src/eval/datasets/index.js';
import type { EvalDocument } from '../../../src/eval/types.js';
import { sharedDir } from '../../support/test-models.js';

async function collect(corpus: AsyncIterable<EvalDocument> | readonly EvalDocument[]): Promise<EvalDocument[]> {
  const out: EvalDocument[] = [];
  for await (const d of corpus) out.push(d);
  return out;
}

async function makeDataset(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sift-beir-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

const corpus = ['{"_id": "d1", "title": "T1", "text": "one"}', '{"_id": 2, "text": "two, no title"}', ''].join('\n');
const queries = [
  '{"_id": "q1", "text": "first"}',
  '{"_id": "q2", "text": "unjudged in test"}',
  '{"_id": "q3", "text": "third"}',
].join('\r\n');
const qrels = 'query-id\tcorpus-id\tscore\nq3\td1\t2\nq1\td1\t1\nq1\t2\t0\n';

test('loads a BEIR folder: judged queries only, in file order, graded qrels, streamed corpus', async (t) => {
  const dir = await makeDataset({ 'corpus.jsonl': corpus, 'queries.jsonl': queries, 'qrels/test.tsv': qrels });
  t.after(() => rm(dir, { recursive: true }));
  const ds = await loadBeirDataset(dir);
  assert.equal(ds.split, 'test');
  assert.deepEqual(ds.queries, [
    { id: 'q1', text: 'first' },
    { id: 'q3', text: 'third' },
  ]);
  assert.deepEqual(
    [...(ds.qrels.get('q1') ?? [])],
    [
      ['d1', 1],
      ['2', 0],
    ],
  );
  assert.equal(ds.qrels.get('q3')?.get('d1'), 2);
  const docs = await collect(ds.corpus);
  assert.deepEqual(docs, [
    { id: 'd1', title: 'T1', text: 'one' },
    { id: '2', title: '', text: 'two, no title' },
  ]);
  // the corpus is re-iterable: a second pass reads the file again
  assert.equal((await collect(ds.corpus)).length, 2);
  // --limit keeps a prefix of the judged queries and their qrels
  const limited = await loadBeirDataset(dir, { limit: 1 });
  assert.deepEqual(
    limited.queries.map((q) => q.id),
    ['q1'],
  );
  assert.deepEqual([...limited.qrels.keys()], ['q1']);
});

test('reads corpus.jsonl.gz through node:zlib', async (t) => {
  const dir = await makeDataset({
    'corpus.jsonl.gz': gzipSync(corpus),
    'queries.jsonl': queries,
    'qrels/dev.tsv': qrels,
  });
  t.after(() => rm(dir, { recursive: true }));
  const ds = await loadBeirDataset(dir, { split: 'dev' });
  assert.deepEqual(
    (await collect(ds.corpus)).map((d) => d.id),
    ['d1', '2'],
  );
});

test('malformed input names the file, the line and the fix', async (t) => {
  const dir = await makeDataset({
    'corpus.jsonl': '{"_id": "d1", "text": "ok"}\n{"_id": "d2", "text": \n',
    'queries.jsonl': queries,
    'qrels/test.tsv': qrels,
  });
  t.after(() => rm(dir, { recursive: true }));
  const ds = await loadBeirDataset(dir);
  await assert.rejects(collect(ds.corpus), (err: unknown) => {
    assert.ok(isSiftError(err, 'INVALID_INPUT'));
    assert.match(err.message, /corpus\.jsonl:2: not valid JSON/);
    return true;
  });
  await assert.rejects(loadBeirDataset(dir, { split: 'train' }), (err: unknown) => {
    assert.ok(isSiftError(err, 'INVALID_INPUT'));
    assert.match(err.message, /no qrels\/train\.tsv; available splits: test/);
    return true;
  });
  await writeFile(join(dir, 'qrels/bad.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\thigh\n');
  await assert.rejects(
    loadBeirDataset(dir, { split: 'bad' }),
    /bad\.tsv:2: expected a query id, a document id and an integer score/,
  );
  await writeFile(join(dir, 'qrels/orphan.tsv'), 'query-id\tcorpus-id\tscore\nq9\td1\t1\n');
  await assert.rejects(
    loadBeirDataset(dir, { split: 'orphan' }),
    /judges 1 query that .*queries\.jsonl does not have \(first: q9\)/,
  );
  await writeFile(join(dir, 'queries.jsonl'), '{"_id": "q1", "text": "ok"}\n["not", "an", "object"]\n');
  await assert.rejects(loadBeirDataset(dir), /queries\.jsonl:2: expected a JSON object/);
  const empty = await makeDataset({ 'queries.jsonl': queries });
  t.after(() => rm(empty, { recursive: true }));
  await assert.rejects(loadBeirDataset(empty), /has no corpus\.jsonl or corpus\.jsonl\.gz/);
});

test('readQrels also accepts the 4-column TREC layout without a header', async (t) => {
  const dir = await makeDataset({ 'qrels.txt': '401 0 FT-1 1\n401 0 FT-2 0\n402 0 LA-9 2\n' });
  t.after(() => rm(dir, { recursive: true }));
  const q = await readQrels(join(dir, 'qrels.txt'));
  assert.deepEqual(
    [...(q.get('401') ?? [])],
    [
      ['FT-1', 1],
      ['FT-2', 0],
    ],
  );
  assert.equal(q.get('402')?.get('LA-9'), 2);
});

// The real SciFact test split from ../shared/data (README: 300 queries, 339 judgements, 5,183 docs).
const scifact = join(sharedDir(), 'data', 'scifact');
test(
  'real data: SciFact test split loads with 300 queries, 339 judgements, 5,183 documents',
  { skip: existsSync(scifact) ? false : `skipped: no dataset at ${scifact}` },
  async () => {
    const ds = await loadBeirDataset(scifact);
    assert.equal(ds.name, 'scifact');
    assert.equal(ds.queries.length, 300);
    assert.equal(
      [...ds.qrels.values()].reduce((n, m) => n + m.size, 0),
      339,
    );
    assert.ok([...ds.qrels.values()].every((m) => [...m.values()].every((g) => g === 1)));
    let docs = 0;
    const ids = new Set<string>();
    for await (const d of ds.corpus) {
      docs += 1;
      ids.add(d.id);
    }
    assert.equal(docs, 5183);
    // every judged document is in the corpus
    for (const m of ds.qrels.values()) for (const id of m.keys()) assert.ok(ids.has(id), id);
  },
);

const dbpedia = join(sharedDir(), 'data', 'dbpedia-entity-subset');
test(
  'real data: DBpedia-entity subset keeps graded 0/1/2 qrels for its 40 judged queries',
  { skip: existsSync(dbpedia) ? false : `skipped: no dataset at ${dbpedia}` },
  async () => {
    const ds = await loadBeirDataset(dbpedia);
    assert.equal(ds.queries.length, 40);
    const grades = new Set([...ds.qrels.values()].flatMap((m) => [...m.values()]));
    assert.deepEqual([...grades].sort(), [0, 1, 2]);
  },
);
