import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sift from '../src/index.js';
import * as evaluation from '../src/eval/index.js';
import * as langchain from '../src/langchain/index.js';
import * as server from '../src/server/index.js';

/**
 * What each package entry exports at run time, pinned: an export added or removed is an API change
 * and must show up here (and in CHANGELOG.md). Types are checked by the type check, not here.
 * `sift-rerank` is the public API only; the HTTP server and the evaluation harness are entries of
 * their own (`sift-rerank/server`, `sift-rerank/eval`), as LangChain's parts are.
 */
const ENTRIES = {
  'sift-rerank': [
    'BatchedReranker',
    'Batcher',
    'Bm25Retriever',
    'ChatClient',
    'CrossEncoderReranker',
    'DEFAULT_CANDIDATES',
    'DEFAULT_FUSION',
    'DEFAULT_POOLED_RERANK_BATCH_SIZE',
    'DEFAULT_QUANTIZED_RERANK_BATCH_SIZE',
    'fuse',
    'DEFAULT_CHUNK_OVERLAP',
    'DEFAULT_CHUNK_SIZE',
    'DEFAULT_CONTEXT_MAX_CHARS',
    'DEFAULT_DTYPE',
    'DEFAULT_EMBEDDER',
    'DEFAULT_EMBED_BATCH_SIZE',
    'DEFAULT_EXTRACTIVE_MIN_SCORE',
    'DEFAULT_HEADING_CONTEXT',
    'DEFAULT_K',
    'DEFAULT_LLM_TIMEOUT_MS',
    'DEFAULT_MAX_FILE_BYTES',
    'DEFAULT_MAX_WINDOWS',
    'DEFAULT_RERANKER',
    'DEFAULT_RERANK_BATCH_SIZE',
    'DEFAULT_SCORE_CACHE_ENTRIES',
    'DEFAULT_TOP_K',
    'DEFAULT_WINDOW_OVERLAP',
    'DenseRetriever',
    'FUSION_METHODS',
    'HEADING_CONTEXT_TARGETS',
    'HashingEmbedder',
    'HybridRetriever',
    'LONG_DOCUMENT_MODES',
    'LanceStore',
    'MODELS',
    'MODEL_DTYPES',
    'NO_EMBEDDER',
    'OnnxEmbedder',
    'PostgresStore',
    'RRF_K',
    'RemoteReranker',
    'RerankingRetriever',
    'STAGE1_MODES',
    'ScoreCache',
    'SiftError',
    'TERM_OVERLAP_RERANKER',
    'TermOverlapReranker',
    'answer',
    'buildContext',
    'chunkText',
    'composeTwoStage',
    'createEmbedder',
    'createReranker',
    'defaultEmbedder',
    'defaultJudgeDtype',
    'defaultReranker',
    'defaultScoutDtype',
    'documentText',
    'downloadModel',
    'embedderFromName',
    'extractiveAnswer',
    'findModel',
    'ingestDocuments',
    'ingestFiles',
    'isEndpointUrl',
    'isPairScorer',
    'judgeInt8Recipe',
    'isPostgresLocation',
    'isSiftError',
    'isStage1Mode',
    'listModels',
    'loadFile',
    'loadJudge',
    'openLanceStore',
    'openPostgresStore',
    'openSearch',
    'openStore',
    'pairScorerFor',
    'parseDocument',
    'parseEndpoint',
    'parseHeadingContext',
    'readStoreEmbedding',
    'reciprocalRankFusion',
    'renameOptions',
    'resolveModel',
    'streamAnswer',
    'twoStageSizes',
  ],
  'sift-rerank/server': [
    'DEFAULT_LIMITS',
    'HttpError',
    'OPTION_FIELDS',
    'createApp',
    'createIngestService',
    'createSearchService',
    'errorResponse',
    'inFieldTerms',
    'resolveIngestPaths',
    'resolveLimits',
    'startServer',
    'statusForCode',
  ],
  'sift-rerank/eval': [
    'DEFAULT_CUTOFFS',
    'STAGE1_MODES',
    'UNTAGGED',
    'aggregateRun',
    'bootstrapInterval',
    'buildEvalReport',
    'compareRuns',
    'evaluateDataset',
    'evaluateQuery',
    'evaluateRuns',
    'groupRuns',
    'hitAtK',
    'htmlReport',
    'latencyStats',
    'loadBeirDataset',
    'loadLabelledQueries',
    'markdownSummary',
    'metricKey',
    'ndcgAtK',
    'pairSignificance',
    'pairedRandomization',
    'parseCutoffs',
    'precisionAtK',
    'readQrels',
    'recallAtK',
    'reciprocalRankAtK',
    'recommendReranking',
    'writeReportFiles',
  ],
  'sift-rerank/langchain': ['SiftReranker', 'SiftRetriever'],
};

const MODULES: Record<keyof typeof ENTRIES, Record<string, unknown>> = {
  'sift-rerank': sift,
  'sift-rerank/server': server,
  'sift-rerank/eval': evaluation,
  'sift-rerank/langchain': langchain,
};

for (const [entry, names] of Object.entries(ENTRIES) as [keyof typeof ENTRIES, string[]][]) {
  test(`${entry} exports exactly its public API`, () => {
    assert.deepEqual(Object.keys(MODULES[entry]).sort(), [...names].sort());
  });
}

test('the root entry leaves internals out: runtime tensors, request checks, the server and the harness', () => {
  for (const name of [
    'batchTensors',
    'toInt64',
    'checkRerankRequest',
    'rankResults',
    'openSession',
    'PairEncoder',
    'startServer',
    'evaluateDataset',
    'ndcgAtK',
  ]) {
    assert.equal(name in sift, false, name);
  }
});

test('the entries expose every layer a user builds with', () => {
  for (const name of [
    'createReranker',
    'createEmbedder',
    'CrossEncoderReranker',
    'RemoteReranker',
    'TermOverlapReranker',
    'BatchedReranker',
    'OnnxEmbedder',
    'resolveModel',
    'listModels',
    'openStore',
    'ingestFiles',
    'ingestDocuments',
    'DenseRetriever',
    'Bm25Retriever',
    'HybridRetriever',
    'RerankingRetriever',
    'openSearch',
    'composeTwoStage',
    'answer',
    'streamAnswer',
    'ChatClient',
    'SiftError',
  ]) {
    assert.equal(typeof (sift as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(typeof server.startServer, 'function');
  assert.equal(typeof evaluation.evaluateDataset, 'function');
  assert.equal(typeof evaluation.ndcgAtK, 'function');
  assert.equal(sift.DEFAULT_RERANKER, 'cross-encoder/ms-marco-MiniLM-L-6-v2');
  assert.equal(sift.DEFAULT_EMBEDDER, 'sentence-transformers/all-MiniLM-L6-v2');
  assert.equal(sift.DEFAULT_CANDIDATES, 20);
  assert.equal(sift.DEFAULT_TOP_K, 4);
  assert.equal(typeof langchain.SiftReranker, 'function');
  assert.equal(typeof langchain.SiftRetriever, 'function');
});
