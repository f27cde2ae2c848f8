import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { answer, streamAnswer, type AnswerEvent } from '../../src/generation/answer.js';
import { buildContext } from '../../src/generation/build-context.js';
import { NOT_FOUND_ANSWER } from '../../src/generation/build-messages.js';
import { extractiveAnswer } from '../../src/generation/extractive-answer.js';
import { splitSentences } from '../../src/generation/split-sentences.js';
import { isSiftError } from '../../src/errors.js';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import { startLocalServer } from '../support/local-http-server.js';
import { testModelDir } from '../support/test-models.js';
import { hitsOf } from './hits.js';

const QUERY = 'How many people live in Berlin?';
const OVERLAP = 'The city is the capital of Germany.';
const HITS = hitsOf([
  {
    source: '/docs/berlin.md',
    text: `# Berlin\nBerlin had a population of 3,520,031 registered inhabitants, i.e. about 3.5 million. ${OVERLAP}`,
    score: 0.91,
  },
  {
    source: '/docs/berlin-more.md',
    text: `${OVERLAP} Around 3.7 million people live within the city limits. It is famous for museums.`,
    score: 0.74,
  },
  { source: '/docs/paris.md', text: 'Paris is the capital of France. The Seine flows through it.', score: 0.05 },
]);

// The real local judge on the tiny generated model (random weights): scores are not meaningful, but
// they are the judge's, so the tests check that the answer is exactly what the judge's scores say.
let judge: CrossEncoderReranker;
before(async () => {
  judge = new CrossEncoderReranker({ model: await testModelDir('reranker') });
});
after(async () => {
  await judge.close();
});

/** Every distinct sentence of the hits with its block number and the judge's score of it alone. */
async function scoredSentences(): Promise<{ text: string; n: number; score: number }[]> {
  const seen = new Set<string>();
  const out: { text: string; n: number; score: number }[] = [];
  for (const [i, hit] of HITS.entries()) {
    for (const s of splitSentences(hit.chunk.text)) {
      if (seen.has(s.text.toLowerCase())) continue;
      seen.add(s.text.toLowerCase());
      const { results } = await judge.rerank(QUERY, [s.text]);
      out.push({ text: s.text, n: i + 1, score: results[0]!.score });
    }
  }
  return out.sort((a, b) => b.score - a.score);
}

test('sentences by UAX #29: abbreviations and decimals stay inside, line breaks split, crumbs dropped', () => {
  assert.deepEqual(
    splitSentences(HITS[0]!.chunk.text).map((s) => s.text),
    ['# Berlin', 'Berlin had a population of 3,520,031 registered inhabitants, i.e. about 3.5 million.', OVERLAP],
  );
  const text = '  First one.   Second\n  line?\n  —  ';
  assert.deepEqual(
    splitSentences(text).map((s) => [s.text, text.slice(s.start, s.end)]),
    [
      ['First one.', 'First one.'],
      ['Second', 'Second'],
      ['line?', 'line?'],
    ],
  );
});

test("extractive answer: the judge's best sentences above the threshold, each with its citation; overlaps counted once", async () => {
  const expected = await scoredSentences();
  assert.equal(expected.length, 7, 'the sentence shared by two chunks is judged once');
  const context = buildContext(HITS);
  const result = await extractiveAnswer(QUERY, context, { reranker: judge, minScore: 0, maxSentences: 3 });
  assert.deepEqual(
    result.sentences.map((s) => [s.text, s.n]),
    expected.slice(0, 3).map((s) => [s.text, s.n]),
  );
  result.sentences.forEach((s, i) =>
    assert.ok(Math.abs(s.score - expected[i]!.score) < 1e-5, 'scored as a (question, sentence) pair'),
  );
  assert.equal(
    result.answer,
    expected
      .slice(0, 3)
      .map((s) => `${s.text} [${s.n}]`)
      .join('\n'),
  );
  const cited = [...new Set(expected.slice(0, 3).map((s) => s.n))];
  assert.deepEqual(
    result.citations.map((c) => c.n),
    cited,
  );
  for (const c of result.citations) {
    const hit = HITS[c.n - 1]!;
    assert.deepEqual(c, { n: c.n, source: hit.chunk.source, chunkId: hit.chunk.id, relevance: hit.rerankScore });
  }

  // A threshold between the 2nd and 3rd best keeps two.
  const between = (expected[1]!.score + expected[2]!.score) / 2;
  const two = await extractiveAnswer(QUERY, context, { reranker: judge, minScore: between, maxSentences: 3 });
  assert.equal(two.sentences.length, 2);
});

test('extractive answer: "not found" when no sentence reaches the threshold, or there are no hits', async () => {
  const best = (await scoredSentences())[0]!.score;
  assert.ok(best < 1);
  const result = await answer(QUERY, HITS, { reranker: judge, extractive: { minScore: Math.min(1, best + 1e-4) } });
  assert.deepEqual(
    { answer: result.answer, citations: result.citations, mode: result.mode },
    { answer: NOT_FOUND_ANSWER, citations: [], mode: 'extractive' },
  );
  const none = await answer(QUERY, [], { reranker: judge });
  assert.equal(none.answer, NOT_FOUND_ANSWER);
  assert.deepEqual(none.citations, []);
});

test('answer() without an LLM is extractive and needs a judge', async () => {
  const result = await answer(QUERY, HITS, { reranker: judge, extractive: { minScore: 0, maxSentences: 1 } });
  assert.equal(result.mode, 'extractive');
  assert.equal(result.sentences?.length, 1);
  assert.match(result.answer, / \[[123]\]$/);
  await assert.rejects(answer(QUERY, HITS), (e: unknown) => isSiftError(e, 'INVALID_OPTION'));
});

test('answer() with an LLM streams its text and cites the blocks it names', async () => {
  const pieces = ['About 3.7 million people live in Berlin [2]', ', with 3,520,031 registered [1][9].'];
  const server = await startLocalServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const p of pieces)
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: p }, finish_reason: null }] })}\n\n`);
    res.end(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
  });
  try {
    const events: AnswerEvent[] = [];
    for await (const e of streamAnswer(QUERY, HITS, { llm: { url: `${server.origin}/v1`, model: 'm', env: {} } }))
      events.push(e);
    assert.deepEqual(
      events.filter((e) => e.type === 'text').map((e) => e.text),
      pieces,
    );
    const done = events.at(-1)!;
    assert.equal(done.type, 'done');
    if (done.type !== 'done') return;
    assert.equal(done.result.mode, 'llm');
    assert.equal(done.result.answer, pieces.join(''));
    assert.deepEqual(
      done.result.citations.map((c) => [c.n, c.source]),
      [
        [2, '/docs/berlin-more.md'],
        [1, '/docs/berlin.md'],
      ],
    );
    const sent = server.requests[0]!.body as { messages: { role: string; content: string }[] };
    assert.match(sent.messages[1]!.content, /\[3\] \[Relevance: 0\.05\] \[source: \/docs\/paris\.md\]/);
    assert.match(sent.messages[1]!.content, /Question: How many people live in Berlin\?$/);

    const noHits = await answer(QUERY, [], { llm: { url: `${server.origin}/v1`, env: {} } });
    assert.deepEqual([noHits.answer, noHits.mode], [NOT_FOUND_ANSWER, 'llm']);
    assert.equal(server.requests.length, 1, 'no LLM call without context');
  } finally {
    await server.close();
  }
});
