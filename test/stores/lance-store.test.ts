import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { isSiftError } from '../../src/errors.js';
import { ingestDocuments } from '../../src/ingest/ingest-documents.js';
import { MANIFEST_FILE, openLanceStore } from '../../src/stores/lancedb/index.js';
import { runStoreContract } from './vector-store.contract.js';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';

after(removeTempDirs);

const newLocation = async (): Promise<string> => join(await tempDir('sift-store-'), 'store');

runStoreContract('lancedb', openLanceStore, newLocation, {
  dropHeadingPathColumn: async (location) => {
    const lancedb = await import('@lancedb/lancedb');
    const db = await lancedb.connect(location);
    const table = await db.openTable('chunks');
    await table.dropColumns(['heading_path']);
    table.close();
    db.close();
  },
  forgetDtype: async (location) => {
    const file = join(location, MANIFEST_FILE);
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    delete manifest.embedding.dtype;
    delete manifest.embedding.int8Recipe;
    await writeFile(file, JSON.stringify(manifest));
  },
});

test('lancedb: the manifest records backend, layout version and embedding', async () => {
  const loc = await newLocation();
  await (await openLanceStore(loc, { create: true, embedding: { model: 'm', dimension: 8 } })).close();
  const manifest = JSON.parse(await readFile(join(loc, MANIFEST_FILE), 'utf8'));
  assert.deepEqual(
    { ...manifest, createdAt: 'x' },
    {
      format: 'sift-store',
      version: 1,
      backend: 'lancedb',
      embedding: { model: 'm', dimension: 8, dtype: 'fp32' },
      createdAt: 'x',
    },
  );
});

test('lancedb: refuses to create a store in a non-empty foreign folder, or read a damaged manifest', async () => {
  const dir = await tempDir('sift-foreign-');
  await writeFile(join(dir, 'thesis.docx'), 'x');
  await assert.rejects(
    openLanceStore(dir, { create: true, embedding: null }),
    (e) => isSiftError(e, 'STORE_ERROR') && /not a sift store/.test(e.message),
  );
  const loc = await newLocation();
  await (await openLanceStore(loc, { create: true, embedding: null })).close();
  await writeFile(join(loc, MANIFEST_FILE), '{"format": "sift-st');
  await assert.rejects(openLanceStore(loc), (e) => isSiftError(e, 'STORE_ERROR') && /damaged/.test(e.message));
});

test('lancedb: a table whose creation was killed before its first commit is made again on open; the other keeps its rows', async () => {
  const loc = await newLocation();
  const embedder = HashingEmbedder.fromName('sift/hashing-64')!;
  const store = await openLanceStore(loc, { create: true, embedding: { model: embedder.model, dimension: 64 } });
  const documents = [1, 2, 3].map((i) => ({ id: `doc-${i}`, text: `text of document ${i}` }));
  await ingestDocuments({ documents, store, embedder });
  const before = await store.count();
  await store.close();
  // What a kill -9 inside createEmptyTable leaves: the table's folder, no committed version.
  await rm(join(loc, 'sources.lance'), { recursive: true, force: true });
  await mkdir(join(loc, 'sources.lance', '_versions'), { recursive: true });
  const reopened = await openLanceStore(loc);
  try {
    assert.equal(await reopened.count(), before, 'the chunks are untouched');
    const again = await ingestDocuments({ documents, store: reopened, embedder });
    assert.equal(again.documents.seen, 3, 'ingest works on the remade table');
  } finally {
    await reopened.close();
  }
});

test('lancedb: ANN index past the threshold; recall@10 of ANN against exact search', async () => {
  const dim = 32;
  const embedder = new HashingEmbedder({ dimension: dim });
  const store = await openLanceStore(await newLocation(), {
    create: true,
    embedding: { model: embedder.model, dimension: dim },
    tuning: { annMinRows: 2000 },
  });
  // Random unit vectors (seeded LCG) stand in for embeddings.
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const unit = (): Float32Array => {
    const v = Float32Array.from({ length: dim }, rand);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const rows = Array.from({ length: 2500 }, (_, i) => ({
    id: `c${i}`,
    source: `/s${i % 10}.md`,
    text: `chunk ${i}`,
    chunkIndex: i,
    start: 0,
    end: 1,
    modifiedMs: 0,
    vector: unit(),
  }));
  await store.upsert(rows);
  assert.equal(await store.hasVectorIndex(), false);
  await store.optimize();
  assert.equal(await store.hasVectorIndex(), true);
  let overlap = 0;
  for (let q = 0; q < 10; q++) {
    const v = unit();
    const exact = new Set((await store.denseSearch(v, { k: 10, exact: true })).map((h) => h.chunk.id));
    const ann = await store.denseSearch(v, { k: 10 });
    overlap += ann.filter((h) => exact.has(h.chunk.id)).length;
  }
  assert.ok(overlap / 100 >= 0.8, `recall@10 ${overlap / 100}`);
  await store.close();
});
