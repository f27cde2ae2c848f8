import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { loadTokenizer } from '../../src/tokenization/load-tokenizer.js';
import { PairEncoder } from '../../src/tokenization/pair-encoder.js';
import { bertTokenizerPath } from '../../tools/model-gen/paths.js';
import { wordPieceTokenizerJson, wordPieceVocab } from '../../tools/model-gen/wordpiece-tokenizer.js';
import { testModelDir, TEST_MODEL_CONFIGS, type TestModelKind } from '../support/test-models.js';

test('every generated test model has a tokenizer whose vocabulary is exactly the config vocab_size', async () => {
  for (const kind of Object.keys(TEST_MODEL_CONFIGS) as TestModelKind[]) {
    const dir = await testModelDir(kind);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    const json = JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8'));
    const ids = Object.values(json.model.vocab as Record<string, number>).sort((a, b) => a - b);
    assert.equal(ids.length, config.vocab_size, kind);
    assert.deepEqual([ids[0], ids.at(-1)], [0, config.vocab_size - 1], `${kind}: ids 0..vocab_size-1`);
    assert.equal(new Set(ids).size, ids.length, `${kind}: no id twice`);
  }
});

test('the generated tokenizer loads with @huggingface/tokenizers: bert-base-uncased ids of the specials, lowercasing, pair type ids', async () => {
  const { tokenizer, padId } = await loadTokenizer(join(await testModelDir('reranker'), 'tokenizer.json'));
  assert.equal(padId, 0);
  assert.deepEqual(
    ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t) => tokenizer.token_to_id(t)),
    [0, 100, 101, 102, 103],
  );
  const pair = tokenizer.encode('How many People?', { text_pair: 'Berlin has 3.5 million.' });
  assert.equal(pair.ids[0], 101);
  assert.deepEqual(pair.tokens.slice(1, 5), ['how', 'many', 'people', '?'], 'lowercased, punctuation split off');
  assert.equal(pair.ids.filter((id: number) => id === 102).length, 2);
  // tokenizers.js returns no type ids; sift reads them from the post-processor's template.
  assert.deepEqual(new PairEncoder(tokenizer, 512).layout.pair, {
    prefix: [101],
    middle: [102],
    suffix: [102],
    typeA: 0,
    typeB: 1,
  });
  assert.ok(!pair.ids.includes(100), 'ASCII text needs no [UNK]');
  const pieces = tokenizer.encode('zyxwvut', { add_special_tokens: false }).tokens;
  assert.equal(pieces.join('').replaceAll('##', ''), 'zyxwvut', 'an unknown word splits into ## pieces');
  assert.ok(pieces.slice(1).every((p: string) => p.startsWith('##')));
  assert.deepEqual(
    tokenizer.encode('東京', { add_special_tokens: false }).ids,
    [100, 100],
    'each CJK character is a word; unknown ones are [UNK]',
  );
  assert.equal(tokenizer.decode(tokenizer.encode('hello world').ids, { skip_special_tokens: true }), 'hello world');
});

test('vocabularies of other sizes keep the layout; too small a size is refused naming the minimum', () => {
  const small = wordPieceVocab(300);
  assert.equal(small.length, 300);
  assert.equal(new Set(small).size, 300);
  assert.deepEqual(small.slice(100, 105), ['[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a']);
  assert.ok(small.includes('##z') && small.includes('9'));
  assert.throws(() => wordPieceVocab(100), /at least 176 tokens/);
  const tokenizer = new Tokenizer(wordPieceTokenizerJson(300), {});
  assert.ok(tokenizer.encode('quantum chromodynamics').ids.every((id: number) => id < 300));
});

const real = bertTokenizerPath();
test(
  "the generated tokenizer.json has the real bert-base-uncased export's shape: every field but the vocabulary equal",
  { skip: existsSync(real) ? false : `skipped: no tokenizer at ${real}` },
  () => {
    const { model: realModel, ...realRest } = JSON.parse(readFileSync(real, 'utf8'));
    const { model: ownModel, ...ownRest } = wordPieceTokenizerJson(30522) as { model: Record<string, unknown> };
    assert.deepEqual(ownRest, realRest);
    const { vocab: realVocab, ...realModelRest } = realModel;
    const { vocab: ownVocab, ...ownModelRest } = ownModel;
    assert.deepEqual(ownModelRest, realModelRest);
    assert.equal(Object.keys(ownVocab as object).length, Object.keys(realVocab).length);
  },
);
