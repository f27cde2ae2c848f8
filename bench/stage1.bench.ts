/**
 * Stage-1 benchmark: ingest throughput and dense search latency of the LanceDB store.
 *
 *   npx tsx bench/stage1.bench.ts [--quick] [--json-only]
 *
 * 1. Store writes: chunks/s of `upsert` with random unit vectors (dimension 384, batches of 1,000).
 * 2. End-to-end ingest (`ingestFiles`: walk, read, chunk, embed, write) of a generated Markdown corpus,
 *    with the model-free hashing embedder (loader/chunker/store cost) and, when the full-size
 *    random-weight MiniLM-L6 from `npm run models:random` is in `.cache/models`, with it (real
 *    embedding cost; its vectors mean nothing, only its speed does).
 * 3. Dense search p50/p95 at 10k and 100k chunks (10k only with --quick): exact (flat scan) and ANN,
 *    HNSW-SQ (the store's default) at two `ef` and IVF-PQ (√n partitions, 48 sub-vectors, refine ×10;
 *    skip with --no-ivf) at two nprobes, with recall@20 of ANN against exact on the same queries.
 *
 * Random unit vectors have no cluster structure: in 384 dimensions the true top 20 are barely nearer
 * than the rest, the worst case for any ANN index. `--data clustered` draws vectors around 1,000
 * topic centroids instead, closer to real embeddings. Other flags: `--sizes 10000,50000`, `--no-ivf`,
 * `--no-ingest`, `--json-only`. Prints a table on stderr and the JSON report on stdout.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Embedder } from '../src/embedding/embedder.js';
import { HashingEmbedder } from '../src/embedding/hashing-embedder.js';
import { ingestFiles } from '../src/ingest/ingest-files.js';
import { openLanceStore, type LanceStore } from '../src/stores/lancedb/index.js';
import type { ChunkRecord } from '../src/stores/vector-store.js';
import { recallAgainst, timeDenseQueries, unitVectors } from './support/vectors.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'json-only': { type: 'boolean', default: false },
    'no-ivf': { type: 'boolean', default: false },
    'no-ingest': { type: 'boolean', default: false },
    data: { type: 'string', default: 'random' },
    sizes: { type: 'string' },
  },
});
const data = args.data === 'clustered' ? 'clustered' : 'random';
const skipIvf = args['no-ivf'] ?? false;
const quick = args.quick ?? false;
const DIM = 384;
const K = 20;
const SIZES = args.sizes ? args.sizes.split(',').map(Number) : quick ? [10_000] : [10_000, 100_000];
const QUERIES = quick ? 50 : 200;
const NPROBES = [20, 50];
const EFS = [100, 300];

const makeVectors = (count: number, seed: number): Float32Array[] => unitVectors(data, count, DIM, seed);

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** Dense p50/p95 and hit ids of every query (one untimed warm-up query). */
const timeQueries = (store: LanceStore, queries: readonly Float32Array[], exact: boolean) =>
  timeDenseQueries(store, queries, { k: K, exact, warmup: 1 }).then((t) => ({
    p50: t.p50Ms,
    p95: t.p95Ms,
    ids: t.ids,
  }));

interface SearchRow {
  chunks: number;
  method: string;
  p50Ms: number;
  p95Ms: number;
  recallAt20: number;
}

async function benchSearch(base: string): Promise<{
  writes: { chunks: number; seconds: number; chunksPerSecond: number }[];
  search: SearchRow[];
  indexBuild: { chunks: number; kind: string; seconds: number }[];
}> {
  const writes: { chunks: number; seconds: number; chunksPerSecond: number }[] = [];
  const search: SearchRow[] = [];
  const indexBuild: { chunks: number; kind: string; seconds: number }[] = [];
  const queries = makeVectors(QUERIES, 999);
  for (const n of SIZES) {
    const location = join(base, `dense-${n}`);
    const embedding = { model: 'bench/random-384', dimension: DIM };
    // annMinRows above n: optimize() must not build the index; this benchmark builds it explicitly.
    const store = await openLanceStore(location, {
      create: true,
      embedding,
      tuning: { annMinRows: Number.MAX_SAFE_INTEGER },
    });
    const vectors = makeVectors(n, n);
    const t0 = performance.now();
    for (let i = 0; i < n; i += 1000) {
      const batch: ChunkRecord[] = vectors.slice(i, i + 1000).map((vector, j) => ({
        id: `c${i + j}`,
        source: `/bench/doc${Math.floor((i + j) / 10)}.md`,
        text: `chunk ${i + j}`,
        chunkIndex: (i + j) % 10,
        start: 0,
        end: 10,
        modifiedMs: 0,
        vector,
      }));
      await store.upsert(batch);
    }
    await store.optimize();
    const seconds = (performance.now() - t0) / 1000;
    writes.push({ chunks: n, seconds: round(seconds), chunksPerSecond: Math.round(n / seconds) });
    log(`  wrote ${n} chunks in ${seconds.toFixed(1)} s`);

    const exact = await timeQueries(store, queries, true);
    search.push({ chunks: n, method: 'exact (flat)', p50Ms: exact.p50, p95Ms: exact.p95, recallAt20: 1 });
    await store.close();
    const hnsw = await openLanceStore(location, {
      tuning: { vectorIndex: 'hnsw-sq', annMinRows: Number.MAX_SAFE_INTEGER },
    });
    const tIndex = performance.now();
    await hnsw.createVectorIndex(n);
    indexBuild.push({ chunks: n, kind: 'hnsw-sq', seconds: round((performance.now() - tIndex) / 1000) });
    await hnsw.close();
    for (const ef of EFS) {
      const tuned = await openLanceStore(location, {
        tuning: { vectorIndex: 'hnsw-sq', ef, annMinRows: Number.MAX_SAFE_INTEGER },
      });
      const ann = await timeQueries(tuned, queries, false);
      search.push({
        chunks: n,
        method: `HNSW-SQ ef=${ef}`,
        p50Ms: ann.p50,
        p95Ms: ann.p95,
        recallAt20: recallAgainst(exact.ids, ann.ids),
      });
      await tuned.close();
    }
    if (!skipIvf) {
      const ivf = await openLanceStore(location, {
        tuning: { vectorIndex: 'ivf-pq', annMinRows: Number.MAX_SAFE_INTEGER },
      });
      const tIvf = performance.now();
      await ivf.createVectorIndex(n);
      indexBuild.push({ chunks: n, kind: 'ivf-pq', seconds: round((performance.now() - tIvf) / 1000) });
      await ivf.close();
      for (const nprobes of NPROBES) {
        const tuned = await openLanceStore(location, {
          tuning: { vectorIndex: 'ivf-pq', nprobes, refineFactor: 10, annMinRows: Number.MAX_SAFE_INTEGER },
        });
        const ann = await timeQueries(tuned, queries, false);
        search.push({
          chunks: n,
          method: `IVF-PQ nprobes=${nprobes} refine=10`,
          p50Ms: ann.p50,
          p95Ms: ann.p95,
          recallAt20: recallAgainst(exact.ids, ann.ids),
        });
        await tuned.close();
      }
    }
    log(`  searched ${n} chunks`);
  }
  return { writes, search, indexBuild };
}

async function makeMarkdownCorpus(dir: string, files: number): Promise<void> {
  const words = [
    'retrieval',
    'ranking',
    'vector',
    'index',
    'query',
    'passage',
    'model',
    'latency',
    'recall',
    'precision',
    'token',
    'chunk',
  ];
  for (let f = 0; f < files; f++) {
    const sub = join(dir, `d${f % 20}`);
    await mkdir(sub, { recursive: true });
    const paragraphs = Array.from(
      { length: 8 },
      (_, p) => Array.from({ length: 40 }, (_, w) => words[(f * 7 + p * 3 + w * 5) % words.length]).join(' ') + '.',
    );
    await writeFile(join(sub, `f${f}.md`), `# Document ${f}\n\n${paragraphs.join('\n\n')}\n`);
  }
}

async function benchIngest(
  base: string,
): Promise<{ embedder: string; files: number; chunks: number; seconds: number; chunksPerSecond: number }[]> {
  const files = quick ? 200 : 1000;
  const corpus = join(base, 'corpus');
  await makeMarkdownCorpus(corpus, files);
  const rows = [];
  const embedders: { name: string; make: () => Embedder }[] = [
    { name: 'sift/hashing-384', make: () => new HashingEmbedder({ dimension: 384 }) },
  ];
  const randomMiniLm = resolve('.cache/models/sift-random/all-MiniLM-L6-v2');
  if (existsSync(join(randomMiniLm, 'onnx', 'model.onnx'))) {
    const { createEmbedder } = await import('../src/pipeline/defaults.js');
    embedders.push({
      name: 'random-weight MiniLM-L6 fp32 (ONNX)',
      make: () => createEmbedder(randomMiniLm, { dtype: 'fp32' }),
    });
  } else {
    log('  (no .cache/models/sift-random/all-MiniLM-L6-v2: run `npm run models:random` to time real-size embedding)');
  }
  for (const { name, make } of embedders) {
    const embedder = make();
    const dimension = await embedder.dimension();
    const store = await openLanceStore(join(base, `ingest-${rows.length}`), {
      create: true,
      embedding: { model: embedder.model, dimension, dtype: embedder.dtype ?? 'fp32' },
    });
    // The ONNX model gets a smaller corpus: it embeds ~100 chunks/s per core, the point is the rate.
    const paths = name.startsWith('sift/') ? [corpus] : [join(corpus, 'd0'), join(corpus, 'd1')];
    const s = await ingestFiles({ paths, store, embedder });
    rows.push({
      embedder: name,
      files: s.files.ingested,
      chunks: s.chunks.added,
      seconds: round(s.durationMs / 1000),
      chunksPerSecond: s.chunksPerSecond,
    });
    log(`  ingested ${s.chunks.added} chunks with ${name}`);
    await store.close();
    await embedder.close();
  }
  return rows;
}

function log(line: string): void {
  if (!args['json-only']) process.stderr.write(`${line}\n`);
}

function table(headers: string[], rows: (string | number)[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]): string => cells.map((c, i) => String(c).padEnd(widths[i]!)).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const base = await mkdtemp(join(tmpdir(), 'sift-bench-'));
try {
  log(
    `stage-1 benchmark${quick ? ' (quick)' : ''}: ${data} unit vectors, dim ${DIM}, k ${K}, ${QUERIES} queries, ${cpus().length} CPUs`,
  );
  const ingest = args['no-ingest'] ? [] : await benchIngest(base);
  const { writes, search, indexBuild } = await benchSearch(base);
  const report = {
    benchmark: 'stage1',
    quick,
    data,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    dimension: DIM,
    k: K,
    queries: QUERIES,
    ingest,
    storeWrites: writes,
    vectorIndexBuild: indexBuild,
    denseSearch: search,
  };
  log('');
  log(
    table(
      ['ingest (end to end)', 'files', 'chunks', 's', 'chunks/s'],
      ingest.map((r) => [r.embedder, r.files, r.chunks, r.seconds, r.chunksPerSecond]),
    ),
  );
  log('');
  log(
    table(
      ['store writes', 's', 'chunks/s'],
      writes.map((w) => [`${w.chunks} chunks`, w.seconds, w.chunksPerSecond]),
    ),
  );
  log('');
  log(
    table(
      ['chunks', 'dense search', 'p50 ms', 'p95 ms', 'recall@20'],
      search.map((r) => [r.chunks, r.method, r.p50Ms, r.p95Ms, r.recallAt20]),
    ),
  );
  log(`\nindex builds: ${indexBuild.map((b) => `${b.kind} ${b.chunks} chunks ${b.seconds} s`).join(', ')}`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await rm(base, { recursive: true, force: true });
}
