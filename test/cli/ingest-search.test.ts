import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BROKEN_FILES, GOOD_FILES, makeCorpus, removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { runCli } from '../support/run-cli.js';
import { testModelDir } from '../support/test-models.js';

after(removeTempDirs);

const HASHING = 'sift/hashing-256';

async function tempStore(): Promise<string> {
  return join(await tempDir('sift-cli-'), 'store');
}

test('sift ingest: summary JSON, skip reasons, idempotent re-run, exit 0; LanceDB logs stay off stderr', async () => {
  const corpus = await makeCorpus();
  const store = await tempStore();
  const args = ['ingest', corpus, '--store', store, '--embedder', HASHING, '--max-file-size', '64k', '--json'];
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, '', 'nothing on stderr without a terminal');
  const s = JSON.parse(first.stdout);
  assert.equal(s.files.ingested, GOOD_FILES.length);
  assert.deepEqual(
    Object.fromEntries(
      s.skipped.map((f: { source: string; reason: string }) => [f.source.slice(corpus.length + 1), f.reason]),
    ),
    BROKEN_FILES,
  );
  // The loader names its option (`maxFileBytes`); the CLI shows the flag the user typed.
  const huge = s.skipped.find((f: { reason: string }) => f.reason === 'too-large');
  assert.match(huge.message, /raise --max-file-size to include it/);
  assert.equal(s.chunks.added, s.chunks.total);
  // Re-run without --embedder: the store's model is the default, and nothing changes.
  const againRun = await runCli(['ingest', corpus, '--store', store, '--max-file-size', '64k', '--json']);
  assert.equal(againRun.code, 0, againRun.stderr);
  const again = JSON.parse(againRun.stdout);
  assert.equal(again.embedder, HASHING);
  assert.deepEqual(
    [again.files.ingested, again.files.unchanged, again.chunks.added, again.chunks.removed],
    [0, GOOD_FILES.length, 0, 0],
  );
  // Another model is refused and nothing changes.
  const other = await runCli(['ingest', corpus, '--store', store, '--embedder', 'sift/hashing-64', '--json']);
  assert.equal(other.code, 1);
  assert.equal(JSON.parse(other.stdout).error.code, 'STORE_MODEL_MISMATCH');
  assert.match(other.stderr, /was built with sift\/hashing-256 \(dimension 256, fp32\), not sift\/hashing-64/);
});

test('sift search: JSON shape for dense, bm25 and hybrid; filters; the right document first', async () => {
  const corpus = await makeCorpus();
  const store = await tempStore();
  assert.equal(
    (await runCli(['ingest', corpus, '--store', store, '--embedder', HASHING, '--max-file-size', '64k'])).code,
    0,
  );
  for (const mode of ['dense', 'bm25', 'hybrid']) {
    // Hybrid also checks the folder filter: everything under sub/ only.
    const filter = mode === 'hybrid' ? ['--under', join(corpus, 'sub')] : [];
    const res = await runCli([
      'search',
      'glacier moraine',
      '--store',
      store,
      '-k',
      '3',
      '--mode',
      mode,
      '--json',
      ...filter,
    ]);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.query, 'glacier moraine');
    // The glacier file has two chunks: BM25 only returns chunks containing a query word, and hybrid
    // is filtered to sub/, which holds only that file; dense returns the nearest 3 of all.
    const want = mode === 'dense' ? [1, 2, 3] : [1, 2];
    assert.deepEqual(
      out.results.map((r: { rank: number }) => r.rank),
      want,
    );
    for (const r of out.results) {
      for (const key of ['rank', 'chunkId', 'source', 'text', 'score'])
        assert.ok(key in r, `${mode}: result has ${key}`);
    }
    assert.equal(out.results[0].source, join(corpus, 'sub/deep.md'), `${mode}: the glacier file first`);
    assert.equal(typeof out.timings.totalMs, 'number');
    if (mode === 'hybrid')
      assert.ok(out.results.every((r: { source: string }) => r.source.startsWith(join(corpus, 'sub'))));
  }
});

test('sift ingest/search: keyword-only store with --embedder none', async () => {
  const corpus = await makeCorpus();
  const store = await tempStore();
  const res = await runCli(['ingest', corpus, '--store', store, '--embedder', 'none', '--json']);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout).embedder, null);
  // The default mode of a keyword-only store is bm25; the text output names the file and the mode.
  const found = await runCli(['search', 'zanzibar', '--store', store, '-k', '2']);
  assert.equal(found.code, 0, found.stderr);
  assert.match(found.stdout, /^ {2}1 {2}\d+\.\d{4} {2}.*paper\.pdf\n/);
  assert.match(found.stdout, /results \(bm25\) in/);
  const dense = await runCli(['search', 'zanzibar', '--store', store, '--mode', 'dense']);
  assert.equal(dense.code, 2);
  assert.match(dense.stderr, /keyword-only/);
});

test('sift ingest: exit 1 when every file fails, 2 on usage errors; --prune removes deleted files', async () => {
  const dir = await tempDir('sift-bad-');
  await writeFile(join(dir, 'empty.md'), '');
  await writeFile(join(dir, 'bin.txt'), new Uint8Array([0, 1, 2]));
  const store = await tempStore();
  const bad = await runCli(['ingest', dir, '--store', store, '--embedder', HASHING]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /ingested 0 files, 0 unchanged, 2 skipped/);
  assert.equal((await runCli(['ingest', dir, '--store', store, '--chunk-size', '0'])).code, 2);

  await writeFile(join(dir, 'a.md'), '# A\n\nalpha text');
  await writeFile(join(dir, 'b.md'), '# B\n\nbeta text');
  assert.equal((await runCli(['ingest', dir, '--store', store, '--embedder', HASHING])).code, 0);
  await rm(join(dir, 'b.md'));
  const pruned = JSON.parse((await runCli(['ingest', dir, '--store', store, '--prune', '--json'])).stdout);
  assert.deepEqual(
    pruned.removed.map((r: { source: string }) => r.source),
    [join(dir, 'b.md')],
  );
  assert.equal(pruned.chunks.total, 1);
});

test('sift ingest + search with a real ONNX bi-encoder (tiny generated model)', async () => {
  const model = await testModelDir('embedder');
  const corpus = await makeCorpus();
  const store = await tempStore();
  const res = await runCli([
    'ingest',
    corpus,
    '--store',
    store,
    '--embedder',
    model,
    '--max-file-size',
    '64k',
    '--json',
  ]);
  assert.equal(res.code, 0, res.stderr);
  const s = JSON.parse(res.stdout);
  assert.equal(s.files.ingested, GOOD_FILES.length);
  const found = await runCli(['search', 'glacier moraine', '--store', store, '--mode', 'dense', '-k', '5', '--json']);
  assert.equal(found.code, 0, found.stderr);
  const out = JSON.parse(found.stdout);
  assert.equal(out.results.length, 5);
  assert.ok(out.results.every((r: { score: number }) => r.score >= -1 && r.score <= 1.0001));
  assert.equal(out.embedder, model);
});

test('sift ingest --dtype int8 records the dtype; search and later ingests follow the store; another --dtype is refused naming both', async () => {
  const model = await testModelDir('embedder');
  const corpus = await makeCorpus();
  const store = await tempStore();
  const common = ['--store', store, '--max-file-size', '64k', '--json'];
  const first = await runCli(['ingest', corpus, '--embedder', model, '--dtype', 'int8', ...common]);
  assert.equal(first.code, 0, first.stderr);
  const s = JSON.parse(first.stdout);
  assert.equal(s.embedding.dtype, 'int8');
  assert.match(s.embedding.int8Recipe, /^[\w-]+\.v\d+$/);
  const total = s.chunks.total;
  // No --dtype: the later ingest embeds in the store's int8 (a changed file is re-embedded, not refused).
  await writeFile(join(corpus, 'late.md'), '# Late\n\nA glacier carved this valley and left a moraine behind.\n');
  const later = await runCli(['ingest', corpus, ...common]);
  assert.equal(later.code, 0, later.stderr);
  assert.equal(JSON.parse(later.stdout).embedding.dtype, 'int8');
  assert.equal(JSON.parse(later.stdout).files.ingested, 1);
  const found = await runCli(['search', 'glacier moraine', '--store', store, '--mode', 'dense', '-k', '3', '--json']);
  assert.equal(found.code, 0, found.stderr);
  assert.equal(JSON.parse(found.stdout).results.length, 3);
  // An explicit --dtype that is not the store's is refused, naming both, and nothing changes.
  for (const args of [
    ['ingest', corpus, '--dtype', 'fp32', ...common],
    ['search', 'glacier moraine', '--store', store, '--mode', 'dense', '--dtype', 'fp32', '--json'],
  ]) {
    const refused = await runCli(args);
    assert.equal(refused.code, 1, args[0]);
    assert.equal(JSON.parse(refused.stdout).error.code, 'STORE_MODEL_MISMATCH');
    assert.match(refused.stderr, /was built with .* in int8, not fp32; use --dtype int8/);
  }
  const after = JSON.parse((await runCli(['ingest', corpus, ...common])).stdout);
  assert.equal(after.chunks.total, total + JSON.parse(later.stdout).chunks.added);
  assert.equal(after.files.ingested, 0);
});
