import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEYWORD, keywordJudgeDir } from '../support/keyword-model.js';
import { testModelDir } from '../support/test-models.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

const docs = [
  JSON.stringify('Berlin is well known for its museums.'),
  '',
  JSON.stringify({
    text: 'Berlin had a population of 3,520,031 registered inhabitants.',
    source: 'wiki/berlin.md',
    id: 7,
  }),
  JSON.stringify({ text: 'Paris is the capital of France.', source: 'wiki/paris.md' }),
].join('\n');

test('sift rerank --json prints ranked documents with scores, logits, metadata and timings', async () => {
  const dir = await tempDir('sift-cli-rerank-');
  const file = join(dir, 'docs.jsonl');
  await writeFile(file, docs);
  const model = await testModelDir('reranker');
  const res = await runCli([
    'rerank',
    'How many people live in Berlin?',
    '--docs',
    file,
    '--reranker',
    model,
    '--json',
  ]);
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout) as {
    query: string;
    model: string;
    results: {
      rank: number;
      index: number;
      text: string;
      score: number;
      logit: number;
      source?: string;
      id?: number;
    }[];
    timings: Record<string, number>;
  };
  assert.equal(out.query, 'How many people live in Berlin?');
  assert.equal(out.model, model);
  assert.deepEqual(
    out.results.map((r) => r.rank),
    [1, 2, 3],
  );
  assert.deepEqual(out.results.map((r) => r.index).sort(), [0, 1, 2]);
  for (let i = 1; i < out.results.length; i++) assert.ok(out.results[i - 1]!.score >= out.results[i]!.score);
  const berlin = out.results.find((r) => r.index === 1)!;
  assert.equal(berlin.source, 'wiki/berlin.md');
  assert.equal(berlin.id, 7);
  for (const key of ['loadMs', 'tokenizeMs', 'inferenceMs', 'totalMs'])
    assert.equal(typeof out.timings[key], 'number', key);

  const top1 = await runCli(
    ['rerank', 'How many people live in Berlin?', '--docs', '-', '--reranker', model, '--top-k', '1', '--json'],
    { input: docs },
  );
  assert.equal(top1.code, 0, top1.stderr);
  assert.deepEqual(
    JSON.parse(top1.stdout).results.map((r: { index: number }) => r.index),
    [out.results[0]!.index],
  );

  const table = await runCli(['rerank', 'How many people live in Berlin?', '--docs', file, '--reranker', model]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /rank\s+score/);
  assert.match(table.stdout, /\[wiki\/berlin\.md\]/);
});

test('sift rerank refuses bad input with a clear message and the right exit code', async () => {
  const dir = await tempDir('sift-cli-rerank-bad-');
  const bad = join(dir, 'bad.jsonl');
  await writeFile(bad, '"fine"\n{"title": "no text here"}\n');
  const model = await testModelDir('reranker');

  const badLine = await runCli(['rerank', 'q', '--docs', bad, '--reranker', model]);
  assert.equal(badLine.code, 1);
  assert.match(badLine.stderr, /bad\.jsonl:2 has no text/);

  const json = await runCli(['rerank', 'q', '--docs', bad, '--reranker', model, '--json']);
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.stdout).error.code, 'INVALID_INPUT');

  const noDocs = await runCli(['rerank', 'q', '--reranker', model]);
  assert.equal(noDocs.code, 2);
  assert.match(noDocs.stderr, /--docs is required/);

  const badTopK = await runCli(['rerank', 'q', '--docs', bad, '--top-k', 'zero']);
  assert.equal(badTopK.code, 2);
  assert.match(badTopK.stderr, /--top-k must be a positive whole number/);

  const offline = await runCli(['rerank', 'q', '--docs', '-', '--reranker', 'cross-encoder/ms-marco-MiniLM-L-6-v2'], {
    input: '"doc"\n',
    env: { SIFT_MODELS_DIR: dir, SIFT_CACHE_DIR: join(dir, 'cache') },
  });
  assert.equal(offline.code, 1);
  assert.match(offline.stderr, /offline/i);
  assert.ok(offline.stderr.includes(dir), `names the places it looked: ${offline.stderr}`);
});

test('sift rerank --long-documents window reads a document past the model limit and says which window scored', async () => {
  const dir = await tempDir('sift-cli-rerank-long-');
  const file = join(dir, 'docs.jsonl');
  const long = `${'Grass covers the wide plain and rain falls in spring. '.repeat(30)}A ${KEYWORD} drinks at the river.`;
  await writeFile(
    file,
    [JSON.stringify('Lions rest in the shade.'), JSON.stringify({ text: long, source: 'savanna.md' })].join('\n'),
  );
  const model = await keywordJudgeDir();
  const args = ['rerank', 'Where do the animals live?', '--docs', file, '--reranker', model, '--json'];

  const truncated = JSON.parse((await runCli(args)).stdout) as {
    results: { index: number; truncated: boolean; window?: unknown }[];
    truncatedPairs: number;
  };
  assert.equal(truncated.results[0]!.index, 0, 'truncate never reads the sentence');
  assert.equal(truncated.truncatedPairs, 1);

  const res = await runCli([...args, '--long-documents', 'window', '--window-overlap', '8']);
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout) as {
    results: {
      index: number;
      source?: string;
      truncated: boolean;
      window: {
        index: number;
        count: number;
        charStart: number;
        charEnd: number;
        tokenStart: number;
        tokenEnd: number;
      };
    }[];
  };
  const first = out.results[0]!;
  assert.equal(first.index, 1);
  assert.equal(first.source, 'savanna.md');
  assert.equal(first.truncated, false);
  assert.ok(first.window.count > 1);
  assert.ok(long.slice(first.window.charStart, first.window.charEnd).includes(KEYWORD));

  const table = await runCli([...args.slice(0, -1), '--long-documents', 'window']);
  assert.match(table.stdout, /\[savanna\.md\] {2}\(window \d+\/\d+ at character \d+\)/);

  const badMode = await runCli([...args, '--long-documents', 'slide']);
  assert.equal(badMode.code, 2);
  assert.match(badMode.stderr, /--long-documents must be truncate or window, got "slide"/);
  const stray = await runCli([...args, '--max-windows', '4']);
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /--max-windows applies to --long-documents window only/);
  const tooLong = await runCli([...args, '--long-documents', 'window', '--max-windows', '2']);
  assert.equal(tooLong.code, 1);
  assert.match(tooLong.stderr, /document 1 is longer than 2 windows/);
});
