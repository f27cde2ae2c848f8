import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { postJson, startTestServer, tinyJudge } from './server-fixtures.js';

after(async () => (await tinyJudge()).close());

const texts = [
  'Berlin had a population of 3,520,031 registered inhabitants.',
  'Berlin is well known for its museums.',
  'Paris is the capital of France, a city of cafés, boulevards and the river Seine, with 2.1 million residents.',
  'Rome.',
];

/** The `sift_batch_pairs` histogram's sum and count, read from /metrics. */
async function batchPairs(url: string): Promise<{ sum: number; count: number; requestsSum: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    sum: read('sift_batch_pairs_sum'),
    count: read('sift_batch_pairs_count'),
    requestsSum: read('sift_batch_requests_sum'),
  };
}

test('concurrent requests share inference batches (batch size > 1), and a pair scores the same batched or alone', async () => {
  const judge = await tinyJudge();
  const server = await startTestServer({ withSearch: false, batching: { maxWaitMs: 10, maxBatchPairs: 64 } });
  try {
    // Each request has its own query and one or two documents; 12 arrive at once.
    const requests = Array.from({ length: 12 }, (_, i) => ({
      query: `question number ${i} about cities`,
      documents: [texts[i % 4]!, ...(i % 3 === 0 ? [texts[(i + 1) % 4]!] : [])],
    }));
    const responses = await Promise.all(requests.map((body) => postJson(`${server.url}/v1/rerank`, body)));
    assert.ok(responses.every((r) => r.status === 200));
    const m = await batchPairs(server.url);
    const pairs = requests.reduce((n, r) => n + r.documents.length, 0);
    assert.equal(m.sum, pairs, 'every pair went through a batch once');
    assert.ok(m.sum / m.count > 1, `mean batch size ${m.sum / m.count} should be above 1 (${m.count} batches)`);
    assert.ok(m.requestsSum / m.count > 1, 'batches hold pairs of several requests');

    // The same pairs scored alone, each in its own call: equal within 1e-5.
    for (const [i, body] of requests.entries()) {
      const alone = await judge.scorePairs(body.query, body.documents);
      for (const r of responses[i]!.body.results as { index: number; relevance_score: number }[]) {
        assert.ok(
          Math.abs(r.relevance_score - alone.scores[r.index]!) < 1e-5,
          `request ${i} document ${r.index}: ${r.relevance_score} vs ${alone.scores[r.index]}`,
        );
      }
    }
  } finally {
    await server.close();
  }
});

test('a full queue answers 429 with Retry-After and QUEUE_FULL; accepted requests still complete', async () => {
  // The tiny judge scores a batch in about a millisecond, faster than requests arrive; 25 ms per batch
  // (a real MiniLM's time for a few pairs) lets a queue build up. Inference is still the real model's.
  const judge = await tinyJudge();
  const slowJudge = {
    model: judge.model,
    scoreQueryPairs: async (pairs: Parameters<typeof judge.scoreQueryPairs>[0]) => {
      await sleep(25);
      return judge.scoreQueryPairs(pairs);
    },
  };
  const server = await startTestServer({
    judge: slowJudge,
    withSearch: false,
    batching: { maxQueuedPairs: 8, maxBatchPairs: 4, maxWaitMs: 0 },
  });
  try {
    const body = { query: 'How many people live in Berlin?', documents: texts };
    const responses = await Promise.all(Array.from({ length: 40 }, () => postJson(`${server.url}/v1/rerank`, body)));
    const statuses = responses.map((r) => r.status);
    const refused = responses.filter((r) => r.status === 429);
    assert.ok(refused.length > 0, `some requests refused: ${statuses.join(',')}`);
    assert.ok(statuses.filter((s) => s === 200).length >= 2, 'the queue took some');
    assert.ok(
      statuses.every((s) => s === 200 || s === 429),
      statuses.join(','),
    );
    for (const r of refused) {
      assert.equal(r.body.error.code, 'QUEUE_FULL');
      assert.match(r.body.error.message, /queue is full/);
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(
      metrics,
      new RegExp(
        `^sift_http_errors_total\\{route="/v1/rerank",status="429",code="QUEUE_FULL"\\} ${refused.length}$`,
        'm',
      ),
    );
    // Once the queue drains, the server takes work again.
    assert.equal((await postJson(`${server.url}/v1/rerank`, body)).status, 200);
  } finally {
    await server.close();
  }
});

test('a query too long for the model fails alone with 400 QUERY_TOO_LONG; requests batched with it succeed', async () => {
  const server = await startTestServer({ withSearch: false, batching: { maxWaitMs: 20 } });
  try {
    const longQuery = Array.from({ length: 600 }, (_, i) => `word${i}`).join(' ');
    const [good1, bad, good2] = await Promise.all([
      postJson(`${server.url}/v1/rerank`, { query: 'population of Berlin', documents: texts }),
      postJson(`${server.url}/v1/rerank`, { query: longQuery, documents: texts }),
      postJson(`${server.url}/rerank`, { query: 'capital of France', texts }),
    ]);
    assert.equal(good1.status, 200);
    assert.equal(good2.status, 200);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'QUERY_TOO_LONG');
    assert.match(bad.body.error.message, /shorten the query/);
  } finally {
    await server.close();
  }
});
