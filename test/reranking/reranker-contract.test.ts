import { BatchedReranker } from '../../src/reranking/batched-reranker.js';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import { pairScorerFor } from '../../src/reranking/pair-scorer.js';
import { RemoteReranker } from '../../src/reranking/remote/remote-reranker.js';
import { TermOverlapReranker } from '../../src/reranking/term-overlap-reranker.js';
import { startServer } from '../../src/server/start-server.js';
import { keywordJudgeDir } from '../support/keyword-model.js';
import { runRerankerContract, type OpenedReranker } from './reranker.contract.js';

// Every judge sift ships runs the same contract. The real ones read with the generated keyword judge
// (real ONNX inference; its logit says whether the passage holds the keyword), so their relevance is known.

const keywordJudge = async (): Promise<CrossEncoderReranker> =>
  new CrossEncoderReranker({ model: await keywordJudgeDir() });

/** A sift server on loopback serving the keyword judge, and a remote client of its `path`. */
async function remoteOf(path: '/v1/rerank' | '/rerank'): Promise<OpenedReranker> {
  const judge = await keywordJudge();
  await judge.load();
  const server = await startServer({ judge, host: '127.0.0.1', port: 0, webPage: false, log: () => {} });
  return {
    reranker: new RemoteReranker({ url: `${server.url}${path}`, env: {} }),
    close: async () => {
      await server.close();
      await judge.close();
    },
  };
}

runRerankerContract('local cross-encoder (generated keyword judge)', async () => ({ reranker: await keywordJudge() }));

runRerankerContract('remote client, Cohere shape, against a sift server on loopback', () => remoteOf('/v1/rerank'));

runRerankerContract('remote client, TEI shape, against a sift server on loopback', () => remoteOf('/rerank'));

runRerankerContract('batched reranker over the local cross-encoder', async () => {
  const judge = await keywordJudge();
  return { reranker: new BatchedReranker(pairScorerFor(judge), { maxWaitMs: 1 }), close: () => judge.close() };
});

runRerankerContract('batched reranker over a remote client (pairScorerFor: one rerank call per query)', async () => {
  const remote = await remoteOf('/v1/rerank');
  return {
    reranker: new BatchedReranker(pairScorerFor(remote.reranker), { maxWaitMs: 1 }),
    close: async () => {
      await remote.reranker.close();
      await remote.close?.();
    },
  };
});

runRerankerContract('term-overlap fake (no model)', async () => ({ reranker: new TermOverlapReranker() }));
