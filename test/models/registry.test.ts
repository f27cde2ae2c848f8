import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEmbedder, defaultReranker, findModel, listModels, MODELS, namesOf } from '../../src/models/registry.js';

test('findModel accepts the canonical name, aliases, short names and the ONNX repo, in any case', () => {
  for (const name of [
    'cross-encoder/ms-marco-MiniLM-L-6-v2',
    'cross-encoder/ms-marco-MiniLM-L6-v2',
    'ms-marco-MiniLM-L-6-v2',
    'Xenova/ms-marco-MiniLM-L-6-v2',
    'XENOVA/MS-MARCO-MINILM-L-6-V2',
    '  ms-marco-minilm-l-6-v2  ',
  ]) {
    assert.equal(findModel(name)?.name, 'cross-encoder/ms-marco-MiniLM-L-6-v2', name);
  }
  assert.equal(findModel('bge-reranker-v2-m3')?.onnxRepo, 'onnx-community/bge-reranker-v2-m3-ONNX');
  assert.equal(findModel('all-MiniLM-L6-v2')?.name, 'sentence-transformers/all-MiniLM-L6-v2');
  assert.equal(findModel('someone/not-a-model'), undefined);
});

test('no two models answer to the same name, so lookups are never ambiguous', () => {
  const seen = new Map<string, string>();
  for (const m of MODELS) {
    for (const n of new Set(namesOf(m).map((x) => x.toLowerCase()))) {
      assert.equal(seen.get(n), undefined, `${n} is claimed by ${seen.get(n)} and ${m.name}`);
      seen.set(n, m.name);
    }
  }
});

test('defaults and roles: the MiniLM-L6 judge and the all-MiniLM-L6 scout head their lists', () => {
  assert.equal(defaultReranker.name, 'cross-encoder/ms-marco-MiniLM-L-6-v2');
  assert.equal(defaultEmbedder.name, 'sentence-transformers/all-MiniLM-L6-v2');
  assert.equal(listModels('reranker')[0], defaultReranker);
  assert.equal(listModels('embedder')[0], defaultEmbedder);
  assert.equal(listModels().length, MODELS.length);
  assert.ok(listModels('reranker').every((m) => m.role === 'reranker'));
});

test('every entry carries what the runtime and `models list` need', () => {
  for (const m of MODELS) {
    assert.match(m.onnxRepo, /^[\w.-]+\/[\w.-]+$/, m.name);
    assert.ok(m.maxLength > 0 && m.parametersM > 0, m.name);
    assert.ok((m.sizeMB.fp32 ?? 0) > (m.sizeMB.q8 ?? 0) && (m.sizeMB.q8 ?? 0) > 0, m.name);
    if (m.role === 'reranker') assert.ok(m.numLabels === 1 || m.numLabels === 2, m.name);
    else assert.ok(m.dimension !== undefined && m.pooling !== undefined, m.name);
  }
});

test('embedder details match the model cards: max length, pooling and prefixes', () => {
  assert.equal(defaultEmbedder.maxLength, 256);
  assert.equal(defaultEmbedder.dimension, 384);
  assert.equal(defaultEmbedder.pooling, 'mean');
  const bge = findModel('BAAI/bge-small-en-v1.5');
  assert.equal(bge?.pooling, 'cls');
  assert.equal(bge?.queryPrefix, 'Represent this sentence for searching relevant passages: ');
  assert.equal(bge?.passagePrefix, undefined);
  const e5 = findModel('e5-base-v2');
  assert.deepEqual([e5?.queryPrefix, e5?.passagePrefix, e5?.dimension], ['query: ', 'passage: ', 768]);
});
