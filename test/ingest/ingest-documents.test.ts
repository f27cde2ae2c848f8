import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { ingestDocuments, type DocumentInput } from '../../src/ingest/ingest-documents.js';
import { openStore } from '../../src/stores/open-store.js';
import { tempDir } from '../support/temp-dir.js';

const docs = (n: number, edit = -1): DocumentInput[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `doc-${i}`,
    title: `Title ${i}`,
    text: i === edit ? `edited text ${i}` : `text of document ${i}`,
  }));

test('documents given as data: more than one commit of sources, idempotent re-runs, a changed document replaced', async () => {
  const embedder = new HashingEmbedder({ dimension: 64 });
  const location = join(await tempDir('sift-docs-'), 'store');
  const store = await openStore(location, { create: true, embedding: { model: embedder.model, dimension: 64 } });
  try {
    // 600 one-chunk documents: more sources than one commit takes (500), so batching by sources is exercised.
    const first = await ingestDocuments({ documents: docs(600), store, embedder });
    assert.deepEqual(first.documents, { seen: 600, ingested: 600, unchanged: 0 });
    assert.equal(first.chunks.total, 600);
    const [hit] = await store.textSearch('document 123', { k: 1 });
    assert.equal(hit?.chunk.source, 'doc-123', 'the document id becomes the chunk source');
    assert.equal(hit?.chunk.title, 'Title 123');
    assert.match(hit.chunk.text, /^Title 123\n\ntext of document 123$/, 'the title heads the chunked text');

    const again = await ingestDocuments({ documents: docs(600), store, embedder });
    assert.deepEqual(again.documents, { seen: 600, ingested: 0, unchanged: 600 });
    assert.equal(again.chunks.added, 0);

    const edited = await ingestDocuments({ documents: docs(600, 7), store, embedder });
    assert.deepEqual(edited.documents, { seen: 600, ingested: 1, unchanged: 599 });
    assert.equal(edited.chunks.total, 600);
    assert.equal((await store.textSearch('edited', { k: 5 }))[0]?.chunk.source, 'doc-7');
  } finally {
    await store.close();
  }
});
