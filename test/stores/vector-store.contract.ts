import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { isSiftError } from '../../src/errors.js';
import { Bm25Retriever } from '../../src/retrieval/bm25-retriever.js';
import { DenseRetriever } from '../../src/retrieval/dense-retriever.js';
import { HybridRetriever } from '../../src/retrieval/hybrid-retriever.js';
import type { ChunkRecord, OpenStore, SourceRecord, VectorStore } from '../../src/stores/vector-store.js';
import { crashCorpus } from './crash-corpus.js';
import { headingPathOf } from '../../src/stores/store-rows.js';

/** What a backend can do beyond the contract, for the cases that need it. */
export interface StoreContractHooks {
  /**
   * Drops every open connection to the store's server (the server restarts or terminates its
   * backends). Backends without a server leave it out, and the case says why it is skipped.
   */
  dropConnections?: () => Promise<void>;
  /** Makes the store at a location look like one made before heading paths (drops the column). */
  dropHeadingPathColumn?: (location: string) => Promise<void>;
  /** Makes the store at a location look like one made before sift recorded the scout's dtype. */
  forgetDtype?: (location: string) => Promise<void>;
}

/**
 * The store contract suite (STYLE #21): every `VectorStore` backend runs these same tests.
 * `newLocation()` gives a fresh, empty location per test.
 */
export function runStoreContract(
  backend: string,
  open: OpenStore,
  newLocation: () => Promise<string>,
  hooks: StoreContractHooks = {},
): void {
  const embedder = new HashingEmbedder({ dimension: 64 });
  const embedding = { model: embedder.model, dimension: 64 };
  // What a store records for an embedding that names no dtype: fp32, spelled out.
  const recorded = { ...embedding, dtype: 'fp32' };

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
    assert.deepEqual((await store.info()).embedding, recorded);
    assert.equal(await store.count(), 0);
    await store.close();
    const again = await open(loc);
    assert.deepEqual((await again.info()).embedding, recorded);
    await again.close();
  });

  test(`${backend}: the scout's dtype and int8 recipe are recorded; another dtype is refused naming both, and nothing is lost`, async () => {
    const loc = await newLocation();
    const int8 = { ...embedding, dtype: 'int8' as const, int8Recipe: 'scout-w8.v2' };
    const store = await open(loc, { create: true, embedding: int8 });
    await store.upsert(await chunks('/a.md', ['kept']));
    await store.close();
    const again = await open(loc);
    assert.deepEqual((await again.info()).embedding, int8);
    await again.close();
    for (const wanted of [embedding, { ...embedding, dtype: 'fp32' as const }]) {
      await assert.rejects(
        open(loc, { create: true, embedding: wanted }),
        (e) =>
          isSiftError(e, 'STORE_MODEL_MISMATCH') &&
          e.details?.option === 'dtype' &&
          /was built with sift\/hashing-64 in int8, not fp32/.test(e.message),
      );
    }
    // Another recipe of the same dtype is accepted (recorded and shown, not compared).
    const reopened = await open(loc, { embedding: { ...int8, int8Recipe: 'w7.v2' } });
    assert.equal(await reopened.count(), 1);
    assert.deepEqual((await reopened.info()).embedding, int8);
    await reopened.close();
  });

  test(`${backend}: a store made before sift recorded the dtype reads as fp32 and refuses int8`, async (t) => {
    if (!hooks.forgetDtype) {
      t.skip(`skipped: ${backend} cannot simulate an older store`);
      return;
    }
    const loc = await newLocation();
    const first = await open(loc, { create: true, embedding });
    await first.upsert(await chunks('/old.md', ['zebra crossing rules']));
    await first.close();
    await hooks.forgetDtype(loc);
    const store = await open(loc, { embedding });
    assert.deepEqual((await store.info()).embedding, recorded);
    assert.equal(await store.count(), 1);
    await store.close();
    await assert.rejects(
      open(loc, { embedding: { ...embedding, dtype: 'int8' } }),
      (e) => isSiftError(e, 'STORE_MODEL_MISMATCH') && /in fp32, not int8/.test(e.message),
    );
  });

  test(`${backend}: heading paths are stored with the chunk and read back by get, search and scan`, async () => {
    const store = await open(await newLocation(), { create: true, embedding });
    const rows = (await chunks('/m.html', ['plain vacuum may not be satisfactory', 'no path here'])).map((c, i) => ({
      ...c,
      headingPath: i === 0 ? 'Manual › Routine Vacuuming › Recovering Disk Space' : undefined,
      title: i === 0 ? 'Manual' : undefined,
    }));
    await store.upsert(rows);
    await store.optimize();
    const [got, bare] = await store.get(rows.map((r) => r.id));
    assert.equal(got!.headingPath, 'Manual › Routine Vacuuming › Recovering Disk Space');
    assert.equal(bare!.headingPath, undefined);
    assert.equal((await store.textSearch('vacuum', { k: 1 }))[0]!.chunk.headingPath, got!.headingPath);
    const [q] = await embedder.embed(['plain vacuum']);
    assert.equal((await store.denseSearch(q!, { k: 1 }))[0]!.chunk.headingPath, got!.headingPath);
    const scanned = [];
    for await (const batch of store.scan()) scanned.push(...batch);
    assert.equal(scanned.find((c) => c.id === rows[0]!.id)!.headingPath, got!.headingPath);
    await store.close();
  });

  test(`${backend}: a store made before heading paths opens, reads the title as the path, and gains the column on its first write`, async (t) => {
    if (!hooks.dropHeadingPathColumn) {
      t.skip(`skipped: ${backend} cannot simulate an older store`);
      return;
    }
    const loc = await newLocation();
    const first = await open(loc, { create: true, embedding });
    const old = await chunks('/old.md', ['zebra crossing rules', 'more about zebras']);
    await first.upsert(old);
    await first.optimize();
    await first.close();
    await hooks.dropHeadingPathColumn(loc);
    const store = await open(loc, { embedding });
    const [a] = await store.get([old[0]!.id]);
    assert.equal(a!.headingPath, undefined);
    assert.equal(headingPathOf(a!), 'Title of /old.md', 'the title stands in for the missing path');
    assert.equal((await store.textSearch('zebra', { k: 5, headingPath: true })).length, 2);
    const [q] = await embedder.embed(['zebra']);
    assert.equal((await store.denseSearch(q!, { k: 5 })).length, 2);
    const fresh = (await chunks('/new.md', ['lions and tigers'])).map((c) => ({ ...c, headingPath: 'Zoo › Big cats' }));
    await store.upsert(fresh);
    await store.optimize();
    const [n, o] = await store.get([fresh[0]!.id, old[1]!.id]);
    assert.equal(n!.headingPath, 'Zoo › Big cats');
    assert.equal(headingPathOf(o!), 'Title of /old.md');
    assert.equal(await store.count(), 3);
    await store.close();
    const again = await open(loc);
    assert.equal((await again.get([fresh[0]!.id]))[0]!.headingPath, 'Zoo › Big cats');
    await again.close();
  });

  test(`${backend}: upsert is idempotent by id; get returns in the order asked`, async () => {
    const store = await open(await newLocation(), { create: true, embedding });
    const rows = await chunks('/a.md', ['red apple pie', 'green pear tart', 'blue plum jam']);
    assert.deepEqual(await store.upsert(rows), { added: 3, updated: 0, removed: 0 });
    assert.deepEqual(await store.upsert(rows), { added: 0, updated: 3, removed: 0 });
    assert.equal(await store.count(), 3);
    const got = await store.get([rows[2]!.id, 'nope', rows[0]!.id]);
    assert.deepEqual(
      got.map((c) => c.text),
      ['blue plum jam', 'red apple pie'],
    );
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
    const r = await store.replaceSources([
      { source: record('/a.md', 'h2', 1), chunks: await chunks('/a.md', ['one']) },
    ]);
    assert.deepEqual(r, { added: 0, updated: 1, removed: 2 });
    assert.equal(await store.count({ source: '/a.md' }), 1);
    assert.deepEqual(
      (await store.listSources()).map((s) => [s.source, s.contentHash, s.chunkCount]),
      [
        ['/a.md', 'h2', 1],
        ['/b.md', 'h1', 1],
      ],
    );
    assert.equal(await store.deleteSources(['/a.md']), 1);
    assert.deepEqual(
      (await store.listSources()).map((s) => s.source),
      ['/b.md'],
    );
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
    await assert.rejects(store.denseSearch(new Float32Array(8), { k: 1 }), (e) =>
      isSiftError(e, 'STORE_MODEL_MISMATCH'),
    );
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
    assert.deepEqual(
      (await store.textSearch('zebra', { k: 10, filter: { source: '/b.md' } })).map((h) => h.chunk.text),
      ['zebra written later'],
    );
    assert.deepEqual(await store.textSearch('   ', { k: 5 }), []);
    assert.ok(Array.isArray(await store.textSearch('quote\'s "and" (parens) AND OR -', { k: 5 })));
    await store.close();
  });

  test(`${backend}: a store built with one model refuses another, and changes nothing`, async () => {
    const loc = await newLocation();
    const store = await open(loc, { create: true, embedding });
    await store.upsert(await chunks('/a.md', ['kept']));
    await store.close();
    await assert.rejects(
      open(loc, { embedding: { model: 'other/model', dimension: 64 } }),
      (e) => isSiftError(e, 'STORE_MODEL_MISMATCH') && /sift\/hashing-64/.test(e.message),
    );
    await assert.rejects(open(loc, { create: true, embedding: null }), (e) => isSiftError(e, 'STORE_MODEL_MISMATCH'));
    const reopened = await open(loc, { embedding });
    assert.equal(await reopened.count(), 1);
    assert.deepEqual((await reopened.info()).embedding, recorded);
    await reopened.close();
  });

  test(`${backend}: a keyword-only store takes chunks without vectors and refuses dense search`, async () => {
    const store = await open(await newLocation(), { create: true, embedding: null });
    assert.equal((await store.info()).embedding, null);
    await store.replaceSources([
      { source: record('/k.md', 'h', 2), chunks: await chunks('/k.md', ['keyword only', 'bm25 store'], false) },
    ]);
    assert.equal((await store.textSearch('keyword', { k: 5 }))[0]!.chunk.text, 'keyword only');
    await assert.rejects(store.denseSearch(new Float32Array(64), { k: 1 }), (e) => isSiftError(e, 'STORE_ERROR'));
    await store.close();
  });

  test(`${backend}: writes with wrong vectors (dimension, missing, NaN) or duplicate ids are refused before anything changes`, async () => {
    const store = await open(await newLocation(), { create: true, embedding });
    const rows = await chunks('/a.md', ['x', 'y']);
    await assert.rejects(store.upsert([{ ...rows[0]!, vector: new Float32Array(3) }]), (e) =>
      isSiftError(e, 'STORE_MODEL_MISMATCH'),
    );
    await assert.rejects(store.upsert([{ ...rows[0]!, vector: undefined }]), (e) => isSiftError(e, 'INVALID_INPUT'));
    await assert.rejects(store.upsert([rows[0]!, rows[0]!]), (e) => isSiftError(e, 'INVALID_INPUT'));
    const nan = Float32Array.from(rows[0]!.vector!, (x, i) => (i === 5 ? Number.NaN : x));
    await assert.rejects(
      store.upsert([rows[1]!, { ...rows[0]!, vector: nan }]),
      (e) => isSiftError(e, 'INVALID_INPUT') && /NaN or infinite/.test((e as Error).message),
      'a NaN in a vector',
    );
    await assert.rejects(
      store.replaceSources([
        { source: record('/a.md', 'h', 1), chunks: [{ ...rows[0]!, vector: new Float32Array(3) }] },
      ]),
      (e) => isSiftError(e, 'STORE_MODEL_MISMATCH'),
    );
    await assert.rejects(
      store.replaceSources([{ source: record('/b.md', 'h', 1), chunks: rows }]),
      (e) => isSiftError(e, 'INVALID_INPUT'),
      'chunk of another source',
    );
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

  /** A small help-desk corpus with one clearly right document per query below. */
  const helpDesk: Record<string, string> = {
    '/kb/password.md': 'To reset your password open Settings, choose Security and click Reset password.',
    '/kb/vpn.md': 'The VPN client disconnects when the laptop sleeps; reconnect from the tray icon.',
    '/kb/printer.md': 'The printer on floor 3 jams often; use tray 2 and report error E102 to facilities.',
    '/kb/email.md': 'Email quota is 50 GB; archive old mail to free space in your mailbox.',
    '/kb/laptop.md': 'A new laptop is ordered through the IT portal; approval by your manager is required.',
    '/kb/wifi.md': 'Guest wifi password changes every Monday and is posted at reception.',
  };
  async function helpDeskStore(): Promise<VectorStore> {
    const store = await open(await newLocation(), { create: true, embedding });
    const items = await Promise.all(
      Object.entries(helpDesk).map(async ([source, text]) => ({
        source: record(source, 'h', 1),
        chunks: await chunks(source, [text]),
      })),
    );
    await store.replaceSources(items);
    await store.optimize();
    return store;
  }

  test(`${backend}: dense, full-text and hybrid search rank a fixed corpus`, async () => {
    const store = await helpDeskStore();
    const top = async (mode: 'dense' | 'bm25' | 'hybrid', query: string): Promise<string[]> => {
      const dense = new DenseRetriever(store, embedder);
      const retriever =
        mode === 'dense'
          ? dense
          : mode === 'bm25'
            ? new Bm25Retriever(store)
            : new HybridRetriever([dense, new Bm25Retriever(store)]);
      return (await retriever.retrieve(query, { k: 3 })).results.map((r) => r.chunk.source);
    };
    // Both query words are in password.md (twice each); wifi.md has only "password": BM25 weighs the
    // rarer "reset" and the repeats, and any one matching word is enough to be a candidate.
    const bm25 = await top('bm25', 'reset password');
    assert.deepEqual(bm25.slice(0, 2), ['/kb/password.md', '/kb/wifi.md']);
    assert.equal((await top('bm25', 'E102 jams'))[0], '/kb/printer.md', 'exact rare codes');
    assert.deepEqual(await top('bm25', 'the and of'), [], 'stop words only');
    assert.equal((await top('dense', 'printer tray error'))[0], '/kb/printer.md');
    assert.equal((await top('dense', 'archive mail quota'))[0], '/kb/email.md');
    assert.equal((await top('hybrid', 'vpn disconnects laptop'))[0], '/kb/vpn.md');
    assert.equal((await top('hybrid', 'manager approval new laptop'))[0], '/kb/laptop.md');
    const scores = (await store.textSearch('reset password', { k: 6 })).map((h) => h.score);
    assert.ok(
      scores.every((s, i) => s > 0 && (i === 0 || s <= scores[i - 1]!)),
      `BM25 scores positive and descending: ${scores.join(', ')}`,
    );
    await store.close();
  });

  test(`${backend}: scan returns every chunk once with its exact vector; putSources records sources as given`, async () => {
    const store = await open(await newLocation(), { create: true, embedding });
    const rows = await chunks(
      '/s.md',
      Array.from({ length: 25 }, (_, i) => `scanned chunk number ${i}`),
    );
    await store.upsert(rows);
    const seen: ChunkRecord[] = [];
    for await (const batch of store.scan({ batchSize: 10 })) {
      assert.ok(batch.length > 0 && batch.length <= 10);
      seen.push(...batch);
    }
    assert.equal(seen.length, 25);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const c of seen) {
      const want = byId.get(c.id);
      assert.ok(want, c.id);
      assert.deepEqual({ ...c, vector: Array.from(c.vector!) }, { ...want, vector: Array.from(want.vector!) });
    }
    await store.putSources([record('/s.md', 'copied', 25)]);
    assert.deepEqual(
      (await store.listSources()).map((s) => [s.source, s.contentHash, s.chunkCount]),
      [['/s.md', 'copied', 25]],
    );
    assert.equal(await store.count(), 25, 'putSources leaves chunks alone');
    await store.close();

    const keywordOnly = await open(await newLocation(), { create: true, embedding: null });
    await keywordOnly.upsert(await chunks('/k.md', ['a', 'b', 'c'], false));
    let n = 0;
    for await (const batch of keywordOnly.scan()) n += batch.filter((c) => c.vector === undefined).length;
    assert.equal(n, 3);
    await keywordOnly.close();
  });

  /** No source is half-written: a source with chunks is listed, and one recorded as done has all of them. */
  async function assertNoHalfWrittenSource(store: VectorStore, chunksPerSource: number): Promise<void> {
    const records = new Map((await store.listSources()).map((s) => [s.source, s]));
    const counts = new Map<string, number>();
    for await (const batch of store.scan())
      for (const c of batch) counts.set(c.source, (counts.get(c.source) ?? 0) + 1);
    for (const [source, n] of counts) assert.ok(records.has(source), `${source} has ${n} chunks but no record`);
    for (const [source, r] of records) {
      if (r.contentHash === 'final')
        assert.equal(
          counts.get(source) ?? 0,
          chunksPerSource,
          `${source} recorded as done with ${counts.get(source) ?? 0} chunks`,
        );
    }
  }

  /** Re-runs the write as `sift ingest` would: every source whose record does not say done. */
  async function rerunAndCheck(location: string, sources: number, chunksPerSource: number): Promise<void> {
    const store = await open(location, { embedding });
    await assertNoHalfWrittenSource(store, chunksPerSource);
    const done = new Set((await store.listSources()).filter((s) => s.contentHash === 'final').map((s) => s.source));
    const todo = (await crashCorpus(embedder, sources, chunksPerSource)).filter((i) => !done.has(i.source.source));
    for (let i = 0; i < todo.length; i += 8) await store.replaceSources(todo.slice(i, i + 8));
    assert.equal(await store.count(), sources * chunksPerSource);
    assert.deepEqual(new Set((await store.listSources()).map((s) => s.contentHash)), new Set(['final']));
    await store.close();
  }

  test(`${backend}: a writer killed in the middle of a write leaves no half-written source; a re-run completes`, async () => {
    const location = await newLocation();
    const [sources, perSource] = [48, 150];
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./write-sources-child.ts', import.meta.url)),
        location,
        String(sources),
        String(perSource),
        '8',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const outcome = await new Promise<{ commits: number; killed: boolean }>((resolve, reject) => {
      let out = '';
      let killed = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        // Killed right after its first commit: the next write is then in flight.
        if (!killed && /committed 1\n/.test(out)) killed = child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('exit', () => resolve({ commits: (out.match(/committed/g) ?? []).length, killed }));
    });
    assert.ok(outcome.killed, `the writer was killed (commits ${outcome.commits}; stderr ${stderr.slice(0, 500)})`);
    assert.ok(outcome.commits < sources / 8, 'killed before it finished');
    await rerunAndCheck(location, sources, perSource);
  });

  test(
    `${backend}: a connection dropped in the middle of a write leaves no half-written source; a re-run completes`,
    {
      skip: hooks.dropConnections
        ? false
        : `${backend} has no connection to drop (an embedded store; the killed-writer case covers its crashes)`,
    },
    async () => {
      const location = await newLocation();
      const [sources, perSource] = [32, 150];
      const store = await open(location, { create: true, embedding });
      const items = await crashCorpus(embedder, sources, perSource);
      await store.replaceSources(items.slice(0, 8));
      // Settled into a value at once: on a real server the write fails while the connections are
      // still being dropped, before the assertion below would attach its handler.
      const writing = store.replaceSources(items.slice(8, 32)).then(
        () => undefined,
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 30));
      await hooks.dropConnections!();
      const failure = await writing;
      assert.ok(
        isSiftError(failure, 'STORE_ERROR'),
        `the write in flight fails with STORE_ERROR, got ${String(failure)}`,
      );
      // The same store object recovers: its pool replaces the dead connections.
      assert.ok((await store.count()) >= 8 * perSource);
      await store.close();
      await rerunAndCheck(location, sources, perSource);
    },
  );
}
