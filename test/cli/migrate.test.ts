import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeCorpus, removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { Bm25Retriever } from '../../src/retrieval/bm25-retriever.js';
import { DenseRetriever } from '../../src/retrieval/dense-retriever.js';
import { HybridRetriever } from '../../src/retrieval/hybrid-retriever.js';
import { openStore } from '../../src/stores/open-store.js';
import { runCli } from '../support/run-cli.js';
import { startPgliteServer, type PgliteServer } from '../stores/pglite-server.js';

let pglite: PgliteServer | undefined;
before(async () => {
  pglite = await startPgliteServer();
});
after(async () => {
  await pglite?.stop();
  await removeTempDirs();
});

const HASHING = 'sift/hashing-256';
const QUERIES = ['glacier moraine', 'volcano', 'section', 'ocean tides and the moon'];

interface Hit {
  chunkId: string;
  score: number;
}

/**
 * Hits per mode and query: what must survive a copy. Searched in this process through `openStore`
 * (the CLI's own path to a store), since a `sift search` process per query would cost seconds each.
 */
async function searchAll(location: string): Promise<Record<string, Hit[]>> {
  const store = await openStore(location);
  const embedder = new HashingEmbedder({ dimension: 256 });
  const dense = new DenseRetriever(store, embedder);
  const retrievers = {
    dense,
    bm25: new Bm25Retriever(store),
    hybrid: new HybridRetriever([dense, new Bm25Retriever(store)]),
  };
  const out: Record<string, Hit[]> = {};
  try {
    for (const [mode, retriever] of Object.entries(retrievers)) {
      for (const q of QUERIES) {
        const { results } = await retriever.retrieve(q, { k: 5, exact: true });
        out[`${mode}: ${q}`] = results.map((r) => ({ chunkId: r.chunk.id, score: r.score }));
      }
    }
  } finally {
    await store.close();
  }
  return out;
}

/** Hits scored above the last one, by id: those whose presence no tie at the cut-off can change. */
function unambiguous(hits: readonly Hit[]): string[] {
  const last = hits.at(-1)?.score ?? 0;
  return hits
    .filter((h) => h.score > last + 1e-6)
    .map((h) => `${h.chunkId} ${h.score.toFixed(5)}`)
    .sort();
}

/**
 * Every mode puts the same chunk first and returns as many hits; dense search gives the same cosine
 * scores to 1e-5, position by position, and the same chunks above the cut-off (same vectors, same
 * cosine). Chunks tied on score may come in another order, and across backends BM25 scores differ
 * by tokenizer (LanceDB's vs PostgreSQL's english configuration), so `sameBackend` adds BM25.
 */
function assertSameSearch(
  actual: Record<string, Hit[]>,
  expected: Record<string, Hit[]>,
  label: string,
  sameBackend = false,
): void {
  for (const [key, want] of Object.entries(expected)) {
    const got = actual[key]!;
    assert.equal(got.length, want.length, `${label} ${key}: number of hits`);
    if (want.length > 0) assert.equal(got[0]!.chunkId, want[0]!.chunkId, `${label} ${key}: first hit`);
    if (key.startsWith('dense') || (sameBackend && key.startsWith('bm25'))) {
      assert.deepEqual(
        got.map((h) => h.score.toFixed(5)),
        want.map((h) => h.score.toFixed(5)),
        `${label} ${key}: scores`,
      );
      assert.deepEqual(unambiguous(got), unambiguous(want), `${label} ${key}: hits above the cut-off`);
    }
  }
}

test('sift migrate: LanceDB -> PostgreSQL (PGlite) -> LanceDB keeps counts, vectors and search results', async () => {
  const corpus = await makeCorpus();
  const lance = join(await tempDir('sift-migrate-'), 'store');
  const ingest = await runCli([
    'ingest',
    corpus,
    '--store',
    lance,
    '--embedder',
    HASHING,
    '--max-file-size',
    '64k',
    '--json',
  ]);
  assert.equal(ingest.code, 0, ingest.stderr);
  const total = JSON.parse(ingest.stdout).chunks.total as number;
  assert.ok(total > 0);
  const before = await searchAll(lance);

  const pgLoc = await pglite!.newLocation();
  const there = await runCli(['migrate', '--from', lance, '--to', pgLoc, '--batch-size', '3', '--json']);
  assert.equal(there.code, 0, there.stderr);
  const s = JSON.parse(there.stdout);
  assert.deepEqual(s.chunks, { source: total, copied: total, targetBefore: 0, targetAfter: total });
  assert.equal(s.sources.source, s.sources.targetAfter);
  assert.equal(s.verified, true);
  assert.equal(s.embedding.model, HASHING);
  assert.doesNotMatch(there.stdout, /s3cret-pw/, 'the password is never printed');
  assertSameSearch(await searchAll(pgLoc), before, 'PostgreSQL');

  // Ingest into the copy knows its files: nothing to redo.
  const again = await runCli(['ingest', corpus, '--store', pgLoc, '--max-file-size', '64k', '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).files.ingested, 0);
  assert.doesNotMatch(again.stdout, /s3cret-pw/, 'nor does ingest');

  const back = join(await tempDir('sift-migrate-'), 'store');
  const home = await runCli(['migrate', '--from', pgLoc, '--to', back, '--json']);
  assert.equal(home.code, 0, home.stderr);
  assert.equal(JSON.parse(home.stdout).chunks.targetAfter, total);
  // Back in LanceDB, nothing was lost or changed on the way: the same answers, BM25 scores included.
  assertSameSearch(await searchAll(back), before, 'LanceDB -> PostgreSQL -> LanceDB', true);

  // A target of another embedding is refused, untouched.
  const other = await pglite!.newLocation();
  assert.equal(
    (await runCli(['ingest', corpus, '--store', other, '--embedder', 'sift/hashing-64', '--max-file-size', '64k']))
      .code,
    0,
  );
  const refused = await runCli(['migrate', '--from', lance, '--to', other, '--json']);
  assert.equal(refused.code, 1);
  assert.equal(JSON.parse(refused.stdout).error.code, 'STORE_MODEL_MISMATCH');
});
