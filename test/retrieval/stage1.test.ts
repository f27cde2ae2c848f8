import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { isSiftError } from '../../src/errors.js';
import {
  Bm25Retriever,
  DenseRetriever,
  HybridRetriever,
  reciprocalRankFusion,
  type RetrievedChunk,
} from '../../src/retrieval/index.js';
import { RerankingRetriever } from '../../src/retrieval/reranking-retriever.js';
import { openLanceStore } from '../../src/stores/lancedb/index.js';
import type { StoredChunk, VectorStore } from '../../src/stores/vector-store.js';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import type { Reranker } from '../../src/reranking/reranker.js';

after(removeTempDirs);

const chunk = (id: string): StoredChunk => ({
  id,
  source: `/${id}.md`,
  text: id,
  chunkIndex: 0,
  start: 0,
  end: id.length,
  modifiedMs: 0,
});
const list = (...ids: string[]): RetrievedChunk[] =>
  ids.map((id, i) => ({ chunk: chunk(id), rank: i + 1, score: 1 - i / 10 }));

test('RRF: Σ 1/(60 + rank), hand-computed; ties break by best rank then id; inputs untouched', () => {
  const dense = list('a', 'b', 'c');
  const bm25 = list('b', 'd');
  const frozen = JSON.stringify([dense, bm25]);
  const fused = reciprocalRankFusion({ dense, bm25 });
  assert.deepEqual(
    fused.map((r) => r.chunk.id),
    ['b', 'a', 'd', 'c'],
  );
  assert.ok(Math.abs(fused[0]!.score - (1 / 62 + 1 / 61)) < 1e-12);
  assert.ok(Math.abs(fused[1]!.score - 1 / 61) < 1e-12);
  assert.ok(Math.abs(fused[2]!.score - 1 / 62) < 1e-12, 'd: rank 2 in bm25 beats c: rank 3 in dense (1/63)');
  assert.deepEqual(fused[0]!.parts, [
    { retriever: 'dense', rank: 2, score: 0.9 },
    { retriever: 'bm25', rank: 1, score: 1 },
  ]);
  assert.deepEqual(
    fused.map((r) => r.rank),
    [1, 2, 3, 4],
  );
  assert.equal(JSON.stringify([dense, bm25]), frozen);
  // Same RRF score (rank 1 in one list each): the id decides, deterministically.
  assert.deepEqual(
    reciprocalRankFusion({ x: list('z'), y: list('m') }).map((r) => r.chunk.id),
    ['m', 'z'],
  );
  assert.equal(reciprocalRankFusion({ dense, bm25 }, { limit: 2 }).length, 2);
});

/**
 * A small realistic corpus (help-desk articles). The hashing embedder matches words, not meaning,
 * so the relevance assertions below are about shared words, which is what the fake can promise.
 */
const ARTICLES: Record<string, string> = {
  '/kb/password.md':
    'To reset your password, open Settings, choose Security and click Reset password. A reset link is emailed to you.',
  '/kb/billing.md':
    'Invoices are issued monthly. Update your credit card under Billing; refunds take five business days.',
  '/kb/export.md':
    'Export your data as CSV or JSON from the Reports page. Large exports are emailed as a download link.',
  '/kb/errors.md': 'Error E4711 means the upload exceeded the quota. Delete old files or upgrade the plan to continue.',
  '/kb/sso.md':
    'Single sign-on works with SAML and OIDC providers. Ask your administrator to enable SSO for the workspace.',
};

async function kbStore(): Promise<{ store: VectorStore; embedder: HashingEmbedder }> {
  const embedder = new HashingEmbedder({ dimension: 512 });
  const store = await openLanceStore(join(await tempDir('sift-kb-'), 'store'), {
    create: true,
    embedding: { model: embedder.model, dimension: 512 },
  });
  const texts = Object.values(ARTICLES);
  const vectors = await embedder.embed(texts);
  await store.upsert(
    Object.keys(ARTICLES).map((source, i) => ({
      id: `kb${i}`,
      source,
      text: texts[i]!,
      chunkIndex: 0,
      start: 0,
      end: texts[i]!.length,
      modifiedMs: 0,
      vector: vectors[i],
    })),
  );
  return { store, embedder };
}

test('dense, BM25 and hybrid put the right article first on the help-desk corpus', async () => {
  const { store, embedder } = await kbStore();
  const dense = new DenseRetriever(store, embedder);
  const bm25 = new Bm25Retriever(store);
  const hybrid = new HybridRetriever([dense, bm25]);
  // "reset password" shares two words with the password article only.
  for (const r of [dense, bm25, hybrid]) {
    const res = await r.retrieve('how do I reset my password', { k: 3 });
    assert.equal(res.results[0]?.chunk.source, '/kb/password.md', r.mode);
    assert.ok((res.timings.totalMs ?? -1) >= 0);
  }
  // An error code is a rare exact term: BM25 finds it, and hybrid keeps BM25's hit on top.
  assert.equal((await bm25.retrieve('E4711', { k: 1 })).results[0]?.chunk.source, '/kb/errors.md');
  const fused = await hybrid.retrieve('what does E4711 mean', { k: 3 });
  assert.equal(fused.results[0]?.chunk.source, '/kb/errors.md');
  assert.ok(fused.results[0]?.parts?.some((p) => p.retriever === 'bm25' && p.rank === 1));
  assert.ok('dense.embedMs' in fused.timings && 'bm25.searchMs' in fused.timings);
  // Filters reach the store.
  const only = await hybrid.retrieve('password', { k: 5, filter: { source: '/kb/sso.md' } });
  assert.deepEqual([...new Set(only.results.map((r) => r.chunk.source))], ['/kb/sso.md']);
  await store.close();
});

test('BM25 ranks equal scores (duplicate passages) by chunk id, whatever order the store holds them in', async () => {
  const text = 'Algorithm 97: shortest path between nodes of a network';
  const rows = ['d3', 'd1', 'd2'].map((id) => ({ ...chunk(id), text, end: text.length }));
  const rankings: string[][] = [];
  for (const order of [rows, [...rows].reverse()]) {
    const store = await openLanceStore(join(await tempDir('sift-ties-'), 'store'), { create: true, embedding: null });
    for (const row of order) await store.upsert([row]); // one write each: the physical order is the insertion order
    await store.upsert([{ ...chunk('other'), text: 'a shortest note on paths' }]);
    const res = await new Bm25Retriever(store).retrieve('shortest path network', { k: 4 });
    rankings.push(res.results.map((r) => r.chunk.id));
    assert.equal(res.results[0]!.score, res.results[2]!.score, 'the three duplicates score the same');
    await store.close();
  }
  assert.deepEqual(rankings[0]!.slice(0, 3), ['d1', 'd2', 'd3']);
  assert.deepEqual(rankings[1], rankings[0]);
});

test('dense retrieval with another embedder than the store was built with is STORE_MODEL_MISMATCH', async () => {
  const { store } = await kbStore();
  const other = new DenseRetriever(store, new HashingEmbedder({ dimension: 64 }));
  await assert.rejects(other.retrieve('password'), (e) => isSiftError(e, 'STORE_MODEL_MISMATCH'));
  await store.close();
});

test('stage-1 retrievers plug into the two-stage RerankingRetriever', async () => {
  const { store, embedder } = await kbStore();
  const two = new RerankingRetriever({
    retriever: new HybridRetriever([new DenseRetriever(store, embedder), new Bm25Retriever(store)]),
    candidates: 5,
    topK: 2,
  });
  const res = await two.retrieve('export reports as CSV');
  assert.equal(res.stage1, 'hybrid');
  assert.equal(res.hits[0]?.chunk.source, '/kb/export.md');
  assert.equal(res.hits.length, 2);
  await store.close();
});

test('BM25 with heading paths finds a chunk by its section name; the judge can read heading path + chunk', async () => {
  const embedder = new HashingEmbedder({ dimension: 64 });
  const store = await openLanceStore(join(await tempDir('sift-hp-'), 'store'), {
    create: true,
    embedding: { model: embedder.model, dimension: 64 },
  });
  const texts = [
    'Plain VACUUM may not be satisfactory when a table holds many dead rows.',
    'Indexes speed up lookups by key.',
  ];
  const vectors = await embedder.embed(texts);
  await store.upsert(
    texts.map((text, i) => ({
      id: `c${i}`,
      source: `/manual/${i}.html`,
      text,
      headingPath: i === 0 ? 'Manual › Routine Vacuuming › Recovering Disk Space' : 'Manual › Indexes',
      chunkIndex: 0,
      start: 0,
      end: text.length,
      modifiedMs: 0,
      vector: vectors[i],
    })),
  );
  await store.optimize();
  const query = 'recovering disk space';
  assert.equal(
    (await new Bm25Retriever(store).retrieve(query, { k: 2 })).results.length,
    0,
    'the chunk text alone has none of the words',
  );
  const found = await new Bm25Retriever(store, { headingPath: true }).retrieve(query, { k: 2 });
  assert.equal(found.results[0]?.chunk.id, 'c0');
  assert.equal(found.results[0]?.chunk.text, texts[0], 'results carry the chunk text, not the heading path');

  const seen: string[][] = [];
  const judge = {
    model: 'recording-judge',
    async rerank(_q: string, docs: readonly (string | { text: string })[]) {
      const passages = docs.map((d) => (typeof d === 'string' ? d : d.text));
      seen.push(passages);
      return {
        results: passages.map((_, index) => ({
          index,
          document: docs[index]!,
          text: passages[index]!,
          score: 1 - index / 10,
          logit: 0,
          truncated: false,
        })),
        truncatedPairs: 0,
        timings: { totalMs: 0 },
      };
    },
    async close() {},
  } as unknown as Reranker;
  const dense = new DenseRetriever(store, embedder);
  await new RerankingRetriever({ retriever: dense, reranker: judge, candidates: 2, topK: 2 }).retrieve('vacuum');
  const withPath = await new RerankingRetriever({
    retriever: dense,
    reranker: judge,
    candidates: 2,
    topK: 2,
    judgeHeadingPath: true,
  }).retrieve('vacuum');
  assert.ok(
    seen[0]!.every((p) => texts.includes(p)),
    'by default the judge reads the chunk alone',
  );
  assert.ok(
    seen[1]!.every((p) => /^Manual › .+\n\n/.test(p)),
    'with judgeHeadingPath it reads heading path + chunk',
  );
  assert.ok(withPath.hits.every((h) => texts.includes(h.chunk.text)));
  await store.close();
});

test('hybrid asks each retriever for max(k, 100) candidates by default, or max(k, depth), and returns k', async () => {
  const asked: number[] = [];
  const fixed = (mode: string, ids: string[]) => ({
    mode,
    retrieve: (_query: string, options: { k?: number } = {}) => {
      asked.push(options.k ?? -1);
      return Promise.resolve({ results: list(...ids).slice(0, options.k), timings: { totalMs: 0 } });
    },
  });
  const retrievers = [fixed('dense', ['a', 'b', 'c']), fixed('bm25', ['c', 'd'])];
  assert.equal((await new HybridRetriever(retrievers).retrieve('q', { k: 2 })).results.length, 2);
  assert.deepEqual(asked.splice(0), [100, 100]);
  await new HybridRetriever(retrievers).retrieve('q', { k: 150 });
  assert.deepEqual(asked.splice(0), [150, 150]);
  await new HybridRetriever(retrievers, { depth: 30 }).retrieve('q', { k: 5 });
  assert.deepEqual(asked.splice(0), [30, 30]);
  assert.throws(
    () => new HybridRetriever(retrievers, { depth: 0.5 }),
    (e) => isSiftError(e, 'INVALID_OPTION') && e.details?.option === 'depth',
  );
});
