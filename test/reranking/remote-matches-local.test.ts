import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import { RemoteReranker } from '../../src/reranking/remote/index.js';
import type { Reranker } from '../../src/reranking/reranker.js';
import { sendJson, startLocalServer, type LocalServer } from '../support/local-http-server.js';
import { testModelDir } from '../support/test-models.js';

// A TEI server and a Cohere-shape server whose scores come from the real local judge (the tiny
// generated model): a remote judge over them must give exactly the local judge's results, so the
// remote path keeps the Reranker contract (order, ties, indices, documents, 0..1 scores).
const QUERY = 'How many people live in Berlin?';
const DOCS = [
  { text: 'Berlin is well known for its museums.', id: 'a' },
  { text: 'Berlin had a population of 3,520,031 registered inhabitants.', id: 'b' },
  { text: 'Paris', id: 'c' },
  { text: 'Population statistics', id: 'd' },
  { text: 'About 3.7 million people live in Berlin.', id: 'e' },
  { text: 'Berlin is well known for its museums.', id: 'f' },
  { text: 'Ein Berliner ist ein Einwohner Berlins.', id: 'g' },
];

let local: CrossEncoderReranker;
let server: LocalServer;
before(async () => {
  local = new CrossEncoderReranker({ model: await testModelDir('reranker') });
  server = await startLocalServer(async (req, res) => {
    const body = req.body as { query: string; texts?: string[]; documents?: string[]; raw_scores?: boolean };
    const texts = body.texts ?? body.documents ?? [];
    const scored = await local.scorePairs(body.query, texts);
    if (req.path === '/rerank') {
      // TEI answers best first, sigmoid scores (or logits when raw_scores is true).
      const out = texts.map((_, index) => ({
        index,
        score: body.raw_scores ? scored.logits[index]! : scored.scores[index]!,
      }));
      return sendJson(
        res,
        200,
        out.sort((a, b) => b.score - a.score),
      );
    }
    return sendJson(res, 200, {
      results: texts.map((_, index) => ({ index, relevance_score: scored.scores[index]! })).reverse(),
    });
  });
});
after(async () => {
  await server.close();
  await local.close();
});

async function same(remote: Reranker, topK?: number): Promise<void> {
  const options = topK === undefined ? {} : { topK };
  const want = await local.rerank(QUERY, DOCS, options);
  const got = await remote.rerank(QUERY, DOCS, options);
  assert.deepEqual(
    got.results.map((r) => r.index),
    want.results.map((r) => r.index),
  );
  got.results.forEach((r, i) => {
    const w = want.results[i]!;
    assert.equal(r.document, DOCS[r.index], 'the input object itself');
    assert.equal(r.text, w.text);
    assert.ok(Math.abs(r.score - w.score) < 1e-9, `score ${r.score} vs ${w.score}`);
    assert.ok(Math.abs(r.logit - w.logit) < 1e-4, `logit ${r.logit} vs ${w.logit}`);
    assert.ok(r.score >= 0 && r.score <= 1);
  });
  // The duplicated document (a, f) ties: input order decides.
  const ia = got.results.findIndex((r) => r.document.id === 'a');
  const iF = got.results.findIndex((r) => r.document.id === 'f');
  if (ia >= 0 && iF >= 0) assert.ok(ia < iF);
}

test('TEI over the local judge: the same results, in one request or split into many', async () => {
  await same(new RemoteReranker({ url: `${server.origin}/rerank` }));
  await same(new RemoteReranker({ url: `${server.origin}/rerank`, maxDocumentsPerRequest: 2 }));
  await same(new RemoteReranker({ url: `${server.origin}/rerank`, maxDocumentsPerRequest: 3, concurrency: 1 }), 3);
});

test('Cohere shape over the local judge: the same results, with and without top_n', async () => {
  await same(new RemoteReranker({ url: `${server.origin}/v1/rerank`, model: 'local' }));
  await same(new RemoteReranker({ url: `${server.origin}/v1/rerank`, model: 'local' }), 2);
  await same(new RemoteReranker({ url: `${server.origin}/v1/rerank`, maxDocumentsPerRequest: 4 }), 5);
});
