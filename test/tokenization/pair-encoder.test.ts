import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer } from '../../src/tokenization/load-tokenizer.js';
import { PairEncoder, encodeSingle } from '../../src/tokenization/pair-encoder.js';
import { encodeText } from '../../src/tokenization/encode-text.js';
import { isSiftError } from '../../src/errors.js';
import { bertTokenizerPath } from '../../tools/model-gen/paths.js';
import { testModelDir } from '../support/test-models.js';

/** The real bert-base-uncased tokenizer in ../shared (expected ids), when present. */
const realPath = bertTokenizerPath();
const noReal = existsSync(realPath) ? false : `skipped: no tokenizer at ${realPath}`;
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/tokenization/bert-base-uncased-pairs.json', import.meta.url), 'utf8'),
) as { maxLength: number; cases: { name: string; query: string; passage: string; ids: number[]; typeIds: number[] }[] };

const CLS = 101;
const SEP = 102;

/**
 * The behaviour tests run on the real tokenizer (with ../shared) and on the generated WordPiece one of
 * the test models (everywhere): both have bert-base-uncased's layout, [CLS]=101 and [SEP]=102.
 */
const tokenizers: { name: string; path: () => Promise<string>; skip: string | false; real: boolean }[] = [
  { name: 'bert-base-uncased', path: async () => realPath, skip: noReal, real: true },
  {
    name: 'generated WordPiece',
    path: async () => join(await testModelDir('reranker'), 'tokenizer.json'),
    skip: false,
    real: false,
  },
];

test(
  'pair ids and type ids equal the Rust tokenizers reference (only_second truncation at 512)',
  { skip: noReal },
  async () => {
    const { tokenizer } = await loadTokenizer(realPath);
    const encoder = new PairEncoder(tokenizer, fixture.maxLength);
    assert.ok(fixture.cases.length >= 10);
    for (const c of fixture.cases) {
      const got = encoder.encodePair(encoder.encodeQuery(c.query), c.passage);
      assert.deepEqual(got.ids, c.ids, `${c.name}: ids`);
      assert.deepEqual(got.typeIds, c.typeIds, `${c.name}: type ids`);
    }
  },
);

for (const t of tokenizers) {
  test(
    `the layout is read from the tokenizer: [CLS] A [SEP] B [SEP] with type ids 0 then 1 (${t.name})`,
    { skip: t.skip },
    async () => {
      const { tokenizer, padId } = await loadTokenizer(await t.path());
      const { layout } = new PairEncoder(tokenizer, 512);
      assert.deepEqual(layout.pair, { prefix: [CLS], middle: [SEP], suffix: [SEP], typeA: 0, typeB: 1 });
      assert.deepEqual(layout.single, { prefix: [CLS], suffix: [SEP] });
      assert.equal(padId, 0);
    },
  );

  test(
    `truncation keeps every query token and the final [SEP], and flags the pair (${t.name})`,
    { skip: t.skip },
    async () => {
      const { tokenizer } = await loadTokenizer(await t.path());
      for (const maxLength of [16, 32, 512]) {
        const encoder = new PairEncoder(tokenizer, maxLength);
        const query = encoder.encodeQuery('How many people live in Berlin?');
        const passage = 'Berlin is the capital and largest city of Germany by both area and population. '.repeat(100);
        const pair = encoder.encodePair(query, passage);
        assert.equal(pair.ids.length, maxLength);
        assert.equal(pair.truncated, true);
        assert.deepEqual(pair.ids.slice(1, 1 + query.ids.length), query.ids, 'query intact');
        assert.equal(pair.ids[1 + query.ids.length], SEP);
        assert.equal(pair.ids.at(-1), SEP, 'final [SEP] kept');
        assert.equal(pair.typeIds.at(-1), 1);
      }
      const short = new PairEncoder(tokenizer, 512).encodePair(
        new PairEncoder(tokenizer, 512).encodeQuery('q'),
        'short',
      );
      assert.equal(short.truncated, false);
    },
  );

  test(
    `a query that leaves no room for the passage is refused with QUERY_TOO_LONG, naming the limits (${t.name})`,
    { skip: t.skip },
    async () => {
      const { tokenizer } = await loadTokenizer(await t.path());
      const encoder = new PairEncoder(tokenizer, 16);
      const longQuery = 'one two three four five six seven eight nine ten eleven twelve thirteen';
      const length = tokenizer.encode(longQuery, { add_special_tokens: false }).ids.length;
      if (t.real) assert.equal(length, 13);
      assert.ok(length >= 13);
      assert.throws(
        () => encoder.encodeQuery(longQuery),
        (err: unknown) =>
          isSiftError(err, 'QUERY_TOO_LONG') &&
          err.message.includes(`${length} tokens`) &&
          /16 tokens/.test(err.message),
      );
    },
  );

  test(`prefix tokenization of long texts equals tokenizing the whole text (${t.name})`, { skip: t.skip }, async () => {
    const { tokenizer } = await loadTokenizer(await t.path());
    const pieces = [
      'naïve',
      'café',
      '🍕',
      'Zürich',
      'e-mail',
      '3,520,031',
      "don't",
      'Ünïcödé',
      'x'.repeat(120),
      '東京',
      '\t',
      '\n\n',
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 20; round++) {
      const words: string[] = [];
      for (let i = 0; i < 3000; i++) words.push(pieces[next() % pieces.length]!);
      const text = words.join(next() % 2 ? ' ' : '  ');
      const budget = [1, 50, 300, 509][round % 4]!;
      const full = tokenizer.encode(text, { add_special_tokens: false }).ids;
      const fast = encodeText(tokenizer, text, budget);
      assert.deepEqual(fast.ids, full.slice(0, budget), `round ${round}`);
      assert.equal(fast.truncated, full.length > budget);
    }
  });

  test(
    `single-text encoding for bi-encoders cuts the text, never the closing [SEP] (${t.name})`,
    { skip: t.skip },
    async () => {
      const { tokenizer } = await loadTokenizer(await t.path());
      const { layout } = new PairEncoder(tokenizer, 512);
      const seq = encodeSingle(tokenizer, layout, 'word '.repeat(1000), 256);
      assert.equal(seq.ids.length, 256);
      assert.equal(seq.ids[0], CLS);
      assert.equal(seq.ids.at(-1), SEP);
      assert.equal(seq.truncated, true);
      assert.deepEqual(encodeSingle(tokenizer, layout, '', 256).ids, [CLS, SEP]);
    },
  );
}
