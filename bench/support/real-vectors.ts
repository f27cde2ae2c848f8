/**
 * Real scout vectors for the dense-search benchmarks: the corpora in `../shared/data` chunked the way
 * `ingestDocuments` chunks them (title + blank line + text, 500 / 50 characters), embedded with the
 * real all-MiniLM-L6-v2 scout (fp32, `../shared/models`), and their queries embedded as queries.
 *
 *   npx tsx bench/support/real-vectors.ts [--cache DIR] [--corpora scifact,dbpedia-entity-subset,...]
 *
 * Embedding ~40k chunks takes minutes, so results are cached per corpus in `--cache` (default
 * `SIFT_VECTOR_CACHE` or `<repo>/.cache/vectors`):
 *   <corpus>.chunks.jsonl    one `{"id","source","chunkIndex","start","end","text"}` per chunk, in row order
 *   <corpus>.vectors.f32     row-major float32 little-endian, 384 per chunk, unit length
 *   <corpus>.queries.jsonl   one `{"id","text"}` per query, in row order
 *   <corpus>.queries.f32     the query vectors, same layout
 * A corpus whose four files exist is not embedded again.
 */
import { createReadStream, existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { chunkText } from '../../src/chunking/chunk-text.js';
import { OnnxEmbedder } from '../../src/embedding/onnx-embedder.js';
import { chunkId } from '../../src/ingest/chunk-id.js';
import { repoRoot } from './models.js';

export const REAL_CORPORA = [
  'scifact',
  'dbpedia-entity-subset',
  'classic/cacm',
  'classic/cisi',
  'classic/cranfield',
] as const;
export const SCOUT = 'sentence-transformers/all-MiniLM-L6-v2';
export const DIM = 384;

export function sharedRoot(): string {
  return resolve(process.env.SIFT_SHARED ?? join(repoRoot(), '..', 'shared'));
}

export function vectorCacheDir(): string {
  return resolve(process.env.SIFT_VECTOR_CACHE ?? join(repoRoot(), '.cache', 'vectors'));
}

const stem = (corpus: string): string => corpus.replace(/\//g, '-');

export interface RealChunk {
  id: string;
  source: string;
  chunkIndex: number;
  start: number;
  end: number;
  text: string;
}

export interface RealCorpus {
  corpus: string;
  chunks: RealChunk[];
  /** `chunks.length × DIM`, row-major. */
  vectors: Float32Array;
  queries: { id: string; text: string }[];
  queryVectors: Float32Array;
}

function files(cache: string, corpus: string) {
  const s = join(cache, stem(corpus));
  return {
    chunks: `${s}.chunks.jsonl`,
    vectors: `${s}.vectors.f32`,
    queries: `${s}.queries.jsonl`,
    queryVectors: `${s}.queries.f32`,
  };
}

/** Whether a corpus is cached. */
export function isCached(corpus: string, cache = vectorCacheDir()): boolean {
  return Object.values(files(cache, corpus)).every((f) => existsSync(f));
}

/** Reads a cached corpus (see the file comment for the layout). */
export async function readRealCorpus(corpus: string, cache = vectorCacheDir()): Promise<RealCorpus> {
  const f = files(cache, corpus);
  const lines = async (p: string) =>
    (await readFile(p, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    corpus,
    chunks: (await lines(f.chunks)) as unknown as RealChunk[],
    vectors: await readFloat32(f.vectors),
    queries: (await lines(f.queries)) as unknown as { id: string; text: string }[],
    queryVectors: await readFloat32(f.queryVectors),
  };
}

/** A file of raw little-endian float32 values (the cache's `.f32` layout). */
export async function readFloat32(path: string): Promise<Float32Array> {
  const b = await readFile(path);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

/**
 * The chunk vectors of a corpus (the finished file, else the rows of an embedding still in progress)
 * and its query vectors. For benchmarks that need vectors only.
 */
export async function readRealVectors(
  corpus: string,
  cache = vectorCacheDir(),
): Promise<{ vectors: Float32Array; rows: number; complete: boolean; queryVectors: Float32Array } | undefined> {
  const f = files(cache, corpus);
  const partial = `${join(cache, stem(corpus))}.partial.f32`;
  const source = existsSync(f.vectors) ? f.vectors : existsSync(partial) ? partial : undefined;
  if (!source || !existsSync(f.queryVectors)) return undefined;
  const read = async (p: string) => {
    const b = await readFile(p);
    const rows = Math.floor(b.byteLength / 4 / DIM);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + rows * DIM * 4));
  };
  const vectors = await read(source);
  return {
    vectors,
    rows: vectors.length / DIM,
    complete: source === f.vectors,
    queryVectors: await read(f.queryVectors),
  };
}

async function* jsonLines(path: string): AsyncIterable<Record<string, unknown>> {
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  for await (const line of createInterface({ input, crlfDelay: Infinity }))
    if (line.trim()) yield JSON.parse(line) as Record<string, unknown>;
}

/** Embeds only a corpus's queries (`<corpus>.queries.{jsonl,f32}`), so benchmarks can start while its chunks are still being embedded. */
async function embedQueries(corpus: string, cache: string, embedder: OnnxEmbedder): Promise<void> {
  const queries: { id: string; text: string }[] = [];
  for await (const q of jsonLines(join(sharedRoot(), 'data', corpus, 'queries.jsonl')))
    queries.push({ id: String(q._id), text: String(q.text) });
  const qv = new Float32Array(queries.length * DIM);
  (
    await embedder.embed(
      queries.map((q) => q.text),
      { kind: 'query' },
    )
  ).forEach((v, j) => qv.set(v, j * DIM));
  const f = files(cache, corpus);
  await writeFile(f.queries, queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
  await writeFile(f.queryVectors, new Uint8Array(qv.buffer));
}

/** A corpus's chunks, in the order the cache files hold them (the corpus file's order, then chunk order). */
export async function chunkCorpus(corpus: string): Promise<RealChunk[]> {
  const dir = join(sharedRoot(), 'data', corpus);
  const corpusFile = [join(dir, 'corpus.jsonl'), join(dir, 'corpus.jsonl.gz')].find((p) => existsSync(p));
  if (!corpusFile) throw new Error(`no corpus in ${dir}`);
  const chunks: RealChunk[] = [];
  for await (const doc of jsonLines(corpusFile)) {
    const id = String(doc._id);
    const title = typeof doc.title === 'string' ? doc.title : '';
    const text = typeof doc.text === 'string' ? doc.text : '';
    const body = title ? `${title}\n\n${text}` : text;
    for (const c of await chunkText(body))
      chunks.push({
        id: chunkId(id, c.index, c.text),
        source: id,
        chunkIndex: c.index,
        start: c.start,
        end: c.end,
        text: c.text,
      });
  }
  return chunks;
}

async function embedCorpus(
  corpus: string,
  cache: string,
  embedder: OnnxEmbedder,
  log: (s: string) => void,
): Promise<void> {
  const dir = join(sharedRoot(), 'data', corpus);
  const chunks = await chunkCorpus(corpus);
  const queries: { id: string; text: string }[] = [];
  for await (const q of jsonLines(join(dir, 'queries.jsonl')))
    queries.push({ id: String(q._id), text: String(q.text) });
  log(`${corpus}: ${chunks.length} chunks, ${queries.length} queries`);
  const t0 = performance.now();
  const vectors = new Float32Array(chunks.length * DIM);
  const step = 512;
  // Embedding is slow on a busy machine: rows done so far are kept in `<corpus>.partial.f32` (whole
  // rows, in order), so an interrupted run resumes where it stopped.
  const partial = `${join(cache, stem(corpus))}.partial.f32`;
  let start = 0;
  if (existsSync(partial)) {
    const b = await readFile(partial);
    start = Math.min(chunks.length, Math.floor(b.byteLength / 4 / DIM));
    vectors.set(new Float32Array(b.buffer, b.byteOffset, start * DIM));
    log(`${corpus}: resuming at ${start}`);
  }
  for (let i = start; i < chunks.length; i += step) {
    const out = await embedder.embed(
      chunks.slice(i, i + step).map((c) => c.text),
      { kind: 'passage' },
    );
    out.forEach((v, j) => vectors.set(v, (i + j) * DIM));
    const done = Math.min(chunks.length, i + step);
    await appendFile(partial, new Uint8Array(vectors.buffer, i * DIM * 4, (done - i) * DIM * 4));
    log(
      `${corpus}: ${done}/${chunks.length} chunks, ${((done - start) / ((performance.now() - t0) / 1000)).toFixed(1)} chunks/s`,
    );
  }
  const qv = new Float32Array(queries.length * DIM);
  (
    await embedder.embed(
      queries.map((q) => q.text),
      { kind: 'query' },
    )
  ).forEach((v, j) => qv.set(v, j * DIM));
  const f = files(cache, corpus);
  const put = async (path: string, data: string | Uint8Array) => {
    await writeFile(`${path}.tmp`, data);
    await rename(`${path}.tmp`, path);
  };
  await put(f.chunks, chunks.map((c) => JSON.stringify(c)).join('\n') + '\n');
  await put(f.queries, queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
  await put(f.queryVectors, new Uint8Array(qv.buffer));
  // Vectors last: `isCached` needs all four files.
  await put(f.vectors, new Uint8Array(vectors.buffer));
  await rm(partial, { force: true });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cache: { type: 'string' },
      corpora: { type: 'string' },
      threads: { type: 'string' },
      'queries-only': { type: 'boolean', default: false },
    },
  });
  const cache = resolve(values.cache ?? vectorCacheDir());
  await mkdir(cache, { recursive: true });
  const corpora = values.corpora ? values.corpora.split(',') : [...REAL_CORPORA];
  const embedder = new OnnxEmbedder({
    model: SCOUT,
    modelsDir: join(sharedRoot(), 'models'),
    offline: true,
    dtype: 'fp32', // the cache holds fp32 vectors (see the file comment), whatever the scout's default
    ...(values.threads ? { session: { threads: Number(values.threads) } } : {}),
  });
  const log = (s: string) => process.stderr.write(`real-vectors: ${s}\n`);
  for (const corpus of corpora) {
    if (values['queries-only']) await embedQueries(corpus, cache, embedder);
    else if (isCached(corpus, cache)) log(`${corpus}: cached`);
    else await embedCorpus(corpus, cache, embedder, log);
  }
  await embedder.close();
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(repoRoot(), 'bench', 'support', 'real-vectors.ts'))
  await main();
