import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { isSiftError } from '../../src/errors.js';
import { ingestFiles, type IngestOptions } from '../../src/ingest/index.js';
import { openLanceStore } from '../../src/stores/lancedb/index.js';
import type { VectorStore } from '../../src/stores/vector-store.js';
import {
  BROKEN_FILES,
  CORPUS_MAX_FILE_BYTES,
  GOOD_FILES,
  makeCorpus,
  removeTempDirs,
  tempDir,
  TOPICS,
} from './make-corpus.js';

after(removeTempDirs);

const embedder = new HashingEmbedder({ dimension: 128 });
const embedding = { model: embedder.model, dimension: 128 };

async function setup(): Promise<{
  corpus: string;
  store: VectorStore;
  run: (o?: Partial<IngestOptions>) => ReturnType<typeof ingestFiles>;
}> {
  const corpus = await makeCorpus();
  const store = await openLanceStore(join(await tempDir('sift-ingest-'), 'store'), { create: true, embedding });
  const run = (o: Partial<IngestOptions> = {}) =>
    ingestFiles({
      paths: [corpus],
      store,
      embedder,
      maxFileBytes: CORPUS_MAX_FILE_BYTES,
      chunkSize: 300,
      chunkOverlap: 30,
      batchChunks: 8,
      ...o,
    });
  return { corpus, store, run };
}

test('ingest: good files in, each broken file skipped with its reason, hidden and unsupported files ignored', async () => {
  const { corpus, store, run } = await setup();
  const s = await run();
  assert.deepEqual(s.ingested.map((f) => f.source.slice(corpus.length + 1)).sort(), [...GOOD_FILES].sort());
  assert.deepEqual(
    Object.fromEntries(s.skipped.map((f) => [f.source.slice(corpus.length + 1), f.reason])),
    BROKEN_FILES,
  );
  assert.equal(s.files.seen, GOOD_FILES.length + Object.keys(BROKEN_FILES).length);
  assert.equal(s.files.ingested, GOOD_FILES.length);
  assert.equal(s.chunks.added, s.chunks.total);
  assert.equal(s.chunks.total, await store.count());
  assert.ok(s.chunks.total > GOOD_FILES.length, 'long files give several chunks');
  assert.equal(s.embedder, embedder.model);
  for (const [file, topic] of Object.entries(TOPICS)) {
    const [top] = await store.textSearch(topic, { k: 1 });
    assert.equal(top?.chunk.source, join(corpus, file), `"${topic}" should find ${file} first`);
  }
  const [html] = await store.textSearch('volcano', { k: 1 });
  assert.equal(html?.chunk.title, 'All about volcano magma');
  const sources = await store.listSources();
  assert.equal(sources.length, GOOD_FILES.length);
  assert.ok(sources.every((src) => /^[0-9a-f]{64}$/.test(src.contentHash) && src.chunkCount > 0));
  await store.close();
});

test('ingest: re-running on unchanged files changes nothing', async () => {
  const { store, run } = await setup();
  const first = await run();
  const ids = (await store.denseSearch((await embedder.embed(['section']))[0]!, { k: 1000, exact: true }))
    .map((h) => h.chunk.id)
    .sort();
  const again = await run();
  assert.equal(again.files.ingested, 0);
  assert.equal(again.files.unchanged, GOOD_FILES.length);
  assert.deepEqual([again.chunks.added, again.chunks.removed, again.chunks.total], [0, 0, first.chunks.total]);
  const after = (await store.denseSearch((await embedder.embed(['section']))[0]!, { k: 1000, exact: true }))
    .map((h) => h.chunk.id)
    .sort();
  assert.deepEqual(after, ids);
  await store.close();
});

test('ingest: a changed file replaces its chunks; --prune removes deleted files only under the given paths', async () => {
  const { corpus, store, run } = await setup();
  const outside = await tempDir('sift-outside-');
  await writeFile(
    join(outside, 'keep.md'),
    '# Keep\n\nThis file lives elsewhere and must survive a prune of the corpus.',
  );
  await run();
  await run({ paths: [outside] });
  const before = await store.count();
  await writeFile(join(corpus, 'notes.txt'), 'Completely new notes about narwhal tusks.');
  await rm(join(corpus, 'sub'), { recursive: true });
  const noPrune = await run();
  assert.deepEqual(
    noPrune.ingested.map((f) => f.source),
    [join(corpus, 'notes.txt')],
  );
  assert.ok(noPrune.chunks.removed > 0);
  assert.equal((await store.textSearch('entanglement', { k: 5 })).length, 0, 'old text is gone');
  assert.equal((await store.textSearch('narwhal', { k: 5 }))[0]?.chunk.source, join(corpus, 'notes.txt'));
  assert.equal(
    (await store.count({ source: join(corpus, 'sub/deep.md') })) > 0,
    true,
    'without --prune deleted files stay',
  );
  const pruned = await run({ prune: true });
  assert.deepEqual(
    pruned.removed.map((r) => r.source),
    [join(corpus, 'sub/deep.md')],
  );
  assert.equal(await store.count({ source: join(corpus, 'sub/deep.md') }), 0);
  assert.equal(await store.count({ source: join(outside, 'keep.md') }), 1, 'files outside the pruned paths stay');
  assert.ok((await store.count()) < before);
  await store.close();
});

test('ingest: appending to a file keeps its ids stable for unchanged leading chunks', async () => {
  const { corpus, store, run } = await setup();
  await run();
  const file = join(corpus, 'guide.md');
  const before = await store.count({ source: file });
  await appendFile(file, '\n\n## Appendix\n\nA short appendix.\n');
  const s = await run();
  assert.equal(s.files.ingested, 1);
  assert.ok(
    s.chunks.added >= 1 && s.chunks.added < before,
    `only the tail changes (added ${s.chunks.added} of ${before})`,
  );
  await store.close();
});

test('ingest: a missing path is skipped as not-found; include/exclude globs narrow the walk', async () => {
  const { corpus, store, run } = await setup();
  const s = await run({ paths: [join(corpus, 'nope'), join(corpus, 'notes.txt')] });
  assert.deepEqual(
    s.skipped.map((f) => f.reason),
    ['not-found'],
  );
  assert.equal(s.files.ingested, 1);
  const md = await run({ include: ['*.md'], exclude: ['sub/**'] });
  assert.deepEqual(
    md.ingested.map((f) => f.source.slice(corpus.length + 1)),
    ['guide.md'],
  );
  assert.deepEqual(
    md.skipped.map((f) => f.reason),
    ['empty'],
  );
  await store.close();
});

test('ingest: a different embedder than the store was built with is refused before any write', async () => {
  const { store, run } = await setup();
  await assert.rejects(run({ embedder: new HashingEmbedder({ dimension: 64 }) }), (e) =>
    isSiftError(e, 'STORE_MODEL_MISMATCH'),
  );
  await assert.rejects(run({ embedder: null }), (e) => isSiftError(e, 'STORE_MODEL_MISMATCH'));
  assert.equal(await store.count(), 0);
  assert.deepEqual(await store.listSources(), []);
  await store.close();
});

test('ingest: keyword-only store with no embedder', async () => {
  const corpus = await makeCorpus();
  const store = await openLanceStore(join(await tempDir('sift-bm25-'), 'store'), { create: true, embedding: null });
  const s = await ingestFiles({ paths: [corpus], store, embedder: null, maxFileBytes: CORPUS_MAX_FILE_BYTES });
  assert.equal(s.embedder, null);
  assert.equal(s.files.ingested, GOOD_FILES.length);
  assert.equal((await store.textSearch('glacier moraine', { k: 1 }))[0]?.chunk.source, join(corpus, 'sub/deep.md'));
  await store.close();
});
