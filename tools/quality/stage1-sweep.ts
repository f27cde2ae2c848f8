/**
 * The offline stage-1 sweep of issue 20's second pass: hybrid nDCG@10 for many fusions, depths and
 * query-side levers over one set, without embedding anything. Dense lists come from a real-vector
 * cache (`bench/support/real-vectors.ts` format; exact search over all chunks), BM25 lists from the
 * store `sift eval --store DIR` built (heading path + chunk, the default), and documents are ranked as
 * `sift eval` ranks them (a document at its best chunk, nDCG@10 over the top 20 fused chunks). It
 * gives `sift eval`'s figures to four decimals on SciFact and DBpedia (within 0.0011 on the classic
 * sets, where the store's dense index and exact search differ on near ties). Levers:
 *   fusion    RRF, min-max, z-score and tmm at several alphas, hybrid depths 30 / 50 / 100
 *   prf       dense pseudo-relevance feedback (Rocchio on the vectors), feedback from dense or fused
 *   rm3       BM25 expansion with frequent words of the top fused chunks (RM3-style, uniform weights)
 *   siblings  a chunk's fused score plus gamma x the best fused score of another chunk of its document
 *   docfuse   fusion at document level: each list keeps a document once, at its best chunk, then fuses
 * Choose with development sets (SciFact `--split train`, the DBpedia subset); look at test sets once.
 *
 *   npx tsx tools/quality/stage1-sweep.ts --corpus scifact --dataset ../shared/data/scifact \
 *     --store DIR --split train --cache /work/.coord/cache/vectors --levers fusion,prf,rm3,siblings,docfuse
 */
import { parseArgs } from 'node:util';
import { chunksToDocuments } from '../../src/eval/chunks-to-documents.js';
import { readQrels } from '../../src/eval/datasets/read-qrels.js';
import { ndcgAtK } from '../../src/eval/metrics/ndcg-at-k.js';
import { fuse, parseFusionSpec } from '../../src/retrieval/fusion.js';
import type { RetrievedChunk } from '../../src/retrieval/retriever.js';
import { openStore } from '../../src/stores/open-store.js';
import type { StoredChunk } from '../../src/stores/vector-store.js';
import { DIM, readRealCorpus } from '../../bench/support/real-vectors.js';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string' },
    dataset: { type: 'string' },
    store: { type: 'string' },
    split: { type: 'string', default: 'test' },
    cache: { type: 'string' },
    levers: { type: 'string', default: 'fusion' },
  },
});
if (!args.corpus || !args.dataset || !args.store) throw new Error('--corpus, --dataset and --store are required');
const levers = new Set(args.levers.split(','));
const corpus = await readRealCorpus(args.corpus, args.cache);
const qrels = await readQrels(`${args.dataset}/qrels/${args.split}.tsv`);
const store = await openStore(args.store);
const N = corpus.chunks.length;
const rowOf = new Map(corpus.chunks.map((c, i) => [c.id, i]));
const MAX_DEPTH = 100;
const SHOWN = 20; // sift eval's stage-1 depth: the largest default cut-off

const stored = (i: number): StoredChunk => {
  const c = corpus.chunks[i]!;
  return {
    id: c.id,
    source: c.source,
    text: c.text,
    chunkIndex: c.chunkIndex,
    start: c.start,
    end: c.end,
    modifiedMs: 0,
  };
};
function denseSearch(query: Float32Array, k: number): RetrievedChunk[] {
  const scores = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    let dot = 0;
    for (let j = 0; j < DIM; j++) dot += query[j]! * corpus.vectors[i * DIM + j]!;
    scores[i] = dot;
  }
  return Array.from({ length: N }, (_, i) => i)
    .sort((a, b) => scores[b]! - scores[a]!)
    .slice(0, k)
    .map((i, r) => ({ chunk: stored(i), rank: r + 1, score: scores[i]! }));
}
async function bm25Search(text: string, k: number): Promise<RetrievedChunk[]> {
  const hits = await store.textSearch(text, { k, headingPath: true });
  return hits
    .sort((a, b) => b.score - a.score || (a.chunk.id < b.chunk.id ? -1 : a.chunk.id > b.chunk.id ? 1 : 0))
    .map((h, r) => ({ chunk: h.chunk, rank: r + 1, score: h.score }));
}
/** Rocchio: normalise(q + beta x mean of the top-m chunk vectors). */
function rocchio(query: Float32Array, feedback: readonly RetrievedChunk[], m: number, beta: number): Float32Array {
  const out = Float32Array.from(query);
  const top = feedback.slice(0, m);
  for (const r of top) {
    const row = rowOf.get(r.chunk.id)!;
    for (let j = 0; j < DIM; j++) out[j]! += (beta / top.length) * corpus.vectors[row * DIM + j]!;
  }
  const norm = Math.hypot(...out);
  return out.map((x) => x / norm);
}
const STOP = new Set(
  'the of and a an in to for with on by from as at is are was were be been this that these those or not no which we our it its their than also have has had both between into during after before more most other such can may using use used via per all any each within without over under two one three'.split(
    ' ',
  ),
);
const words = (t: string): string[] => t.toLowerCase().match(/[a-z][a-z0-9-]{2,}/g) ?? [];
/** The t words of highest summed in-chunk frequency over the top-m chunks, not in the query. */
function expansion(query: string, feedback: readonly RetrievedChunk[], m: number, t: number): string[] {
  const inQuery = new Set(words(query));
  const weight = new Map<string, number>();
  for (const r of feedback.slice(0, m)) {
    const ws = words(r.chunk.text).filter((w) => !STOP.has(w));
    for (const w of ws) weight.set(w, (weight.get(w) ?? 0) + 1 / ws.length);
  }
  return [...weight.entries()]
    .filter(([w]) => !inQuery.has(w))
    .sort((a, b) => b[1] - a[1])
    .slice(0, t)
    .map(([w]) => w);
}
function siblings(list: readonly RetrievedChunk[], gamma: number): RetrievedChunk[] {
  const bySource = new Map<string, number[]>();
  for (const r of list) bySource.set(r.chunk.source, [...(bySource.get(r.chunk.source) ?? []), r.score]);
  return list
    .map((r) => {
      const others = [...bySource.get(r.chunk.source)!];
      others.splice(others.indexOf(r.score), 1);
      return { ...r, score: r.score + gamma * (others.length > 0 ? Math.max(...others) : 0) };
    })
    .sort((a, b) => b.score - a.score || a.rank - b.rank)
    .map((r, i) => ({ ...r, rank: i + 1 }));
}

/** MaxP per retriever: each document once, at its best chunk, before fusing. */
function collapse(list: readonly RetrievedChunk[]): RetrievedChunk[] {
  const seen = new Set<string>();
  const out: RetrievedChunk[] = [];
  for (const r of list) {
    if (seen.has(r.chunk.source)) continue;
    seen.add(r.chunk.source);
    out.push({ ...r, chunk: { ...r.chunk, id: r.chunk.source }, rank: out.length + 1 });
  }
  return out;
}
const FUSIONS = ['rrf:60', 'rrf:20', 'rrf:60:0.6', 'rrf:60:0.7', 'rrf:20:0.7'];
for (const a of [0.5, 0.6, 0.7]) FUSIONS.push(`minmax:${a}`, `zscore:${a}`);
for (const a of [0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9]) FUSIONS.push(`tmm:${a}`);
const PREVIOUS = parseFusionSpec('rrf:60:0.7');

const runs = new Map<string, number[]>();
const add = (name: string, value: number): void => void runs.set(name, [...(runs.get(name) ?? []), value]);
for (const [qi, q] of corpus.queries.entries()) {
  const judged = qrels.get(q.id);
  if (!judged || ![...judged.values()].some((g) => g > 0)) continue;
  const ndcg = (list: readonly RetrievedChunk[]): number =>
    ndcgAtK(chunksToDocuments(list.slice(0, SHOWN).map((r) => ({ docId: r.chunk.source }))), judged, 10);
  const vector = corpus.queryVectors.subarray(qi * DIM, (qi + 1) * DIM);
  const dense = denseSearch(vector, MAX_DEPTH);
  const bm25 = await bm25Search(q.text, MAX_DEPTH);
  add('dense', ndcg(dense));
  add('bm25', ndcg(bm25));
  if (levers.has('fusion'))
    for (const depth of [30, 50, 100])
      for (const spec of FUSIONS)
        add(
          `d${depth} ${spec}`,
          ndcg(fuse({ dense: dense.slice(0, depth), bm25: bm25.slice(0, depth) }, parseFusionSpec(spec), SHOWN)),
        );
  if (levers.has('docfuse'))
    for (const depth of [50, 100])
      for (const spec of [
        'rrf:60',
        'rrf:60:0.7',
        'rrf:20',
        'zscore:0.5',
        'zscore:0.6',
        'minmax:0.6',
        'tmm:0.7',
        'tmm:0.75',
        'tmm:0.8',
      ])
        add(
          `doc d${depth} ${spec}`,
          ndcg(
            fuse(
              { dense: collapse(dense.slice(0, depth)), bm25: collapse(bm25.slice(0, depth)) },
              parseFusionSpec(spec),
              SHOWN,
            ),
          ),
        );
  const d50 = dense.slice(0, 50);
  const b50 = bm25.slice(0, 50);
  const hybrid = fuse({ dense: d50, bm25: b50 }, PREVIOUS, 50);
  if (levers.has('prf'))
    for (const m of [3, 5, 10])
      for (const beta of [0.5, 1, 2])
        for (const [from, feedback] of [
          ['dense', d50],
          ['fused', hybrid],
        ] as const) {
          const again = denseSearch(rocchio(vector, feedback, m, beta), 50);
          add(`d50 dense PRF(${from}) m${m} b${beta}`, ndcg(again));
          add(
            `d50 rrf:60:0.7 + dense PRF(${from}) m${m} b${beta}`,
            ndcg(fuse({ dense: again, bm25: b50 }, PREVIOUS, SHOWN)),
          );
          add(
            `d50 zscore:0.5 + dense PRF(${from}) m${m} b${beta}`,
            ndcg(fuse({ dense: again, bm25: b50 }, parseFusionSpec('zscore:0.5'), SHOWN)),
          );
        }
  if (levers.has('rm3'))
    for (const m of [3, 5])
      for (const t of [5, 10]) {
        const expanded = await bm25Search(`${q.text} ${expansion(q.text, hybrid, m, t).join(' ')}`, 50);
        add(`d50 bm25 RM3 m${m} t${t}`, ndcg(expanded));
        add(`d50 rrf:60:0.7 + bm25 RM3 m${m} t${t}`, ndcg(fuse({ dense: d50, bm25: expanded }, PREVIOUS, SHOWN)));
      }
  if (levers.has('siblings'))
    for (const spec of ['rrf:60', 'rrf:60:0.7', 'zscore:0.5', 'zscore:0.6', 'zscore:0.7'])
      for (const gamma of [0.25, 0.5, 1])
        add(
          `d50 ${spec} siblings ${gamma}`,
          ndcg(siblings(fuse({ dense: d50, bm25: b50 }, parseFusionSpec(spec), 50), gamma)),
        );
}
await store.close();
const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
console.log(`${args.corpus} (${args.split}): ${runs.get('dense')?.length ?? 0} queries, nDCG@10`);
for (const [name, values] of runs) console.log(`${name.padEnd(48)} ${mean(values).toFixed(4)}`);
