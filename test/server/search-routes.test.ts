import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RerankingRetriever } from '../../src/retrieval/reranking-retriever.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { CHUNKS, fakeLlm, keywordRetriever, postJson, startTestServer, tinyJudge } from './server-fixtures.js';

interface Hit {
  rank: number;
  id: string;
  source: string;
  text: string;
  chunk_index: number;
  retrieval_score: number;
  retrieval_rank: number;
  relevance_score?: number;
  logit?: number;
}

let server: RunningServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
  await (await tinyJudge()).close();
});

const query = 'How many people live in Berlin, the city?';

test('POST /v1/search runs stage 1 then the judge, as RerankingRetriever does directly', async () => {
  const res = await postJson(`${server.url}/v1/search`, { query, top_k: 3, candidates: 6 });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.mode, 'keyword');
  assert.equal(res.body.reranker, (await tinyJudge()).model);
  assert.equal(res.body.candidates, 6);
  const hits = res.body.results as Hit[];
  assert.deepEqual(
    hits.map((h) => h.rank),
    [1, 2, 3],
  );
  const direct = await new RerankingRetriever({
    retriever: keywordRetriever(),
    reranker: await tinyJudge(),
    candidates: 6,
    topK: 3,
  }).retrieve(query);
  assert.deepEqual(
    hits.map((h) => h.id),
    direct.hits.map((h) => h.chunk.id),
  );
  for (const [i, h] of hits.entries()) {
    assert.ok(Math.abs(h.relevance_score! - direct.hits[i]!.rerankScore!) < 1e-5);
    const chunk = CHUNKS.find((c) => c.id === h.id)!;
    assert.equal(h.text, chunk.text);
    assert.equal(h.source, chunk.source);
    assert.equal(h.chunk_index, chunk.chunkIndex);
  }
  for (const key of ['retrieve_ms', 'rerank_ms', 'total_ms']) assert.equal(typeof res.body.timings[key], 'number');

  const strict = await postJson(`${server.url}/v1/search`, { query, min_score: 1 });
  assert.equal(strict.status, 200);
  assert.deepEqual(strict.body.results, [], 'min_score 1 keeps nothing');
});

test('POST /v1/search with compare: true answers the semantic top-k beside the re-ranked top-k of one pool', async () => {
  const res = await postJson(`${server.url}/v1/search`, { query, top_k: 3, candidates: 8, compare: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const semantic = res.body.semantic as Hit[];
  const reranked = res.body.reranked as Hit[];
  assert.equal(semantic.length, 3);
  assert.equal(reranked.length, 3);
  const stage1 = (await keywordRetriever().retrieve(query, { k: 8 })).results;
  assert.deepEqual(
    semantic.map((h) => h.id),
    stage1.slice(0, 3).map((s) => s.chunk.id),
    'the semantic column is stage 1 alone',
  );
  assert.ok(
    semantic.every((h) => typeof h.relevance_score === 'number'),
    'semantic hits carry the judge score too',
  );
  for (let i = 1; i < reranked.length; i++) assert.ok(reranked[i - 1]!.logit! >= reranked[i]!.logit!);
  const before = new Set(semantic.map((h) => h.id));
  assert.equal(res.body.changed, reranked.filter((h) => !before.has(h.id)).length);
});

test('/v1/search validation: empty query, unknown mode, bad top_k, candidates and min_score are 400s naming the field', async () => {
  const cases: [unknown, RegExp][] = [
    [{}, /^sift: query is required/],
    [{ query: '' }, /^sift: query must not be empty/],
    [{ query, mode: 'dense' }, /^sift: mode must be one of "keyword", got "dense"/],
    [{ query, top_k: 0 }, /^sift: top_k must be a whole number from 1 to 200, got 0/],
    [{ query, candidates: 1000 }, /^sift: candidates must be a whole number from 1 to 200, got 1000/],
    [{ query, candidates: 5, top_k: 6 }, /^sift: top_k must be at most candidates \(5\)/],
    [{ query, min_score: 2 }, /^sift: min_score must be a number from 0 to 1, got 2/],
    [{ query, compare: 'yes' }, /^sift: compare must be true or false/],
  ];
  for (const [body, message] of cases) {
    const res = await postJson(`${server.url}/v1/search`, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(res.body.error.message, message);
  }
});

/** Reads a server-sent event stream into `{event, data}` objects. */
async function readEvents(res: Response): Promise<{ event: string; data: any }[]> {
  const text = await res.text();
  return text
    .split(/\n\n/)
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      return { event, data: JSON.parse(data) };
    });
}

test('POST /v1/ask streams the hits, the answer and its citations as server-sent events (extractive without an LLM)', async () => {
  const res = await fetch(`${server.url}/v1/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'What is the population of Berlin?', top_k: 3 }),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events = await readEvents(res);
  assert.equal(events[0]!.event, 'hits');
  assert.equal(events[0]!.data.results.length, 3);
  const done = events.at(-1)!;
  assert.equal(done.event, 'done', JSON.stringify(events));
  assert.equal(done.data.mode, 'extractive');
  const streamed = events
    .filter((e) => e.event === 'text')
    .map((e) => e.data.text)
    .join('');
  assert.equal(streamed, done.data.answer);
  assert.ok(done.data.answer.length > 0);
  // The tiny judge's random weights score every sentence below the extractive threshold, so the
  // answer here is "Not found in the documents."; citations are checked with the LLM below.
  assert.ok(Array.isArray(done.data.citations));

  const compared = await readEvents(
    await fetch(`${server.url}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'What is the population of Berlin?', top_k: 3, compare: true }),
    }),
  );
  const both = compared[0]!.data;
  assert.equal(both.semantic.length, 3, 'compare: true puts both columns in the hits event');
  assert.deepEqual(both.results, both.reranked, 'the answer is written from the re-ranked column');
  assert.equal(typeof both.changed, 'number');

  const bad = await postJson(`${server.url}/v1/ask`, { query: ' ' });
  assert.equal(bad.status, 400, 'validation fails before the stream starts');
  assert.match(bad.body.error.message, /query must not be empty/);
});

test('GET /health lists the search modes and ask when search is wired', async () => {
  const h = (await (await fetch(`${server.url}/health`)).json()) as {
    search: { modes: string[]; default_mode: string };
    ask: boolean;
  };
  assert.deepEqual(h.search, { modes: ['keyword'], default_mode: 'keyword', dense_index: null });
  assert.equal(h.ask, true);
});

test('POST /v1/ask with an LLM streams its text as it comes and cites the hits it names', async () => {
  const llm = await fakeLlm(['Berlin had ', '3,520,031 registered ', 'inhabitants [1].']);
  const withLlm = await startTestServer({ llm: { url: llm.url, model: 'fake' } });
  try {
    const res = await fetch(`${withLlm.url}/v1/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'What is the population of Berlin?', top_k: 3 }),
    });
    const events = await readEvents(res);
    assert.deepEqual(
      events.map((e) => e.event),
      ['hits', 'text', 'text', 'text', 'done'],
    );
    const done = events.at(-1)!.data;
    assert.equal(done.mode, 'llm');
    assert.equal(done.answer, 'Berlin had 3,520,031 registered inhabitants [1].');
    assert.equal(done.citations.length, 1);
    const first = events[0]!.data.results[0] as Hit;
    assert.deepEqual(done.citations[0], {
      n: 1,
      source: first.source,
      chunk_id: first.id,
      relevance: first.relevance_score,
    });
    assert.match(llm.prompts[0]!, /What is the population of Berlin\?/);
  } finally {
    await withLlm.close();
    await llm.close();
  }
});
