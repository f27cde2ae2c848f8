import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOT_FOUND_ANSWER } from '../../src/generation/build-messages.js';
import { runCli } from '../support/run-cli.js';
import { sendJson, startLocalServer } from '../support/local-http-server.js';
import { testModelDir } from '../support/test-models.js';

// `sift ask` as a user runs it: a real process over a real store (hashing embedder, no model
// download), the tiny generated judge, and LLM / reranker endpoints on 127.0.0.1.
const FILES: Record<string, string> = {
  'berlin.md': '# Berlin\n\nBerlin had a population of 3,520,031 registered inhabitants. The city lies on the Spree.',
  'glacier.md': '# Glaciers\n\nA glacier moraine is made of rock debris. Glaciers move slowly downhill.',
  'volcano.txt': 'A volcano erupts magma. Volcanic ash can travel far.',
};
const QUESTION = 'How many inhabitants does Berlin have?';
const NO_KEYS = { SIFT_LLM_API_KEY: '', OPENAI_API_KEY: '' };

let dir: string;
let store: string;
let judge: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sift-ask-'));
  for (const [name, text] of Object.entries(FILES)) await writeFile(join(dir, name), text);
  store = join(dir, '.store');
  const ingest = await runCli(['ingest', dir, '--store', store, '--embedder', 'sift/hashing-256', '--json']);
  assert.equal(ingest.code, 0, ingest.stderr);
  judge = await testModelDir('reranker');
});
after(() => rm(dir, { recursive: true, force: true }));

test('sift ask without an LLM: extractive JSON answer with citations, hits and timings', async () => {
  const res = await runCli([
    'ask',
    QUESTION,
    '--store',
    store,
    '--reranker',
    judge,
    '--top-k',
    '2',
    '--sentence-min-score',
    '0',
    '--sentences',
    '2',
    '--json',
  ]);
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.query, QUESTION);
  assert.equal(out.mode, 'extractive');
  assert.equal(out.hits.length, 2);
  assert.equal(out.sentences.length, 2);
  const lines = out.answer.split('\n');
  assert.equal(lines.length, 2);
  lines.forEach((line: string, i: number) => assert.equal(line, `${out.sentences[i].text} [${out.sentences[i].n}]`));
  for (const c of out.citations) {
    const hit = out.hits[c.n - 1];
    assert.deepEqual(c, { n: c.n, source: hit.source, chunkId: hit.chunkId, relevance: hit.rerankScore });
  }
  for (const key of ['openMs', 'loadMs', 'retrieveMs', 'rerankMs', 'answerMs', 'totalMs'])
    assert.equal(typeof out.timings[key], 'number', key);
});

test('sift ask: "not found in the documents" when no sentence passes the threshold', async () => {
  const res = await runCli(['ask', QUESTION, '--store', store, '--reranker', judge, '--sentence-min-score', '1']);
  assert.equal(res.code, 0, res.stderr);
  assert.ok(res.stdout.startsWith(`${NOT_FOUND_ANSWER}\n`), res.stdout);
  assert.doesNotMatch(res.stdout, /Sources:/);
});

test('sift ask --llm-url streams the answer to stdout, then the cited sources; the prompt holds the context', async () => {
  const server = await startLocalServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const p of ['Berlin has 3,520,031 ', 'registered inhabitants [1].'])
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: p }, finish_reason: null }] })}\n\n`);
    res.end(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
  });
  try {
    const args = [
      'ask',
      QUESTION,
      '--store',
      store,
      '--reranker',
      judge,
      '--llm-url',
      `${server.origin}/v1`,
      '--llm-model',
      'tiny',
    ];
    const text = await runCli(args, { env: NO_KEYS });
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^Berlin has 3,520,031 registered inhabitants \[1\]\.\n\nSources:\n\[1\] \S+\.(md|txt) {2}\(relevance \d\.\d\d\)\n\n\(written by tiny; [\d.]+ ms\)\n$/,
    );
    const prompt = server.requests[0]!.body as { model: string; messages: { content: string }[] };
    assert.equal(prompt.model, 'tiny');
    assert.match(prompt.messages[1]!.content, /<document id="1" source="[^"]+" relevance="\d\.\d\d">/);
    assert.match(prompt.messages[1]!.content, /Question: How many inhabitants does Berlin have\?$/);

    const json = JSON.parse((await runCli([...args, '--json'], { env: NO_KEYS })).stdout);
    assert.equal(json.mode, 'llm');
    assert.equal(json.answer, 'Berlin has 3,520,031 registered inhabitants [1].');
    assert.deepEqual(
      json.citations.map((c: { n: number }) => c.n),
      [1],
    );
    assert.equal(json.citations[0].source, json.hits[0].source);
    assert.equal(typeof json.timings.firstTextMs, 'number');
  } finally {
    await server.close();
  }
});

test('sift ask: a refused LLM key is exit 1 with a message naming the variable', async () => {
  const server = await startLocalServer((_req, res) => sendJson(res, 401, { error: { message: 'bad key' } }));
  try {
    const res = await runCli(
      ['ask', QUESTION, '--store', store, '--reranker', judge, '--llm-url', `${server.origin}/v1`, '--json'],
      { env: NO_KEYS },
    );
    assert.equal(res.code, 1);
    assert.equal(JSON.parse(res.stdout).error.code, 'UNAUTHORIZED');
    assert.match(
      res.stderr,
      /LLM endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions refused the credentials \(HTTP 401\).*SIFT_LLM_API_KEY/,
    );
  } finally {
    await server.close();
  }
});

test('sift ask --reranker <URL>: stage 2 on a remote TEI endpoint', async () => {
  const server = await startLocalServer((req, res) => {
    const { texts } = req.body as { texts: string[] };
    sendJson(
      res,
      200,
      texts.map((t, index) => ({ index, score: t.includes('3,520,031') ? 0.97 : 0.02 })),
    );
  });
  try {
    const res = await runCli([
      'ask',
      QUESTION,
      '--store',
      store,
      '--reranker',
      `${server.origin}/rerank`,
      '--top-k',
      '1',
      '--json',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.hits[0].source, join(dir, 'berlin.md'));
    assert.equal(out.hits[0].rerankScore, 0.97);
    assert.equal(out.mode, 'extractive');
    assert.equal(out.answer, 'Berlin had a population of 3,520,031 registered inhabitants. [1]');
  } finally {
    await server.close();
  }
});
