import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { isSiftError } from '../../src/errors.js';
import type { ChunkRecord, OpenStore, SourceRecord } from '../../src/stores/vector-store.js';

/**
 * The store contract suite (STYLE #21): every `VectorStore` backend runs these same tests.
 * `newLocation()` gives a fresh, empty location per test.
 */
export function runStoreContract(backend: string, open: OpenStore, newLocation: () => Promise<string>): void {
  const embedder = new HashingEmbedder({ dimension: 64 });
  const embedding = { model: embedder.model, dimension: 64 };

  async function chunks(source: string, texts: readonly string[], withVectors = true): Promise<ChunkRecord[]> {
    const vectors = withVectors ? await embedder.embed(texts) : [];
    return texts.map((text, i) => ({
      id: `${source}#${i}:${text.length}`,
      source,
      text,
      title: `Title of ${source}`,
      chunkIndex: i,
      start: i * 100,
      end: i * 100 + text.length,
      modifiedMs: 1_700_000_000_000,
      vector: vectors[i],
    }));
  }
  const record = (source: string, hash: string, chunkCount: number): SourceRecord => ({
    source,
    contentHash: hash,
    chunkCount,
    modifiedMs: 1_700_000_000_000,
    ingestedAt: '2026-01-01T00:00:00.000Z',
  });

  test(`${backend}: a missing store is STORE_ERROR unless created; info records the embedding`, async () => {
    const loc = await newLocation();
    await assert.rejects(open(loc), (e) => isSiftError(e, 'STORE_ERROR'));
    const store = await open(loc, { create: true, embedding });
    assert.deepEqual((await store.info()).embedding, embedding);
    assert.equal(await store.count(), 0);
    await store.close();
    const again = await open(loc);
    assert.deepEqual((await again.info()).embedding, embedding);
    await again.close();
  });

  test(`${backend}: upsert is idempotent by id; get returns in the order asked`, async () => {
    const store = await open(await newLocation(), { create: true, embedding });
    const rows = await chunks('/a.md', ['red apple pie', 'green pear tart', 'blue plum jam']);
    assert.deepEqual(await store.upsert(rows), { added: 3, updated: 0, removed: 0 });
    assert.deepEqual(await store.upsert(rows), { added: 0, updated: 3, removed: 0 });
    assert.equal(await store.count(), 3);
    const got = await store.get([rows[2]!.id, 'nope', rows[0]!.id]);
    assert.deepEqual(got.map((c) => c.text), ['blue plum jam', 'red apple pie']);
    const { vector: _v, ...expected } = rows[2]!;
    assert.deepEqual(got[0], expected);
    await store.close();
  });

  test(`${backend}: replaceSources swaps a source's chunks and records it; deleteSources removes both`, async () => {
    const store = await open(await newLocation(), { create: true, embedding });
    await store.replaceSources([
      { source: record('/a.md', 'h1', 3), chunks: await chunks('/a.md', ['one', 'two', 'three']) },
      { source: record('/b.md', 'h1', 1), chunks: await chunks('/b.md', ['bee']) },
    ]);
    assert.equal(await store.count(), 4);
    const r = await store.replaceSources([{ source: record('/a.md', 'h2', 1), chunks: await chunks('/a.md', ['one']) }]);
    assert.deepEqual(r, { added: 0, updated: 1, removed: 2 });
    assert.equal(await store.count({ source: '/a.md' }), 1);
    assert.deepEqual((await store.listSources()).map((s) => [s.source, s.contentHash, s.chunkCount]), [['/a.md', 'h2', 1], ['/b.md', 'h1', 1]]);
    assert.equal(await store.deleteSources(['/a.md']), 1);
    assert.deepEqual((await store.listSources()).map((s) => s.source), ['/b.md']);
    assert.equal(await store.count(), 1);
    await store.close();
  });

  test(`${backend}: dense search ranks by cosine similarity, honours filters and k`, async () => {
    const store = await open(await newLocation(), { create: true, embedding });
    await store.upsert([
      ...(await chunks('/docs/fruit.md', ['red apple pie', 'green pear tart'])),
      ...(await chunks('/docs/sub/veg.md', ['carrot soup', 'apple and carrot salad'])),
    ]);
    const [q] = await embedder.embed(['apple']);
    const hits = await store.denseSearch(q!, { k: 3 });
    assert.equal(hits.length, 3);
    assert.ok(hits[0]!.score >= hits[1]!.score && hits[1]!.score >= hits[2]!.score);
    assert.ok(['red apple pie', 'apple and carrot salad'].includes(hits[0]!.chunk.text));
    assert.ok(hits[0]!.score > 0.4 && hits[0]!.score <= 1.0001, `cosine similarity, got ${hits[0]!.score}`);
    const prefixed = await store.denseSearch(q!, { k: 10, filter: { sourcePrefix: '/docs/sub/' } });
    assert.deepEqual(new Set(prefixed.map((h) => h.chunk.source)), new Set(['/docs/sub/veg.md']));
    const exact = await store.denseSearch(q!, { k: 10, filter: { source: '/docs/fruit.md' }, exact: true });
    assert.equal(exact.length, 2);
    await assert.rejects(store.denseSearch(new Float32Array(8), { k: 1 }), (e) => isSiftError(e, 'STORE_MODEL_MISMATCH'));
    await store.close();
  });

  test(`${backend}: text search ranks by BM25, sees rows written after the index, honours filters`, async () => {
    const store = await open(await newLocation(), { create: true, embedding });
    await store.upsert(await chunks('/a.md', ['the zebra crossing', 'a zebra and a zebra foal', 'nothing here']));
    await store.optimize();
    await store.upsert(await chunks('/b.md', ['zebra written later']));
    const hits = await store.textSearch('zebra', { k: 10 });
    assert.deepEqual(new Set(hits.map((h) => h.chunk.source)), new Set(['/a.md', '/b.md']));
    assert.equal(hits.length, 3);
    assert.equal(hits[0]!.chunk.text, 'a zebra and a zebra foal', 'two occurrences rank first');
    assert.ok(hits.every((h) => h.score > 0));
    assert.deepEqual((await store.textSearch('zebra', { k: 10, filter: { source: '/b.md' } })).map((h) => h.chunk.text), ['zebra written later']);
    assert.deepEqual(await store.textSearch('   ', { k: 5 }), []);
    assert.ok(Array.isArray(await store.textSearch('quote\'s "and" (parens) AND OR -', { k: 5 })));
    await store.close();
  });

  test(`${backend}: a store built with one model refuses another, and changes nothing`, async () => {
    const loc = await newLocation();
    const store = await open(loc, { create: true, embedding });
    await store.upsert(await chunks('/a.md', ['kept']));
    await store.close();
    await assert.rejects(open(loc, { embedding: { model: 'other/model', dimension: 64 } }), (e) => isSiftError(e, 'STORE_MODEL_MISMATCH') && /sift\/hashing-64/.test(e.message));
    await assert.rejects(open(loc, { create: true, embedding: null }), (e) => isSiftError(e, 'STORE_MODEL_MISMATCH'));
    const reopened = await open(loc, { embedding });
    assert.equal(await reopened.count(), 1);
    assert.deepEqual((await reopened.info()).embedding, embedding);
    await reopened.close();
  });

  test(`${backend}: a keyword-only store takes chunks without vectors and refuses dense search`, async () => {
    const store = await open(await newLocation(), { create: true, embedding: null });
    assert.equal((await store.info()).embedding, null);
    await store.replaceSources([{ source: record('/k.md', 'h', 2), chunks: await chunks('/k.md', ['keyword only', 'bm25 store'], false) }]);
    assert.equal((await store.textSearch('keyword', { k: 5 }))[0]!.chunk.text, 'keyword only');
    await assert.rejects(store.denseSearch(new Float32Array(64), { k: 1 }), (e) => isSiftError(e, 'STORE_ERROR'));
    await store.close();
  });

  test(`${backend}: writes with wrong vectors or duplicate ids are refused before anything changes`, async () => {
    const store = await open(await newLocation(), { create: true, embedding });
    const rows = await chunks('/a.md', ['x', 'y']);
    await assert.rejects(store.upsert([{ ...rows[0]!, vector: new Float32Array(3) }]), (e) => isSiftError(e, 'STORE_MODEL_MISMATCH'));
    await assert.rejects(store.upsert([{ ...rows[0]!, vector: undefined }]), (e) => isSiftError(e, 'INVALID_INPUT'));
    await assert.rejects(store.upsert([rows[0]!, rows[0]!]), (e) => isSiftError(e, 'INVALID_INPUT'));
    await assert.rejects(store.replaceSources([{ source: record('/a.md', 'h', 1), chunks: [{ ...rows[0]!, vector: new Float32Array(3) }] }]), (e) => isSiftError(e, 'STORE_MODEL_MISMATCH'));
    await assert.rejects(store.replaceSources([{ source: record('/b.md', 'h', 1), chunks: rows }]), (e) => isSiftError(e, 'INVALID_INPUT'), 'chunk of another source');
    assert.equal(await store.count(), 0);
    assert.deepEqual(await store.listSources(), []);
    await store.close();
  });

  test(`${backend}: sources with quotes and SQL-looking names are stored and filtered literally`, async () => {
    const store = await open(await newLocation(), { create: true, embedding });
    const odd = "/it's/a 'b' OR 1=1 %_.md";
    await store.replaceSources([{ source: record(odd, 'h', 1), chunks: await chunks(odd, ['odd name']) }]);
    await store.upsert(await chunks('/other.md', ['odd other']));
    assert.equal(await store.count({ source: odd }), 1);
    assert.equal(await store.count({ sourcePrefix: "/it's/" }), 1);
    assert.equal(await store.count({ sourcePrefix: '/it%' }), 0);
    assert.equal(await store.deleteSources([odd]), 1);
    assert.equal(await store.count(), 1);
    await store.close();
  });
}
