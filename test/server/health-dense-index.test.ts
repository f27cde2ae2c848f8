import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { DenseRetriever } from '../../src/retrieval/dense-retriever.js';
import { createSearchService } from '../../src/server/search-service.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { openLanceStore, type LanceStore } from '../../src/stores/lancedb/index.js';
import type { SourceReplacement } from '../../src/stores/vector-store.js';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { postJson, startTestServer } from './server-fixtures.js';

const embedder = new HashingEmbedder({ dimension: 64 });
let store: LanceStore;
let server: RunningServer;

async function sources(names: string[]): Promise<SourceReplacement[]> {
  return Promise.all(
    names.map(async (name) => {
      const texts = [`${name} harbour bridge`, `${name} museum winter`];
      const vectors = await embedder.embed(texts);
      return {
        source: {
          source: `/docs/${name}.md`,
          contentHash: name,
          chunkCount: 2,
          modifiedMs: 0,
          ingestedAt: '2026-01-01T00:00:00.000Z',
        },
        chunks: texts.map((text, i) => ({
          id: `${name}#${i}`,
          source: `/docs/${name}.md`,
          text,
          chunkIndex: i,
          start: 0,
          end: text.length,
          modifiedMs: 0,
          vector: vectors[i],
        })),
      };
    }),
  );
}

before(async () => {
  store = await openLanceStore(join(await tempDir('sift-health-'), 'store'), {
    create: true,
    embedding: { model: embedder.model, dimension: 64 },
  });
  await store.replaceSources(await sources(['alpha', 'beta', 'gamma']));
  server = await startTestServer({
    search: (reranker) =>
      createSearchService({
        retrievers: { dense: new DenseRetriever(store, embedder) },
        reranker,
        denseIndex: () => store.denseIndexStats(),
      }),
  });
});
after(async () => {
  await server.close();
  await store.close();
  await removeTempDirs();
});

const health = async () =>
  (
    (await (await fetch(`${server.url}/health`)).json()) as {
      search: { dense_index: { chunks: number; dimension: number; bytes: number } | null };
    }
  ).search;

test('/health reports the dense index once it is warm, and its size follows writes into the served store', async () => {
  assert.equal((await health()).dense_index, null, 'not loaded yet');
  await store.warmDenseIndex();
  const warm = (await health()).dense_index;
  assert.equal(warm?.chunks, 6);
  assert.equal(warm?.dimension, 64);
  assert.ok(warm.bytes >= 6 * 64 * 5);

  await store.replaceSources(await sources(['delta', 'epsilon']));
  const r = await postJson(`${server.url}/v1/search`, { query: 'epsilon harbour', top_k: 10 });
  assert.equal(r.status, 200);
  // The chunks written after warming are found (the test judge's order means nothing, so no rank is asserted).
  assert.ok(
    r.body.results.some((h: { text: string }) => /epsilon/.test(h.text)),
    JSON.stringify(r.body.results),
  );
  assert.equal(
    (await health()).dense_index?.chunks,
    10,
    'the warm index caught up with the write, not rebuilt from nothing',
  );
});
