import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { runCli } from '../support/run-cli.js';
import { testModelDir } from '../support/test-models.js';

/**
 * `sift mcp` end to end, as an agent's host runs it: the SDK's own `Client` over
 * `StdioClientTransport` spawns the real CLI against a real LanceDB store ingested with the tiny
 * generated embedder, and the tiny generated judge answers.
 */

const bin = fileURLToPath(new URL('../../bin/sift.js', import.meta.url));
const FILES: Record<string, string> = {
  'berlin.md': '# Berlin\n\nBerlin had a population of 3,520,031 registered inhabitants. The city lies on the Spree.',
  'glacier.md': '# Glaciers\n\nA glacier moraine is made of rock debris. Glaciers move slowly downhill.',
  'volcano.txt': 'A volcano erupts magma. Volcanic ash can travel far.',
};

let dir: string;
let docs: string;
let store: string;
let judge: string;
let session: McpSession;

interface McpSession {
  client: Client;
  stderr: () => string;
  protocolErrors: Error[];
  close: () => Promise<void>;
}

async function connect(args: string[]): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, 'mcp', ...args],
    env: { ...(process.env as Record<string, string>), SIFT_OFFLINE: '1', SIFT_FROM_SOURCE: '1' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const client = new Client({ name: 'sift-test', version: '1.0.0' });
  const protocolErrors: Error[] = [];
  // A line on stdout that is not JSON-RPC surfaces here: the server must print nothing else there.
  client.onerror = (err) => protocolErrors.push(err);
  await client.connect(transport);
  return { client, stderr: () => stderr, protocolErrors, close: () => client.close() };
}

const call = (s: McpSession, name: string, args: Record<string, unknown>) =>
  s.client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
/** sift's error of a failed call: `_meta["sift/error"]`, also written out in the text. */
const errorOf = (r: CallToolResult) => {
  assert.equal(r.isError, true, textOf(r));
  const err = r._meta?.['sift/error'] as { code: string; message: string };
  assert.equal(textOf(r), `${err.message} (${err.code})`);
  return err;
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sift-mcp-'));
  docs = join(dir, 'docs');
  await mkdir(docs);
  for (const [name, text] of Object.entries(FILES)) await writeFile(join(docs, name), text);
  store = join(dir, 'store');
  const ingest = await runCli([
    'ingest',
    docs,
    '--store',
    store,
    '--embedder',
    await testModelDir('embedder'),
    '--json',
  ]);
  assert.equal(ingest.code, 0, ingest.stderr);
  judge = await testModelDir('reranker');
  session = await connect(['--store', store, '--reranker', judge, '--ingest-root', docs]);
});
after(async () => {
  await session?.close();
  await rm(dir, { recursive: true, force: true });
});

test('tools/list: search, query, ask, rerank and ingest, each with a JSON Schema for its input', async () => {
  const { tools } = await session.client.listTools();
  assert.deepEqual(
    tools.map((t) => t.name),
    ['search', 'query', 'ask', 'rerank', 'ingest'],
  );
  const byName = new Map(tools.map((t) => [t.name, t]));
  const query = byName.get('query')!.inputSchema as {
    type: string;
    properties: Record<string, { type?: string; enum?: string[]; description?: string }>;
    required?: string[];
  };
  assert.equal(query.type, 'object');
  assert.deepEqual(Object.keys(query.properties).sort(), ['candidates', 'min_score', 'mode', 'query', 'top_k']);
  assert.deepEqual(query.required, ['query']);
  assert.equal(query.properties.top_k!.type, 'integer');
  assert.deepEqual(
    query.properties.mode!.enum,
    ['hybrid', 'dense', 'bm25'],
    "the store's stage-1 modes, its default first",
  );
  assert.ok(query.properties.candidates!.description, 'fields are described for the agent');
  const rerank = byName.get('rerank')!.inputSchema as {
    properties: Record<string, { type?: string }>;
    required?: string[];
  };
  assert.equal(rerank.properties.documents!.type, 'array');
  assert.deepEqual(rerank.required?.sort(), ['documents', 'query']);
  for (const t of tools) assert.equal(t.outputSchema?.type, 'object', `${t.name} declares its structured content`);
  assert.ok(
    'relevance_score' in
      (byName.get('query')!.outputSchema!.properties!.results as { items: { properties: object } }).items.properties,
  );
  assert.ok(byName.get('search')!.annotations?.readOnlyHint);
  assert.equal(byName.get('ingest')!.annotations?.readOnlyHint, false);
});

test('calls made while the judge loads wait for the one load and all succeed', async () => {
  // The first tool calls of the session, sent together: the judge is not loaded yet.
  const [rerank, query, search] = await Promise.all([
    call(session, 'rerank', {
      query: 'How many people live in Berlin?',
      documents: ['Berlin is known for museums.', 'Berlin had 3,520,031 inhabitants.'],
    }),
    call(session, 'query', { query: 'How many people live in Berlin?', top_k: 2 }),
    call(session, 'search', { query: 'Berlin population', mode: 'bm25' }),
  ]);
  for (const r of [rerank, query, search]) assert.notEqual(r.isError, true, textOf(r));
  const log = session.stderr();
  assert.equal(log.match(/loading the judge/g)?.length, 1, `one load: ${log}`);
  assert.match(log, /a tool call waits for the judge to finish loading/);
  assert.match(log, /judge loaded in \d+ ms/);
});

test('each tool answers readable text and structured content', async () => {
  const search = await call(session, 'search', { query: 'glacier moraine', mode: 'bm25', k: 2 });
  const s = search.structuredContent as {
    mode: string;
    results: { rank: number; source: string; text: string; score: number }[];
  };
  assert.equal(s.mode, 'bm25');
  assert.ok(s.results.length >= 1 && s.results.length <= 2);
  assert.ok(s.results[0]!.source.endsWith('glacier.md'));
  assert.match(textOf(search), /^1\. .*glacier\.md .*bm25 score/);

  const query = await call(session, 'query', {
    query: 'How many people live in Berlin?',
    candidates: 3,
    top_k: 2,
    mode: 'hybrid',
  });
  const q = query.structuredContent as {
    reranker: string;
    candidates: number;
    results: {
      rank: number;
      source: string;
      text: string;
      retrieval_rank: number;
      relevance_score: number;
      title?: string;
    }[];
  };
  assert.equal(q.reranker, judge);
  assert.equal(q.results.length, 2);
  for (const h of q.results) {
    assert.ok(h.relevance_score >= 0 && h.relevance_score <= 1);
    assert.ok(Number.isInteger(h.retrieval_rank));
    assert.ok(textOf(query).includes(h.source));
  }
  assert.ok(q.results[0]!.relevance_score >= q.results[1]!.relevance_score);

  const ask = await call(session, 'ask', { query: 'How many people live in Berlin?', top_k: 2 });
  const a = ask.structuredContent as {
    answer: string;
    mode: string;
    citations: { n: number; source: string; chunk_id: string }[];
    results: unknown[];
  };
  assert.equal(a.mode, 'extractive');
  assert.equal(a.results.length, 2);
  assert.ok(textOf(ask).startsWith(a.answer));
  for (const c of a.citations) assert.match(textOf(ask), new RegExp(`\\[${c.n}\\] `));

  const docsIn = ['Paris is the capital of France.', 'Berlin had 3,520,031 inhabitants.', 'Glaciers move slowly.'];
  const rerank = await call(session, 'rerank', {
    query: 'How many people live in Berlin?',
    documents: docsIn,
    top_k: 2,
  });
  const r = rerank.structuredContent as {
    model: string;
    results: { rank: number; index: number; score: number; text: string }[];
  };
  assert.deepEqual(
    r.results.map((x) => x.rank),
    [1, 2],
  );
  for (const x of r.results) assert.equal(x.text, docsIn[x.index]);
  assert.ok(r.results[0]!.score >= r.results[1]!.score);

  await writeFile(join(docs, 'lisbon.md'), '# Lisbon\n\nLisbon lies on the Atlantic coast; trams climb its hills.');
  const ingest = await call(session, 'ingest', { paths: ['lisbon.md'] });
  assert.notEqual(ingest.isError, true, textOf(ingest));
  assert.equal((ingest.structuredContent as { files: { ingested: number } }).files.ingested, 1);
  assert.match(textOf(ingest), /^ingested 1 files/);
  const found = await call(session, 'search', { query: 'Lisbon trams', mode: 'bm25', k: 1 });
  assert.ok((found.structuredContent as { results: { source: string }[] }).results[0]!.source.endsWith('lisbon.md'));
});

test("bad arguments and failures are tool errors with sift's code and message; the server keeps serving", async () => {
  const badType = await call(session, 'query', { query: 'Berlin', top_k: 'two' });
  assert.equal(badType.isError, true);
  assert.match(textOf(badType), /top_k/);
  const missing = await call(session, 'rerank', { documents: ['a'] });
  assert.equal(missing.isError, true);
  assert.match(textOf(missing), /query/);

  const topK = await call(session, 'query', { query: 'Berlin', candidates: 2, top_k: 3 });
  const err = errorOf(topK);
  assert.equal(err.code, 'INVALID_INPUT');
  assert.match(err.message, /^sift: top_k must be at most candidates \(2\)/);
  assert.equal(
    topK.structuredContent,
    undefined,
    'errors carry no structured content (it would not match the output schema)',
  );

  const longQuery = await call(session, 'rerank', { query: 'word '.repeat(600), documents: ['a'] });
  assert.equal(errorOf(longQuery).code, 'QUERY_TOO_LONG');

  const outside = await call(session, 'ingest', { paths: ['../store'] });
  assert.equal(errorOf(outside).code, 'FORBIDDEN');
  assert.match(textOf(outside), /lies outside the ingest roots/);

  const unknown = await call(session, 'summarize', { query: 'x' });
  assert.equal(unknown.isError, true);

  const still = await call(session, 'search', { query: 'volcano', mode: 'bm25', k: 1 });
  assert.notEqual(still.isError, true);
  assert.deepEqual(session.protocolErrors, [], 'stdout carried nothing but JSON-RPC');
});

test('a judge that cannot load fails the calls that need it, each time, while search keeps working', async () => {
  const broken = await connect(['--store', store, '--reranker', join(dir, 'no-such-model')]);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const q = await call(broken, 'query', { query: 'Berlin' });
      assert.match(errorOf(q).code, /^(UNKNOWN_MODEL|MODEL_NOT_FOUND)$/);
    }
    assert.equal(broken.stderr().match(/loading the judge/g)?.length, 2, 'a failed load is tried again');
    const s = await call(broken, 'search', { query: 'Berlin', mode: 'bm25' });
    assert.notEqual(s.isError, true);
  } finally {
    await broken.close();
  }
});

test('stdout carries only JSON-RPC messages, logs go to stderr', async () => {
  const child = spawn(process.execPath, [bin, 'mcp', '--store', store, '--reranker', judge], {
    env: { ...process.env, SIFT_OFFLINE: '1', SIFT_FROM_SOURCE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const send = (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`);
  send({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  send({
    jsonrpc: '2.0',
    id: 2,
    method: 'tools/call',
    params: { name: 'rerank', arguments: { query: 'Berlin', documents: ['Berlin had 3,520,031 inhabitants.'] } },
  });
  await new Promise<void>((done) => {
    const check = () => (stdout.split('\n').some((l) => l.includes('"id":2')) ? done() : setTimeout(check, 50));
    check();
  });
  child.stdin.end();
  await new Promise((done) => child.on('close', done));
  const lines = stdout.split('\n').filter((l) => l !== '');
  assert.ok(lines.length >= 2);
  for (const line of lines) assert.equal(JSON.parse(line).jsonrpc, '2.0', line);
  assert.match(stderr, /sift mcp: serving .* over stdio/);
  assert.match(stderr, /loading the judge/);
});

test('--json: the log is JSON lines on stderr; a start-up error is {"error"} on stdout with exit 2', async () => {
  const bad = await runCli(['mcp', '--store', store, '--llm-model', 'llama3.2', '--json']);
  assert.equal(bad.code, 2);
  const error = (JSON.parse(bad.stdout) as { error: { code: string; message: string } }).error;
  assert.equal(error.code, 'INVALID_OPTION');
  assert.match(error.message, /--llm-model needs --llm-url/);

  const child = spawn(process.execPath, [bin, 'mcp', '--store', store, '--reranker', judge, '--json'], {
    env: { ...process.env, SIFT_OFFLINE: '1', SIFT_FROM_SOURCE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await new Promise<void>((done) => {
    const check = () => (stderr.includes('over stdio') ? done() : setTimeout(check, 50));
    check();
  });
  child.stdin.end();
  await new Promise((done) => child.on('close', done));
  const lines = stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { time: string; message: string });
  assert.ok(lines.some((l) => /^sift mcp: serving .* over stdio/.test(l.message)));
  for (const l of lines) assert.ok(!Number.isNaN(Date.parse(l.time)), l.time);
});
