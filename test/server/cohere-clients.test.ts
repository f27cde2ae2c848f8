import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CohereClient, CohereClientV2, Cohere, CohereError } from 'cohere-ai';
import { CohereRerank } from '@langchain/cohere';
import { Document } from '@langchain/core/documents';
import type { RunningServer } from '../../src/server/start-server.js';
import { startTestServer, tinyJudge } from './server-fixtures.js';

/**
 * "Cohere-compatible" checked by the clients that define it: the official `cohere-ai` SDK (v1
 * `CohereClient` -> /v1/rerank, v2 `CohereClientV2` -> /v2/rerank) and LangChain.js's
 * `CohereRerank`, each pointed at a loopback sift server with the tiny generated judge.
 */

const query = 'How many people live in Berlin?';
const docs = [
  'Berlin is well known for its museums.',
  'Berlin had a population of 3,520,031 registered inhabitants.',
  'Paris is the capital of France.',
  'Madrid is the capital of Spain.',
];

let server: RunningServer;
let keyed: RunningServer;
before(async () => {
  server = await startTestServer({ withSearch: false, limits: { maxDocuments: 5 } });
  keyed = await startTestServer({ withSearch: false, apiKey: 's3cret-key' });
});
after(async () => {
  await server.close();
  await keyed.close();
  await (await tinyJudge()).close();
});

/** The judge's own order and scores for `docs`, to compare every client's answer with. */
async function expected(): Promise<{ index: number; score: number }[]> {
  return (await (await tinyJudge()).rerank(query, docs)).results.map((r) => ({ index: r.index, score: r.score }));
}

function assertSameRanking(
  got: readonly { index: number; relevanceScore: number }[],
  want: readonly { index: number; score: number }[],
): void {
  assert.deepEqual(
    got.map((r) => r.index),
    want.map((r) => r.index),
  );
  got.forEach((r, i) =>
    assert.ok(
      Math.abs(r.relevanceScore - want[i]!.score) < 1e-6,
      `result ${i}: ${r.relevanceScore} vs ${want[i]!.score}`,
    ),
  );
}

test('the v1 CohereClient reranks against /v1/rerank, with topN and returned documents', async () => {
  const client = new CohereClient({ token: 'unused', environment: server.url, maxRetries: 0 });
  const want = await expected();
  const all = await client.rerank({ model: 'rerank-english-v3.0', query, documents: docs });
  assertSameRanking(all.results, want);
  assert.equal(all.meta?.apiVersion?.version, '1');

  const top = await client.rerank({
    model: 'rerank-english-v3.0',
    query,
    documents: docs,
    topN: 2,
    returnDocuments: true,
  });
  assertSameRanking(top.results, want.slice(0, 2));
  for (const r of top.results) assert.equal(r.document?.text, docs[r.index]);
});

test('the v2 CohereClientV2 reranks against /v2/rerank (it got 404 before the route existed), with topN', async () => {
  const client = new CohereClientV2({ token: 'unused', environment: server.url, maxRetries: 0 });
  const want = await expected();
  const all = await client.rerank({ model: 'rerank-v3.5', query, documents: docs });
  assertSameRanking(all.results, want);
  assert.equal(all.meta?.apiVersion?.version, '2');
  assert.equal(typeof all.id, 'string');

  const top = await client.rerank({ model: 'rerank-v3.5', query, documents: docs, topN: 1 });
  assertSameRanking(top.results, want.slice(0, 1));
});

test("sift's errors reach the SDK as its typed errors, with sift's code and message in the body", async () => {
  const v2 = new CohereClientV2({ token: 'unused', environment: server.url, maxRetries: 0 });
  const bad = await v2.rerank({ model: 'rerank-v3.5', query: '   ', documents: docs }).then(
    () => assert.fail('an empty query must be refused'),
    (err: unknown) => err,
  );
  assert.ok(bad instanceof Cohere.BadRequestError, `got ${String(bad)}`);
  assert.equal(bad.statusCode, 400);
  const body = bad.body as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'INVALID_INPUT');
  assert.match(body.error.message, /^sift: query must not be empty/);

  const tooMany = await v2
    .rerank({ model: 'rerank-v3.5', query, documents: [...docs, ...docs] })
    .catch((err: unknown) => err);
  assert.ok(tooMany instanceof Cohere.BadRequestError);
  assert.match((tooMany.body as { error: { message: string } }).error.message, /documents must have at most 5 items/);

  const topN = await new CohereClient({ token: 'unused', environment: server.url, maxRetries: 0 })
    .rerank({ query, documents: docs, topN: 0 })
    .catch((err: unknown) => err);
  assert.ok(topN instanceof Cohere.BadRequestError);
  assert.match(
    (topN.body as { error: { message: string } }).error.message,
    /top_n must be a whole number from 1 to 5, got 0/,
  );

  const wrongKey = await new CohereClientV2({ token: 'wrong', environment: keyed.url, maxRetries: 0 })
    .rerank({ model: 'rerank-v3.5', query, documents: docs })
    .catch((err: unknown) => err);
  assert.ok(wrongKey instanceof Cohere.UnauthorizedError, `got ${String(wrongKey)}`);
  assert.ok(wrongKey instanceof CohereError);
  assert.equal((wrongKey.body as { error: { code: string } }).error.code, 'UNAUTHORIZED');
  const rightKey = await new CohereClientV2({ token: 's3cret-key', environment: keyed.url, maxRetries: 0 }).rerank({
    model: 'rerank-v3.5',
    query,
    documents: docs,
  });
  assert.equal(rightKey.results.length, docs.length);
});

test("LangChain.js's CohereRerank, given a Cohere client pointed at sift, compresses documents by sift's scores", async () => {
  // @langchain/cohere 1.0 builds a v1 `CohereClient` (it calls /v1/rerank, not /v2); `client` points it at sift.
  // It depends on cohere-ai ^7, so its `client` is typed as 7.x's class while this test holds 8.x's: the
  // same rerank call at run time, but TypeScript sees two unrelated classes, hence the cast.
  const client = new CohereClient({ token: 'unused', environment: server.url, maxRetries: 0 });
  const reranker = new CohereRerank({
    model: 'rerank-english-v3.0',
    topN: 2,
    client: client as unknown as NonNullable<ConstructorParameters<typeof CohereRerank>[0]>['client'],
  });
  const want = await expected();
  const input = docs.map((text, i) => new Document({ pageContent: text, metadata: { id: i } }));
  const kept = await reranker.compressDocuments(input, query);
  assert.deepEqual(
    kept.map((d) => d.metadata.id),
    want.slice(0, 2).map((r) => r.index),
  );
  kept.forEach((d, i) => assert.ok(Math.abs((d.metadata.relevanceScore as number) - want[i]!.score) < 1e-6));

  const ranked = await reranker.rerank(docs, query, { topN: 4 });
  assertSameRanking(ranked, want);
});
