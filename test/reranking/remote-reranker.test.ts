import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReranker } from '../../src/pipeline/defaults.js';
import { isSiftError } from '../../src/errors.js';
import { endpointApiKey, parseEndpoint, parseRetryAfter, RemoteReranker } from '../../src/reranking/remote/index.js';
import { sigmoid } from '../../src/reranking/scores.js';
import { sendJson, startLocalServer, type SeenRequest } from '../support/local-http-server.js';
import { expectSiftError } from '../support/expect-sift-error.js';

const QUERY = 'How many people live in Berlin?';
const DOCS = [
  { text: 'Berlin is well known for its museums.', source: 'a.md' },
  { text: 'Berlin had a population of 3,520,031 registered inhabitants.', source: 'b.md' },
  { text: 'Paris is the capital of France.', source: 'c.md' },
  { text: 'About 3.7 million people live in Berlin.', source: 'd.md' },
];
/** Relevance the fake servers give each document, by its text. */
const RELEVANCE = new Map([
  [DOCS[0]!.text, 0.2],
  [DOCS[1]!.text, 0.9],
  [DOCS[2]!.text, 0.01],
  [DOCS[3]!.text, 0.9],
]);

/** A Cohere/Jina-shape server: scores by text, answers best first as the real ones do. */
function cohereAnswer(req: SeenRequest): unknown {
  const { documents, top_n: topN } = req.body as { documents: string[]; top_n?: number };
  const results = documents.map((d, index) => ({ index, relevance_score: RELEVANCE.get(d) ?? 0.5 }));
  results.sort((a, b) => b.relevance_score - a.relevance_score);
  return { id: 'x', results: results.slice(0, topN ?? results.length), meta: { billed_units: { search_units: 1 } } };
}

function teiAnswer(req: SeenRequest, score: (text: string) => number = (t) => RELEVANCE.get(t) ?? 0.5): unknown {
  const { texts } = req.body as { texts: string[] };
  return texts.map((t, index) => ({ index, score: score(t) })).reverse();
}

test('cohere shape: request body and key, sorted results with ties in input order, documents untouched', async () => {
  const server = await startLocalServer((req, res) => sendJson(res, 200, cohereAnswer(req)));
  try {
    const judge = new RemoteReranker({
      url: `${server.origin}/v2/rerank`,
      model: 'rerank-v3.5',
      env: { SIFT_RERANK_API_KEY: 'k-123' },
    });
    assert.equal(judge.shape, 'cohere');
    const before = structuredClone(DOCS);
    const { results, model, truncatedPairs } = await judge.rerank(QUERY, DOCS);
    assert.deepEqual(server.requests[0]!.body, {
      model: 'rerank-v3.5',
      query: QUERY,
      documents: DOCS.map((d) => d.text),
      return_documents: false,
    });
    assert.equal(server.requests[0]!.headers.authorization, 'Bearer k-123');
    assert.deepEqual(
      results.map((r) => r.index),
      [1, 3, 0, 2],
      'equal scores (1 and 3) keep input order',
    );
    assert.deepEqual(
      results.map((r) => r.score),
      [0.9, 0.9, 0.2, 0.01],
    );
    results.forEach((r) => {
      assert.equal(r.document, DOCS[r.index], 'the same object comes back');
      assert.ok(Math.abs(sigmoid(r.logit) - r.score) < 1e-9, "logit is the score's logit");
      assert.equal(r.truncated, false);
    });
    assert.deepEqual(DOCS, before, 'input not mutated');
    assert.match(model, /rerank-v3\.5 via http:\/\/127\.0\.0\.1:\d+\/v2\/rerank/);
    assert.equal(truncatedPairs, 0);

    const top2 = await judge.rerank(QUERY, DOCS, { topK: 2 });
    assert.equal((server.requests[1]!.body as { top_n?: number }).top_n, 2, 'one request: the server cuts to top_n');
    assert.deepEqual(
      top2.results.map((r) => r.index),
      [1, 3],
    );
  } finally {
    await server.close();
  }
});

test('tei shape inferred from a bare /rerank path; large lists are split into several requests and merged', async () => {
  const score = (t: string) => Number(/#(\d+)/.exec(t)![1]) / 100;
  const server = await startLocalServer((req, res) => sendJson(res, 200, teiAnswer(req, score)));
  try {
    const judge = new RemoteReranker({ url: `${server.origin}/rerank`, maxDocumentsPerRequest: 32, concurrency: 2 });
    assert.equal(judge.shape, 'tei');
    const docs = Array.from({ length: 70 }, (_, i) => `passage #${(i * 37) % 70}`);
    const { results } = await judge.rerank(QUERY, docs, { topK: 5 });
    assert.equal(server.requests.length, 3);
    assert.deepEqual(server.requests.map((r) => (r.body as { texts: string[] }).texts.length).sort(), [32, 32, 6]);
    const first = server.requests[0]!.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(first).sort(), ['query', 'raw_scores', 'texts', 'truncate']);
    assert.equal(first.raw_scores, false);
    assert.equal(first.truncate, true);
    assert.deepEqual(
      results.map((r) => r.text),
      ['passage #69', 'passage #68', 'passage #67', 'passage #66', 'passage #65'],
    );
    results.forEach((r) => assert.equal(docs[r.index], r.text));
  } finally {
    await server.close();
  }
});

test('scores outside 0..1 are read as logits and put through the sigmoid', async () => {
  const server = await startLocalServer((req, res) =>
    sendJson(
      res,
      200,
      teiAnswer(req, (t) => (t.includes('million') ? 4.5 : -3)),
    ),
  );
  try {
    const { results } = await new RemoteReranker({ url: `${server.origin}/rerank` }).rerank(QUERY, DOCS);
    assert.equal(results[0]!.index, 3);
    assert.equal(results[0]!.logit, 4.5);
    assert.ok(Math.abs(results[0]!.score - sigmoid(4.5)) < 1e-12);
    assert.ok(results.every((r) => r.score > 0 && r.score < 1));
    const forced = await new RemoteReranker({ url: `${server.origin}/rerank`, scores: 'logit' }).rerank(QUERY, DOCS);
    assert.equal(forced.results[0]!.score, sigmoid(4.5));
    await expectSiftError(
      new RemoteReranker({ url: `${server.origin}/rerank`, scores: 'probability' }).rerank(QUERY, DOCS),
      'REMOTE_ERROR',
      /outside 0\.\.1 \(4\.5\)/,
    );
  } finally {
    await server.close();
  }
});

test('429 with Retry-After is waited out, then the answer is used', async () => {
  const server = await startLocalServer((req, res, n) => {
    if (n === 0) sendJson(res, 429, { message: 'slow down' }, { 'retry-after': '1' });
    else sendJson(res, 200, cohereAnswer(req));
  });
  try {
    const judge = new RemoteReranker({ url: `${server.origin}/v1/rerank`, retry: { baseDelayMs: 1 } });
    const t0 = Date.now();
    const { results } = await judge.rerank(QUERY, DOCS);
    const waited = Date.now() - t0;
    assert.equal(server.requests.length, 2);
    assert.ok(waited >= 950, `Retry-After: 1 honoured (waited ${waited} ms)`);
    assert.equal(results[0]!.index, 1);
  } finally {
    await server.close();
  }
});

test('500 on every attempt: REMOTE_ERROR naming the URL, the status and the attempts', async () => {
  const server = await startLocalServer((_req, res) => sendJson(res, 500, { error: 'model crashed' }));
  try {
    const judge = new RemoteReranker({ url: `${server.origin}/rerank`, retry: { retries: 2, baseDelayMs: 5 } });
    const err = await expectSiftError(judge.rerank(QUERY, DOCS), 'REMOTE_ERROR', /HTTP 500 after 3 attempts/);
    assert.ok(err.message.includes(`${server.origin}/rerank`), err.message);
    assert.match(err.message, /model crashed/);
    assert.equal(server.requests.length, 3);
    assert.equal(err.details?.status, 500);
  } finally {
    await server.close();
  }
});

test('401 is UNAUTHORIZED at once, naming the variables that hold the key', async () => {
  const server = await startLocalServer((_req, res) => sendJson(res, 401, { message: 'invalid api token' }));
  try {
    const judge = new RemoteReranker({ url: `${server.origin}/v2/rerank`, env: {} });
    await expectSiftError(
      judge.rerank(QUERY, DOCS),
      'UNAUTHORIZED',
      /HTTP 401.*invalid api token.*SIFT_RERANK_API_KEY/,
    );
    assert.equal(server.requests.length, 1, '401 is not retried');
    assert.equal(server.requests[0]!.headers.authorization, undefined, 'no key, no header');
  } finally {
    await server.close();
  }
});

test('a server that never answers: TIMEOUT after the time limit, not retried', async () => {
  const server = await startLocalServer(() => {
    // never answers
  });
  try {
    const judge = new RemoteReranker({ url: `${server.origin}/rerank`, timeoutMs: 150 });
    const t0 = Date.now();
    await expectSiftError(judge.rerank(QUERY, DOCS), 'TIMEOUT', /did not answer within 150 ms/);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test('a caller abort ends the call with ABORTED', async () => {
  const server = await startLocalServer(() => {});
  try {
    const controller = new AbortController();
    const pending = new RemoteReranker({ url: `${server.origin}/rerank` }).rerank(QUERY, DOCS, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expectSiftError(pending, 'ABORTED');
  } finally {
    await server.close();
  }
});

test('nobody listening: REMOTE_ERROR after the retries', async () => {
  const server = await startLocalServer(() => {});
  const url = `${server.origin}/rerank`;
  await server.close();
  const judge = new RemoteReranker({ url, retry: { retries: 1, baseDelayMs: 5 } });
  await expectSiftError(
    judge.rerank(QUERY, DOCS),
    'REMOTE_ERROR',
    /could not be reached.*ECONNREFUSED.*after 2 attempts/,
  );
});

test('malformed answers are refused with REMOTE_ERROR saying what is wrong', async () => {
  const cases: [string, (req: SeenRequest) => { status?: number; raw?: string; json?: unknown }, RegExp][] = [
    ['not JSON', () => ({ raw: '<html>gateway</html>' }), /not JSON.*<html>gateway/],
    ['wrong shape', () => ({ json: { scores: [1, 2] } }), /expected \{"results"/],
    [
      'duplicate index',
      () => ({ json: [0, 0, 1, 2].map((index) => ({ index, score: 0.5 })) }),
      /index 0 appears twice/,
    ],
    [
      'index out of range',
      () => ({ json: [0, 1, 2, 4].map((index) => ({ index, score: 0.5 })) }),
      /index 4; expected a whole number from 0 to 3/,
    ],
    [
      'missing index',
      () => ({ json: [0, 1, 3].map((index) => ({ index, score: 0.5 })) }),
      /expected 4 results, got 3 \(missing index 2\)/,
    ],
    [
      'score not a number',
      () => ({ json: [0, 1, 2, 3].map((index) => ({ index, score: index === 2 ? 'high' : 0.5 })) }),
      /index 2\) has score "high"/,
    ],
    [
      'fractional index',
      () => ({ json: { results: [0.5, 1, 2, 3].map((index) => ({ index, relevance_score: 0.5 })) } }),
      /index 0\.5/,
    ],
  ];
  for (const [name, answer, pattern] of cases) {
    const server = await startLocalServer((req, res) => {
      const a = answer(req);
      if (a.raw !== undefined) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(a.raw);
      } else sendJson(res, a.status ?? 200, a.json);
    });
    try {
      await expectSiftError(
        new RemoteReranker({ url: `${server.origin}/rerank` }).rerank(QUERY, DOCS),
        'REMOTE_ERROR',
        pattern,
      );
    } catch (err) {
      assert.fail(`${name}: ${String(err)}`);
    } finally {
      await server.close();
    }
  }
});

test('empty input and topK 0 make no request; bad input is refused before any request', async () => {
  const server = await startLocalServer((req, res) => sendJson(res, 200, teiAnswer(req)));
  try {
    const judge = new RemoteReranker({ url: `${server.origin}/rerank` });
    assert.deepEqual((await judge.rerank(QUERY, [])).results, []);
    assert.deepEqual((await judge.rerank(QUERY, DOCS, { topK: 0 })).results, []);
    await expectSiftError(judge.rerank('  ', DOCS), 'INVALID_INPUT');
    await expectSiftError(
      judge.rerank(QUERY, [{ text: 3 } as unknown as { text: string }]),
      'INVALID_INPUT',
      /document 0 has no text/,
    );
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

test('createReranker returns a remote judge for URLs; the fragment sets shape and model', async () => {
  const server = await startLocalServer((req, res) => sendJson(res, 200, cohereAnswer(req)));
  try {
    const judge = createReranker(`${server.origin}/rerank#shape=cohere&model=bge-reranker-v2-m3`);
    assert.ok(judge instanceof RemoteReranker);
    assert.equal(judge.shape, 'cohere');
    const { results } = await judge.rerank(
      QUERY,
      DOCS.map((d) => d.text),
    );
    assert.equal(server.requests[0]!.path, '/rerank', 'the fragment is not sent');
    assert.equal((server.requests[0]!.body as { model: string }).model, 'bge-reranker-v2-m3');
    assert.equal(results[0]!.index, 1);
    await judge.close();
  } finally {
    await server.close();
  }
});

test('endpoint parsing: shapes from paths and hosts; provider keys go to their own hosts only', () => {
  assert.equal(parseEndpoint('http://gpu:8080/rerank').shape, 'tei');
  assert.equal(parseEndpoint('http://gpu:8080/rerank/').shape, 'tei');
  assert.equal(parseEndpoint('http://gpu:8080/rerank#cohere').shape, 'cohere');
  assert.equal(parseEndpoint('http://vllm:8000/v1/rerank').shape, 'cohere');
  assert.equal(parseEndpoint('https://api.cohere.com/v2/rerank').shape, 'cohere');
  assert.equal(
    parseEndpoint('https://api.jina.ai/v1/rerank#model=jina-reranker-v2-base-multilingual').model,
    'jina-reranker-v2-base-multilingual',
  );
  assert.throws(
    () => parseEndpoint('http://gpu/rerank#shape=grpc'),
    (e: unknown) => isSiftError(e, 'INVALID_OPTION'),
  );
  const env = { COHERE_API_KEY: 'co', JINA_API_KEY: 'ji' };
  assert.equal(endpointApiKey('https://api.cohere.com/v2/rerank', undefined, env).key, 'co');
  assert.equal(endpointApiKey('https://api.jina.ai/v1/rerank', undefined, env).key, 'ji');
  assert.equal(
    endpointApiKey('http://evil.example/rerank', undefined, env).key,
    undefined,
    'never leaked to other hosts',
  );
  assert.equal(
    endpointApiKey('https://api.cohere.com/v2/rerank', undefined, { ...env, SIFT_RERANK_API_KEY: 's' }).key,
    's',
  );
  assert.equal(endpointApiKey('http://x/rerank', 'opt', env).key, 'opt');
});

test('Retry-After: seconds and HTTP dates', () => {
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
});
