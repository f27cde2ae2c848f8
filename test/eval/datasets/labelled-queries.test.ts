import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSiftError } from '../../../src/errors.js';
import {
  containsAnswer,
  createLabelledJudge,
  loadLabelledQueries,
  sourceMatches,
} from '../../../src/eval/datasets/index.js';
import { evaluateQuery } from '../../../src/eval/metrics/index.js';

async function withFile(content: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sift-labelled-'));
  try {
    const path = join(dir, 'questions.jsonl');
    await writeFile(path, content);
    await fn(path);
  } finally {
    await rm(dir, { recursive: true });
  }
}

const good = [
  '{"query": "How do I rotate keys?", "answers": ["sift keys rotate"]}',
  '',
  '{"id": "install", "query": "Install steps", "relevant": ["docs/install.md", "doc-42", "docs/install.md"]}',
].join('\n');

test('loads the labelled format with default ids from line numbers', async () => {
  await withFile(good, async (path) => {
    const ds = await loadLabelledQueries(path);
    assert.equal(ds.name, 'questions');
    assert.equal(ds.split, 'labelled');
    assert.deepEqual(ds.queries, [
      { id: 'q1', text: 'How do I rotate keys?', answers: ['sift keys rotate'] },
      { id: 'install', text: 'Install steps', relevant: ['docs/install.md', 'doc-42'] },
    ]);
  });
});

test('malformed labelled lines throw INVALID_INPUT naming file and line', async () => {
  const cases: Array<[string, RegExp]> = [
    [
      '{"query": "x"}',
      /questions\.jsonl:1: give "relevant" \(documents\), "answers" \(phrases\) or both; each line is/,
    ],
    ['{"query": "x", "relevant": ["a"], "answers": []}', /:1: "answers" must be a non-empty array/],
    [
      '{"query": "x", "answers": ["a"], "tags": "how-to"}',
      /:1: "tags" must be a non-empty array of strings.*"tags": \["tag", \.\.\.\]/,
    ],
    ['{"query": "x", "answers": ["a"], "tags": ["ok", ""]}', /:1: "tags" must hold non-empty strings only/],
    ['{"query": "x", "answers": ["a"], "kind": 3}', /:1: "kind", when given, must be a non-empty string/],
    ['{"query": "", "answers": ["b"]}', /:1: "query" must be a non-empty string/],
    ['{"query": "x", "answers": []}', /:1: "answers" must be a non-empty array/],
    ['{"query": "x", "relevant": [3]}', /:1: "relevant" must hold non-empty strings only/],
    ['{"query": "x", "answers": ["a"]}\n{"query": "y", "answers": ["a"], "id": "q1"}', /:2: duplicate query id "q1"/],
    ['{"query": "x", "answers": ["a"]}\n{nope', /:2: not valid JSON/],
    ['\n\n', /holds no queries/],
  ];
  for (const [content, pattern] of cases) {
    await withFile(content, async (path) => {
      await assert.rejects(loadLabelledQueries(path), (err: unknown) => {
        assert.ok(isSiftError(err, 'INVALID_INPUT'), String(err));
        assert.match(err.message, pattern);
        return true;
      });
    });
  }
});

test('source match: doc id, exact path, or path suffix at a / boundary, any slash style', () => {
  const chunk = { id: 'c1', docId: 'doc-42', source: 'C:\\work\\proj\\docs\\install.md' };
  assert.ok(sourceMatches('doc-42', chunk));
  assert.ok(sourceMatches('docs/install.md', chunk));
  assert.ok(sourceMatches('./install.md', chunk));
  assert.ok(!sourceMatches('all.md', chunk), 'install.md must not match all.md');
  assert.ok(!sourceMatches('docs/install.md', { id: 'c2', docId: 'x' }));
});

test('answer match: any phrase, case-insensitive, whitespace-insensitive', () => {
  assert.ok(containsAnswer('Run `SIFT keys\n   rotate` monthly', ['sift keys rotate']));
  assert.ok(containsAnswer('b here', ['a', 'B']));
  assert.ok(!containsAnswer('sift keys', ['sift keys rotate']));
});

test('relevant queries are judged per document: chunks dedupe to the first chunk of each doc', async () => {
  await withFile(good, async (path) => {
    const ds = await loadLabelledQueries(path);
    const corpus = [
      { id: 'c1', docId: 'd-install', source: '/p/docs/install.md', text: 'Install with npm.' },
      { id: 'c2', docId: 'd-keys', source: '/p/docs/keys.md', text: 'Use SIFT KEYS ROTATE.' },
      { id: 'c3', docId: 'd-keys', source: '/p/docs/keys.md', text: 'then sift keys rotate again' },
    ];
    const judge = await createLabelledJudge(ds, corpus);
    const retrieved = [corpus[1]!, corpus[0]!, corpus[2]!, { id: 'c9', docId: 'doc-42' }];
    // install: keys.md (not relevant), install.md (entry 1), keys.md again (deduped), doc-42 (entry 2)
    const ranked = judge.rank('install', retrieved);
    assert.deepEqual(ranked, ['doc:d-keys', 'docs/install.md', 'doc-42']);
    // P@1 = 0, R@3 = 2/2, MRR = 1/2
    const v = evaluateQuery(ranked, judge.qrels.get('install')!, { k: [1, 3] });
    assert.equal(v?.['P@1'], 0);
    assert.equal(v?.['R@3'], 1);
    assert.equal(v?.['MRR@10'], 0.5);
    // answers: judged per chunk; the ideal set is every corpus chunk with a phrase (c2, c3)
    assert.deepEqual([...judge.qrels.get('q1')!.keys()], ['c2', 'c3']);
    const rankedQ1 = judge.rank('q1', retrieved);
    assert.deepEqual(rankedQ1, ['c2', 'c1', 'c3', 'c9']);
    // R@1 = 1/2 (c2 of c2, c3); P@3 = 2/3
    const w = evaluateQuery(rankedQ1, judge.qrels.get('q1')!, { k: [1, 3] });
    assert.equal(w?.['R@1'], 0.5);
    assert.ok(Math.abs((w?.['P@3'] ?? 0) - 2 / 3) < 1e-12);
  });
});

test('an answer phrase found in no chunk leaves the query without relevant judgements', async () => {
  await withFile('{"query": "x", "answers": ["nowhere"]}', async (path) => {
    const judge = await createLabelledJudge(await loadLabelledQueries(path), [{ id: 'c1', docId: 'd', text: 'hello' }]);
    assert.equal(judge.qrels.get('q1')?.size, 0);
    assert.equal(evaluateQuery(['c1'], judge.qrels.get('q1')!, {}), undefined);
  });
});

test('relevant and answers on one line: a chunk counts when it is from a relevant document and holds a phrase', async () => {
  const lines = [
    '{"id": "both", "query": "Rotate keys", "relevant": ["docs/keys.md"], "answers": ["sift  KEYS rotate"], "tags": ["how-to", "keys"], "kind": "how-to"}',
    '{"id": "plain", "query": "Install", "relevant": ["docs/install.md"], "kind": "reference"}',
  ].join('\n');
  await withFile(lines, async (path) => {
    const ds = await loadLabelledQueries(path);
    assert.deepEqual(ds.queries[0], {
      id: 'both',
      text: 'Rotate keys',
      relevant: ['docs/keys.md'],
      answers: ['sift  KEYS rotate'],
      tags: ['how-to', 'keys'],
    });
    assert.deepEqual(ds.queries[1]?.tags, ['reference']);
    const corpus = [
      // the phrase, but in the wrong file: not relevant
      { id: 'c1', docId: 'd-old', source: '/p/docs/old-keys.md', text: 'sift keys rotate (deprecated)' },
      // the right file, without the phrase: not relevant
      { id: 'c2', docId: 'd-keys', source: '/p/docs/keys.md', text: 'Keys are stored encrypted.' },
      // the right file with the phrase, reflowed across a line and upper-cased: relevant
      { id: 'c3', docId: 'd-keys', source: '/p/docs/keys.md', text: 'Run SIFT keys\n  Rotate monthly.' },
      { id: 'c4', docId: 'd-keys', source: '/p/docs/keys.md', text: 'then sift keys rotate again' },
    ];
    const judge = await createLabelledJudge(ds, corpus);
    assert.deepEqual([...judge.qrels.get('both')!.keys()], ['c3', 'c4']);
    const ranked = judge.rank('both', [corpus[0]!, corpus[2]!, corpus[1]!, corpus[3]!]);
    assert.deepEqual(ranked, ['c1', 'c3', 'c2', 'c4']);
    // judged per chunk: P@2 = 1/2, R@2 = 1/2, Hit@1 = 0, Hit@2 = 1, MRR = 1/2
    const v = evaluateQuery(ranked, judge.qrels.get('both')!, { k: [1, 2] });
    assert.deepEqual(
      { p2: v?.['P@2'], r2: v?.['R@2'], h1: v?.['Hit@1'], h2: v?.['Hit@2'], mrr: v?.['MRR@10'] },
      { p2: 0.5, r2: 0.5, h1: 0, h2: 1, mrr: 0.5 },
    );
    // the relevant-only query is still judged per document
    assert.deepEqual([...judge.qrels.get('plain')!.keys()], ['docs/install.md']);
  });
});
