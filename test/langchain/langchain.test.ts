import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextualCompressionRetriever } from '@langchain/classic/retrievers/contextual_compression';
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import { RunnableLambda, RunnablePassthrough, RunnableSequence } from '@langchain/core/runnables';
import { SiftReranker, SiftRetriever } from '../../src/langchain/index.js';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import { RerankingRetriever } from '../../src/retrieval/reranking-retriever.js';
import type { Retriever } from '../../src/retrieval/retriever.js';
import type { StoredChunk } from '../../src/stores/vector-store.js';
import { testModelDir } from '../support/test-models.js';

const QUERY = 'How many people live in Berlin?';
const TEXTS = [
  'Berlin is well known for its museums.',
  'Berlin had a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.',
  'Paris is the capital of France.',
  'About 3.7 million people live within the city limits of Berlin.',
  'Population statistics of German cities.',
  'The Spree flows through Berlin.',
];

/** A stage-1 LangChain retriever over fixed documents, in their given order (a stand-in for a vector store). */
class FixedRetriever extends BaseRetriever {
  override lc_namespace = ['sift', 'test'];
  constructor(private readonly docs: DocumentInterface[]) {
    super();
  }
  override async _getRelevantDocuments(): Promise<DocumentInterface[]> {
    return this.docs;
  }
}

function docs(): Document[] {
  return TEXTS.map(
    (t, i) => new Document({ pageContent: t, metadata: { source: `doc-${i}.md`, nested: { i } }, id: `d${i}` }),
  );
}

// The real local judge on the tiny generated model: rankings are the judge's, not meaningful ones,
// so each test compares with the judge's own ranking of the same texts.
let judge: CrossEncoderReranker;
let expected: { index: number; score: number; logit: number }[];
before(async () => {
  judge = new CrossEncoderReranker({ model: await testModelDir('reranker') });
  expected = (await judge.rerank(QUERY, TEXTS)).results.map(({ index, score, logit }) => ({ index, score, logit }));
});
after(async () => {
  await judge.close();
});

test("SiftReranker inside ContextualCompressionRetriever: the judge's top N, scores in metadata, input untouched", async () => {
  const input = docs();
  const snapshot = structuredClone(input.map((d) => ({ pageContent: d.pageContent, metadata: d.metadata, id: d.id })));
  const metadataObjects = input.map((d) => d.metadata);
  const retriever = new ContextualCompressionRetriever({
    baseCompressor: new SiftReranker({ reranker: judge, topN: 3 }),
    baseRetriever: new FixedRetriever(input),
  });
  const out = await retriever.invoke(QUERY);
  assert.equal(out.length, 3);
  out.forEach((doc, i) => {
    const want = expected[i]!;
    assert.equal(doc.pageContent, TEXTS[want.index]);
    assert.equal(doc.id, `d${want.index}`);
    assert.deepEqual(doc.metadata, {
      source: `doc-${want.index}.md`,
      nested: { i: want.index },
      relevanceScore: want.score,
      logit: want.logit,
    });
    assert.notEqual(doc, input[want.index], 'a new document');
  });
  assert.ok(out[0]!.metadata.relevanceScore >= out[2]!.metadata.relevanceScore);
  assert.deepEqual(
    input.map((d) => ({ pageContent: d.pageContent, metadata: d.metadata, id: d.id })),
    snapshot,
    'inputs unchanged',
  );
  input.forEach((d, i) => assert.equal(d.metadata, metadataObjects[i], 'metadata objects not replaced'));
});

test('SiftReranker: minScore and topN, empty input', async () => {
  const threshold = (expected[1]!.score + expected[2]!.score) / 2;
  const kept = await new SiftReranker({ reranker: judge, topN: Infinity, minScore: threshold }).compressDocuments(
    docs(),
    QUERY,
  );
  assert.deepEqual(
    kept.map((d) => d.pageContent),
    [TEXTS[expected[0]!.index], TEXTS[expected[1]!.index]],
  );
  const all = await new SiftReranker({ reranker: judge, topN: Infinity }).compressDocuments(docs(), QUERY);
  assert.deepEqual(
    all.map((d) => d.pageContent),
    expected.map((e) => TEXTS[e.index]),
  );
  assert.deepEqual(await new SiftReranker({ reranker: judge }).compressDocuments([], QUERY), []);
  assert.throws(() => new SiftReranker({ reranker: judge, topN: 0 }));
});

test('SiftReranker composed in a RunnableSequence that formats a cited context', async () => {
  const stage1 = new FixedRetriever(docs());
  const compressor = new SiftReranker({ reranker: judge, topN: 2 });
  const chain = RunnableSequence.from([
    { question: new RunnablePassthrough<string>(), docs: stage1 },
    RunnableLambda.from(async ({ question, docs: found }: { question: string; docs: DocumentInterface[] }) =>
      (await compressor.compressDocuments(found, question))
        .map(
          (d, i) =>
            `[${i + 1}] (${String(d.metadata.source)}, ${(d.metadata.relevanceScore as number).toFixed(2)}) ${d.pageContent}`,
        )
        .join('\n'),
    ),
  ]);
  const context = await chain.invoke(QUERY);
  const lines = context.split('\n');
  assert.equal(lines.length, 2);
  assert.equal(
    lines[0],
    `[1] (doc-${expected[0]!.index}.md, ${expected[0]!.score.toFixed(2)}) ${TEXTS[expected[0]!.index]}`,
  );
});

test("SiftRetriever wraps the two-stage retriever: chunk text and both stages' scores in metadata", async () => {
  const chunks: StoredChunk[] = TEXTS.map((text, i) => ({
    id: `c${i}`,
    source: `/docs/${i}.md`,
    text,
    chunkIndex: i,
    start: 0,
    end: text.length,
    modifiedMs: 0,
    ...(i === 1 ? { title: 'Berlin' } : {}),
  }));
  const stage1: Retriever = {
    mode: 'fixed',
    retrieve: async (_q, options = {}) => ({
      results: chunks.slice(0, options.k ?? 20).map((chunk, i) => ({ chunk, score: 1 - i / 10, rank: i + 1 })),
      timings: { totalMs: 0 },
    }),
  };
  const twoStage = new RerankingRetriever({ retriever: stage1, reranker: judge, candidates: 6, topK: 3 });
  const retriever = new SiftRetriever({ retriever: twoStage });
  const out = await RunnableSequence.from([retriever, RunnableLambda.from((d: DocumentInterface[]) => d)]).invoke(
    QUERY,
  );
  assert.equal(out.length, 3);
  out.forEach((doc, i) => {
    const want = expected[i]!;
    assert.equal(doc.pageContent, TEXTS[want.index]);
    assert.deepEqual(doc.metadata, {
      source: `/docs/${want.index}.md`,
      chunkId: `c${want.index}`,
      chunkIndex: want.index,
      ...(want.index === 1 ? { title: 'Berlin' } : {}),
      retrievalScore: 1 - want.index / 10,
      rerankScore: want.score,
      rank: i + 1,
    });
  });
  const noJudge = new SiftRetriever({
    retriever: new RerankingRetriever({ retriever: stage1, candidates: 20, topK: 2 }),
  });
  assert.deepEqual(
    (await noJudge.invoke(QUERY)).map((d) => [d.pageContent, d.metadata.rerankScore]),
    [
      [TEXTS[0], null],
      [TEXTS[1], null],
    ],
  );
});
