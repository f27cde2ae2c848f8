import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { testModelDir } from '../support/test-models.js';
import {
  buildLoadStore,
  count5xx,
  loadRun,
  rerankBody,
  sampleRss,
  startServe,
  type ServeProcess,
} from './serve-load.js';

/** Requests per path in the concurrent-load test (autocannon's `amount`: a count, so no rate is asserted). */
const LOAD_REQUESTS = 48;

/**
 * A short, bounded loopback load test of `sift serve` (a separate process, the tiny judge, a store
 * built with the hashing embedder): zero 5xx and bounded RSS under 16 connections, and under
 * overload (a small --max-queue) 429 with Retry-After, never a crash. The 30 s version with the
 * figures is `bench/load.bench.ts`.
 */

export const LOAD_SEED = 0x5eed07;
let base: string;
let corpus: string;
let judge: string;
let server: ServeProcess;

before(async () => {
  base = await tempDir('sift-rel-load-');
  corpus = join(base, 'corpus');
  judge = await testModelDir('reranker');
  await buildLoadStore(join(base, 'store'), corpus, LOAD_SEED);
  server = await startServe(['--store', join(base, 'store'), '--reranker', judge, '--ingest-root', corpus]);
});
after(async () => {
  await server?.stop();
  await removeTempDirs();
});

test('48 requests over 16 connections on /v1/rerank and /v1/search: all answered 2xx, no socket errors, RSS bounded', async (t) => {
  const rss = sampleRss(server.pid);
  const rerank = await loadRun(server.url, '/v1/rerank', rerankBody(LOAD_SEED), {
    connections: 16,
    durationS: 2,
    amount: LOAD_REQUESTS,
  });
  const search = await loadRun(
    server.url,
    '/v1/search',
    { query: 'copper harbour saffron', top_k: 4, candidates: 20 },
    { connections: 16, durationS: 2, amount: LOAD_REQUESTS },
  );
  const mem = rss.stop();
  for (const f of [rerank, search]) {
    t.diagnostic(
      `${f.path}: ${f.requests} requests, ${f.throughput} req/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, statuses ${JSON.stringify(f.statuses)}`,
    );
    assert.equal(count5xx(f), 0, `${f.path}: no 5xx`);
    assert.equal(f.errors, 0, `${f.path}: no socket errors`);
    assert.equal(f.non2xx, 0, `${f.path}: every answer 2xx`);
    // A fixed number of requests, not a rate: how many fit in a time depends on the machine's load.
    assert.equal(f.requests, LOAD_REQUESTS, `${f.path}: the server answered every request`);
  }
  t.diagnostic(`RSS ${mem.min}-${mem.max} MB over ${mem.samples.length} samples`);
  assert.ok(mem.max < 1024, `RSS stayed under 1 GB (max ${mem.max} MB)`);
  assert.equal((await fetch(`${server.url}/health`)).status, 200);
});

test('sift serve --ingest-root: /v1/ingest ingests inside the root, refuses .. with 403', async () => {
  const post = (paths: string[]) =>
    fetch(`${server.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paths }),
    });
  const ok = await post(['d0']);
  assert.equal(ok.status, 200);
  const summary = (await ok.json()) as { files: { seen: number; unchanged: number } };
  assert.equal(summary.files.unchanged, summary.files.seen, 'already ingested: nothing to change');
  assert.equal((await post(['../store'])).status, 403);
  assert.equal((await post(['/etc/passwd'])).status, 403);
});

test('overload (--max-queue 40, 32 connections, 20 pairs each): 429 with Retry-After, zero 5xx, still healthy', async (t) => {
  const small = await startServe(['--reranker', judge, '--max-queue', '40', '--store', join(base, 'store')]);
  try {
    const f = await loadRun(small.url, '/v1/rerank', rerankBody(LOAD_SEED + 1), {
      connections: 32,
      durationS: 1.5,
      amount: 96,
    });
    t.diagnostic(
      `overload: ${f.requests} requests, statuses ${JSON.stringify(f.statuses)}, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`,
    );
    assert.equal(count5xx(f), 0);
    assert.equal(f.errors, 0);
    assert.ok((f.statuses['429'] ?? 0) > 0, 'some requests were refused with 429');
    assert.ok((f.statuses['200'] ?? 0) > 0, 'and the rest were served');
    // Retry-After on a 429, seen with a burst of concurrent requests.
    const burst = await Promise.all(
      Array.from({ length: 32 }, () =>
        fetch(`${small.url}/v1/rerank`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(rerankBody(LOAD_SEED + 2)),
        }),
      ),
    );
    const refused = burst.filter((r) => r.status === 429);
    await Promise.all(burst.map((r) => r.arrayBuffer()));
    assert.ok(refused.length > 0, 'the burst met a full queue');
    for (const r of refused) assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.ok(burst.every((r) => r.status === 200 || r.status === 429));
    t.diagnostic(`burst of 32: ${refused.length} x 429 with Retry-After ${refused[0]?.headers.get('retry-after')} s`);
    assert.equal((await fetch(`${small.url}/health`)).status, 200);
    assert.equal(small.child.exitCode, null, 'the server is still running');
  } finally {
    assert.equal(await small.stop(), 0, 'and shuts down cleanly');
  }
});
