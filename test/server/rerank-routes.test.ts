import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../src/server/start-server.js';
import { postJson, startTestServer, tinyJudge } from './server-fixtures.js';

const query = 'How many people live in Berlin?';
const docs = [
  'Berlin is well known for its museums.',
  'Berlin had a population of 3,520,031 registered inhabitants.',
  'Paris is the capital of France.',
];

let server: RunningServer;
before(async () => {
  server = await startTestServer({
    withSearch: false,
    limits: { maxDocuments: 5, maxTextChars: 200, bodyLimitBytes: 4096 },
  });
});
after(async () => {
  await server.close();
  await (await tinyJudge()).close();
});

test("POST /v1/rerank answers the Cohere/Jina shape with the judge's scores, sorted, top_n and documents on request", async () => {
  const judge = await tinyJudge();
  const direct = await judge.rerank(query, docs);
  const res = await postJson(`${server.url}/v1/rerank`, {
    query,
    documents: [docs[0], { text: docs[1], id: 7 }, docs[2]],
    model: 'rerank-english-v3.0',
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.model, judge.model);
  assert.equal(typeof res.body.id, 'string');
  assert.deepEqual(
    res.body.results.map((r: { index: number }) => r.index),
    direct.results.map((r) => r.index),
  );
  for (const [i, r] of res.body.results.entries()) {
    assert.ok(Math.abs(r.relevance_score - direct.results[i]!.score) < 1e-6);
    assert.equal(r.document, undefined, 'documents only with return_documents');
  }
  for (const key of ['queue_ms', 'tokenize_ms', 'inference_ms', 'total_ms'])
    assert.equal(typeof res.body.meta.timings[key], 'number', key);

  const top = await postJson(`${server.url}/v1/rerank`, {
    query,
    documents: [docs[0], { text: docs[1], id: 7 }, docs[2]],
    top_n: 2,
    return_documents: true,
  });
  assert.equal(top.body.results.length, 2);
  const byIndex = new Map(top.body.results.map((r: { index: number; document: unknown }) => [r.index, r.document]));
  if (byIndex.has(1)) assert.deepEqual(byIndex.get(1), { text: docs[1], id: 7 }, 'object documents come back as sent');
  if (byIndex.has(0)) assert.deepEqual(byIndex.get(0), { text: docs[0] }, 'string documents come back as {text}');

  const many = await postJson(`${server.url}/v1/rerank`, { query, documents: docs, top_n: 5 });
  assert.equal(many.body.results.length, 3, 'top_n above the document count returns all');
  const none = await postJson(`${server.url}/v1/rerank`, { query, documents: [] });
  assert.deepEqual(none.body.results, []);
});

test('POST /rerank answers the TEI shape: scores or raw logits, text on request, truncate: false refuses long texts', async () => {
  const judge = await tinyJudge();
  const direct = await judge.rerank(query, docs);
  const res = await postJson(`${server.url}/rerank`, { query, texts: docs });
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(res.body));
  assert.deepEqual(
    res.body.map((r: { index: number }) => r.index),
    direct.results.map((r) => r.index),
  );
  assert.ok(
    res.body.every((r: { score: number; text?: string }) => r.score > 0 && r.score < 1 && r.text === undefined),
  );

  const raw = await postJson(`${server.url}/rerank`, { query, texts: docs, raw_scores: true, return_text: true });
  for (const [i, r] of raw.body.entries()) {
    assert.ok(Math.abs(r.score - direct.results[i]!.logit) < 1e-5, 'raw_scores are logits');
    assert.equal(r.text, docs[r.index]);
  }

  // A pair past the model's 512 tokens needs a text longer than this server's 200-character limit.
  const server2 = await startTestServer({ withSearch: false, limits: { maxTextChars: 100_000 } });
  try {
    const veryLong = Array.from({ length: 2400 }, (_, i) => `w${i}`).join(' ');
    const cut = await postJson(`${server2.url}/rerank`, { query, texts: ['short', veryLong], truncate: false });
    assert.equal(cut.status, 400);
    assert.equal(cut.body.error.code, 'INVALID_INPUT');
    assert.match(cut.body.error.message, /texts\[1\] does not fit/);
    const ok = await postJson(`${server2.url}/rerank`, { query, texts: ['short', veryLong] });
    assert.equal(ok.status, 200, 'truncate defaults to true');
  } finally {
    await server2.close();
  }
});

test('validation errors answer 400 with {"error": {"code", "message"}} naming the field', async () => {
  const cases: [string, string, unknown, RegExp][] = [
    ['/v1/rerank', 'missing query', { documents: docs }, /^sift: query is required/],
    ['/v1/rerank', 'query of the wrong type', { query: 42, documents: docs }, /^sift: query must be a string, got 42/],
    ['/v1/rerank', 'empty query', { query: '   ', documents: docs }, /^sift: query must not be empty/],
    ['/v1/rerank', 'documents not a list', { query, documents: 'Berlin' }, /^sift: documents must be an array/],
    [
      '/v1/rerank',
      'a document of the wrong type',
      { query, documents: ['ok', 3] },
      /^sift: documents\[1\] must be a string or an object with a string "text" field/,
    ],
    [
      '/v1/rerank',
      'a document object without text',
      { query, documents: [{ title: 'x' }] },
      /^sift: documents\[0\]\.text is required/,
    ],
    [
      '/v1/rerank',
      'too many documents',
      { query, documents: ['a', 'b', 'c', 'd', 'e', 'f'] },
      /^sift: documents must have at most 5 items/,
    ],
    [
      '/v1/rerank',
      'a text over the limit',
      { query, documents: ['ok', 'x'.repeat(201)] },
      /^sift: documents\[1\] must be at most 200 characters/,
    ],
    [
      '/v1/rerank',
      'a query over the limit',
      { query: 'q'.repeat(201), documents: ['ok'] },
      /^sift: query must be at most 200 characters/,
    ],
    [
      '/v1/rerank',
      'negative top_n',
      { query, documents: docs, top_n: -1 },
      /^sift: top_n must be a whole number from 1 to 5, got -1/,
    ],
    [
      '/v1/rerank',
      'huge top_n',
      { query, documents: docs, top_n: 1e9 },
      /^sift: top_n must be a whole number from 1 to 5, got 1000000000/,
    ],
    ['/v1/rerank', 'fractional top_n', { query, documents: docs, top_n: 1.5 }, /^sift: top_n must be a whole number/],
    [
      '/v1/rerank',
      'return_documents not a boolean',
      { query, documents: docs, return_documents: 'yes' },
      /^sift: return_documents must be true or false/,
    ],
    ['/v1/rerank', 'a body that is not an object', [query], /^sift: the body must be a JSON object/],
    ['/v1/rerank', 'malformed JSON', '{"query": "x",', /^sift: the body is not valid JSON/],
    ['/rerank', 'texts missing', { query }, /^sift: texts is required/],
    [
      '/rerank',
      'a text of the wrong type',
      { query, texts: ['a', { text: 'b' }] },
      /^sift: texts\[1\] must be a string/,
    ],
    [
      '/rerank',
      'raw_scores not a boolean',
      { query, texts: docs, raw_scores: 1 },
      /^sift: raw_scores must be true or false/,
    ],
    [
      '/rerank',
      'truncation from the left',
      { query, texts: docs, truncation_direction: 'Left' },
      /^sift: truncation_direction must be "Right"/,
    ],
  ];
  for (const [route, what, body, message] of cases) {
    const res = await postJson(`${server.url}${route}`, body);
    assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, 'INVALID_INPUT', what);
    assert.match(res.body.error.message, message, what);
  }
});

test('a body over the limit is 413, a non-JSON content type 415, an unknown route 404, a wrong method 405', async () => {
  const big = await postJson(`${server.url}/v1/rerank`, {
    query,
    documents: ['x'.repeat(150), 'y'.repeat(150)],
    pad: 'z'.repeat(5000),
  });
  assert.equal(big.status, 413);
  assert.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');
  assert.match(big.body.error.message, /4096-byte limit/);

  // Chunked (no Content-Length): the limit holds while streaming too.
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(1000)));
      controller.close();
    },
  });
  const chunked = await fetch(`${server.url}/v1/rerank`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: stream,
    duplex: 'half',
  });
  assert.equal(chunked.status, 413);

  const form = await fetch(`${server.url}/v1/rerank`, { method: 'POST', body: new URLSearchParams({ query }) });
  assert.equal(form.status, 415);
  assert.equal(((await form.json()) as { error: { code: string } }).error.code, 'UNSUPPORTED_MEDIA_TYPE');

  const missing = await fetch(`${server.url}/v3/rerank`, { method: 'POST' });
  assert.equal(missing.status, 404);
  const body = (await missing.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'NOT_FOUND');
  assert.match(body.error.message, /no route POST \/v3\/rerank; routes: .*\/v1\/rerank.*\/v2\/rerank/);

  const get = await fetch(`${server.url}/v1/rerank`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
});

test('GET /health reports the model and queue; GET /metrics is Prometheus text with requests, errors, stages and batches', async () => {
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
  const h = (await health.json()) as {
    status: string;
    model: string;
    search: unknown;
    ask: boolean;
    queue: { pairs: number };
  };
  assert.equal(h.status, 'ok');
  assert.equal(h.model, (await tinyJudge()).model);
  assert.equal(h.search, null);
  assert.equal(h.ask, false);
  assert.equal(h.queue.pairs, 0);

  await postJson(`${server.url}/v1/rerank`, { query, documents: docs });
  await postJson(`${server.url}/v1/rerank`, { query: '', documents: docs });
  const metrics = await fetch(`${server.url}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await metrics.text();
  assert.match(text, /^# TYPE sift_http_requests_total counter$/m);
  assert.match(text, /^sift_http_requests_total\{route="\/v1\/rerank",method="POST",status="200"\} \d+$/m);
  assert.match(text, /^sift_http_errors_total\{route="\/v1\/rerank",status="400",code="INVALID_INPUT"\} \d+$/m);
  for (const stage of ['queue', 'tokenize', 'inference']) {
    assert.match(text, new RegExp(`^sift_stage_duration_seconds_count\\{stage="${stage}"\\} [1-9]\\d*$`, 'm'), stage);
  }
  assert.match(text, /^sift_stage_duration_seconds_bucket\{stage="inference",le="\+Inf"\} \d+$/m);
  assert.match(text, /^sift_batch_pairs_count [1-9]\d*$/m);
  assert.match(text, /^# TYPE sift_queue_pairs gauge\nsift_queue_pairs 0$/m);
  assert.match(text, /^sift_http_in_flight_requests 1$/m, 'the scrape itself is in flight');
  // Every sample line is `name{labels} value`: a Prometheus parser reads the whole page.
  for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
    assert.match(line, /^[a-z_]+(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf|NaN)$/, line);
  }
});
