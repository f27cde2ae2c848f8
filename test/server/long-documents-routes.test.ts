import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CohereClientV2, Cohere } from 'cohere-ai';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { KEYWORD, KEYWORD_LOGITS, keywordJudgeDir } from '../support/keyword-model.js';
import { postJson } from './server-fixtures.js';

/**
 * Long documents over HTTP, with the keyword judge (relevant exactly when the passage it reads holds
 * KEYWORD, 64 tokens a pair): Cohere's `max_tokens_per_doc` reads documents in windows, windows count
 * toward the queue and batch limits, and past the window cap the answer is a clear 400.
 */

const query = 'Where do the animals live?';
const filler = (words: number) =>
  Array.from(
    { length: words },
    (_, i) => ['grass', 'covers', 'the', 'wide', 'plain', 'and', 'rain', 'falls', 'in', 'spring.'][i % 10],
  ).join(' ');
const long = `${filler(150)} A ${KEYWORD} drinks at the river.`;
const docs = ['Lions rest in the shade.', long, 'Rain falls in spring.'];

let judge: CrossEncoderReranker;
let server: RunningServer;
let small: RunningServer;
before(async () => {
  judge = new CrossEncoderReranker({ model: await keywordJudgeDir() });
  await judge.load();
  server = await startServer({ judge, port: 0, log: () => undefined, webPage: false });
  small = await startServer({
    judge,
    port: 0,
    log: () => undefined,
    webPage: false,
    limits: { maxWindowsPerDocument: 3 },
    batching: { maxQueuedPairs: 12 },
  });
});
after(async () => {
  await server.close();
  await small.close();
  await judge.close();
});

interface CohereResult {
  index: number;
  relevance_score: number;
  window?: {
    index: number;
    count: number;
    token_start: number;
    token_end: number;
    char_start: number;
    char_end: number;
  };
}

test('max_tokens_per_doc reads long documents in windows on /v1/rerank and /v2/rerank; without it they are truncated', async () => {
  for (const route of ['/v1/rerank', '/v2/rerank']) {
    const truncated = await postJson(`${server.url}${route}`, { model: 'm', query, documents: docs });
    assert.equal(truncated.status, 200);
    assert.notEqual(truncated.body.results[0].index, 1, `${route}: truncate is the default`);
    assert.equal(truncated.body.meta.truncated_pairs, 1);
    assert.equal(truncated.body.results[0].window, undefined);

    const windowed = await postJson(`${server.url}${route}`, {
      model: 'm',
      query,
      documents: docs,
      max_tokens_per_doc: 4096,
    });
    assert.equal(windowed.status, 200, JSON.stringify(windowed.body));
    const [first] = windowed.body.results as CohereResult[];
    assert.equal(first!.index, 1, `${route}: the windows read the sentence`);
    assert.ok(Math.abs(first!.relevance_score - 1 / (1 + Math.exp(-KEYWORD_LOGITS.hit))) < 1e-6);
    assert.ok(first!.window!.count > 1);
    assert.ok(long.slice(first!.window!.char_start, first!.window!.char_end).includes(KEYWORD));
    assert.equal(windowed.body.meta.truncated_pairs, 0);

    // Cohere's meaning: only the first max_tokens_per_doc tokens are read.
    const cut = await postJson(`${server.url}${route}`, { model: 'm', query, documents: docs, max_tokens_per_doc: 40 });
    assert.notEqual(cut.body.results[0].index, 1);
    assert.equal(cut.body.meta.truncated_pairs, 1);
  }

  // The TEI shape keeps its truncate semantics.
  const tei = await postJson(`${server.url}/rerank`, { query, texts: docs });
  assert.notEqual(tei.body[0].index, 1);
});

test("CohereClientV2's maxTokensPerDoc reaches the judge as windows", async () => {
  const client = new CohereClientV2({ token: 'unused', environment: server.url, maxRetries: 0 });
  const response = await client.rerank({
    model: 'rerank-v3.5',
    query,
    documents: docs,
    maxTokensPerDoc: 4096,
    topN: 1,
  });
  assert.deepEqual(
    response.results.map((r) => r.index),
    [1],
  );
  const bad = await client
    .rerank({ model: 'rerank-v3.5', query, documents: docs, maxTokensPerDoc: 0 })
    .catch((err: unknown) => err);
  assert.ok(bad instanceof Cohere.BadRequestError);
  assert.match(
    (bad.body as { error: { message: string } }).error.message,
    /max_tokens_per_doc must be a whole number from 1 to/,
  );
});

test('windows count toward the batch and queue limits; past the window cap a document is a 400 naming it', async () => {
  const metric = async (url: string) =>
    Number(/^sift_batch_pairs_sum (\S+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? NaN);
  const before = await metric(server.url);
  const res = await postJson(`${server.url}/v2/rerank`, {
    model: 'm',
    query,
    documents: docs,
    max_tokens_per_doc: 4096,
  });
  const windows = (res.body.results as CohereResult[]).reduce((n, r) => n + r.window!.count, 0);
  assert.ok(windows > docs.length);
  assert.equal((await metric(server.url)) - before, windows, 'every window was one pair in the merged batches');

  const over = await postJson(`${small.url}/v2/rerank`, {
    model: 'm',
    query,
    documents: docs,
    max_tokens_per_doc: 4096,
  });
  assert.equal(over.status, 400);
  assert.equal(over.body.error.code, 'INVALID_INPUT');
  assert.match(
    over.body.error.message,
    /^sift: document 1 is longer than 3 windows of \d+ tokens can read .*max_tokens_per_doc/,
  );
  assert.equal(over.body.error.details.field, 'documents[1]');

  // Within the cap per document, but more windows in all than the whole queue holds.
  const medium = filler(80); // 3 windows of this judge
  const many = await postJson(`${small.url}/v1/rerank`, {
    query,
    documents: [medium, medium, medium, medium, medium],
    max_tokens_per_doc: 4096,
  });
  assert.equal(many.status, 400);
  assert.match(
    many.body.error.message,
    /need \d+ windows, more than the 12 \(query, window\) pairs the queue holds \(`maxQueuedPairs`\); send fewer or shorter documents, or a smaller max_tokens_per_doc/,
  );
  const fits = await postJson(`${small.url}/v1/rerank`, {
    query,
    documents: [medium, 'Short.'],
    max_tokens_per_doc: 4096,
  });
  assert.equal(fits.status, 200, JSON.stringify(fits.body));
  assert.equal(
    (fits.body.results as CohereResult[]).find((r) => r.index === 0)!.window!.count,
    3,
    'so five of them need 15 windows',
  );
});
