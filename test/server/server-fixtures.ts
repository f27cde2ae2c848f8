import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CrossEncoderReranker } from '../../src/reranking/cross-encoder.js';
import type { Retriever } from '../../src/retrieval/retriever.js';
import { createSearchService } from '../../src/server/search-service.js';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/start-server.js';
import type { StoredChunk } from '../../src/stores/vector-store.js';
import { testModelDir } from '../support/test-models.js';

/** The tiny generated judge (real ONNX inference, random weights), loaded once per test file. */
let judge: Promise<CrossEncoderReranker> | undefined;
export function tinyJudge(): Promise<CrossEncoderReranker> {
  judge ??= (async () => {
    const j = new CrossEncoderReranker({ model: await testModelDir('reranker') });
    await j.load();
    return j;
  })();
  return judge;
}

/** A small fixed corpus: chunks about cities, with sources as an ingest would record them. */
export const CHUNKS: readonly StoredChunk[] = [
  [
    'berlin-pop',
    'docs/berlin.md',
    'Berlin had a population of 3,520,031 registered inhabitants in an area of 891 square kilometres.',
  ],
  [
    'berlin-museums',
    'docs/berlin.md',
    'Berlin is well known for its museums, galleries and the Museum Island on the river Spree.',
  ],
  ['paris', 'docs/paris.md', 'Paris is the capital and most populous city of France, with 2.1 million residents.'],
  ['madrid', 'docs/madrid.md', 'Madrid is the capital of Spain; about 3.3 million people live in the city.'],
  ['rome', 'docs/rome.md', 'Rome was founded in 753 BC according to legend and is the capital of Italy.'],
  [
    'vienna',
    'docs/vienna.md',
    'Vienna is known for its coffee houses, its music and its population of almost two million.',
  ],
  [
    'berlin-wall',
    'docs/berlin-history.md',
    'The Berlin Wall divided the city from 1961 until it fell in November 1989.',
  ],
  ['lisbon', 'docs/lisbon.md', 'Lisbon lies on the Atlantic coast; many people live in the hills around the old town.'],
].map(([id, source, text], chunkIndex) => ({
  id: id!,
  source: source!,
  text: text!,
  chunkIndex,
  start: 0,
  end: text!.length,
  modifiedMs: 0,
  title: undefined,
}));

/**
 * A real, if simple, stage-1 retriever over `CHUNKS`: word-overlap counts (lower-cased words of 3+
 * letters), best first, ties by corpus order. Deterministic, so the semantic column is known.
 */
export function keywordRetriever(chunks: readonly StoredChunk[] = CHUNKS): Retriever {
  const words = (s: string) => new Set(s.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);
  return {
    mode: 'keyword',
    async retrieve(query, options = {}) {
      const q = words(query);
      const results = chunks
        .map((chunk, i) => ({ chunk, i, score: [...words(chunk.text)].filter((w) => q.has(w)).length }))
        .filter((s) => s.score > 0)
        .sort((a, b) => b.score - a.score || a.i - b.i)
        .slice(0, options.k ?? 20)
        .map(({ chunk, score }, i) => ({ chunk, score, rank: i + 1 }));
      return { results, timings: { totalMs: 0 } };
    },
  };
}

/** Starts a server on 127.0.0.1, a free port, with the tiny judge and (by default) search over `CHUNKS`. */
export async function startTestServer(
  options: Partial<StartServerOptions> & { withSearch?: boolean } = {},
): Promise<RunningServer> {
  const { withSearch = true, ...rest } = options;
  return startServer({
    judge: await tinyJudge(),
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
    ...(withSearch
      ? { search: (reranker) => createSearchService({ retrievers: { keyword: keywordRetriever() }, reranker }) }
      : {}),
    ...rest,
  });
}

/** POSTs JSON and returns the status, headers and parsed body (text when not JSON). */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** A loopback OpenAI-compatible chat server that streams a fixed answer in pieces. */
export async function fakeLlm(
  pieces: string[],
): Promise<{ url: string; prompts: string[]; close: () => Promise<void> }> {
  const prompts: string[] = [];
  const llm = createServer((req, res) => void answer(req, res));
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    prompts.push(body);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const content of pieces) res.write(`data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`);
    res.write(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    res.end();
  }
  await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
  const { port } = llm.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    prompts,
    close: () => new Promise((resolve) => llm.close(() => resolve())),
  };
}
