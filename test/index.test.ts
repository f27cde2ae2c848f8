import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sift from '../src/index.js';
import * as langchain from '../src/langchain/index.js';

test('the package entry exposes every layer a user builds with', () => {
  for (const name of [
    'createReranker', 'createEmbedder', 'CrossEncoderReranker', 'RemoteReranker', 'OnnxEmbedder', 'resolveModel', 'listModels',
    'openStore', 'ingestFiles', 'ingestDocuments', 'DenseRetriever', 'Bm25Retriever', 'HybridRetriever', 'RerankingRetriever',
    'openSearch', 'answer', 'streamAnswer', 'ChatClient', 'evaluateDataset', 'ndcgAtK', 'startServer', 'SiftError',
  ]) {
    assert.equal(typeof (sift as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(sift.DEFAULT_RERANKER, 'cross-encoder/ms-marco-MiniLM-L-6-v2');
  assert.equal(sift.DEFAULT_EMBEDDER, 'sentence-transformers/all-MiniLM-L6-v2');
  assert.equal(typeof langchain.SiftReranker, 'function');
  assert.equal(typeof langchain.SiftRetriever, 'function');
});
