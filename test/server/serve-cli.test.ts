import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/run-cli.js';
import { testModelDir } from '../support/test-models.js';
import { tempDir } from '../support/temp-dir.js';

const bin = fileURLToPath(new URL('../../bin/sift.js', import.meta.url));

/** Starts `sift serve --json` as a separate process and resolves with its URL once it listens. */
async function serve(args: string[]): Promise<{
  child: ReturnType<typeof spawn>;
  info: { url: string; routes: string[]; search_modes: string[] };
  exited: Promise<number | null>;
  stderr: () => string;
}> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--json', ...args], {
    env: { ...process.env, SIFT_FROM_SOURCE: '1', SIFT_OFFLINE: '1', SIFT_STORE: '/nonexistent-sift-store' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const info = await new Promise<{ url: string; routes: string[]; search_modes: string[] }>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      try {
        resolve(JSON.parse(stdout));
      } catch {
        // not complete yet
      }
    });
    void exited.then((code) => reject(new Error(`sift serve exited ${code}: ${stderr}`)));
  });
  return { child, info, exited, stderr: () => stderr };
}

test('SIGTERM stops accepting, lets in-flight requests finish, and exits 0', { timeout: 60_000 }, async () => {
  const model = await testModelDir('reranker');
  const server = await serve(['--reranker', model, '--max-queue', '2000']);
  try {
    assert.match(server.info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(server.info.routes, [
      'GET /',
      'GET /health',
      'GET /metrics',
      'POST /v1/rerank',
      'POST /v2/rerank',
      'POST /rerank',
    ]);
    // Requests big enough to take a while (400 long pairs each), so some are in flight at SIGTERM.
    const documents = Array.from(
      { length: 400 },
      (_, i) => `Document ${i} ${'about the population and museums of Berlin and other cities '.repeat(8)}`,
    );
    let finished = 0;
    const inFlight = Array.from({ length: 4 }, () =>
      fetch(`${server.info.url}/v1/rerank`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'How many people live in Berlin?', documents, top_n: 3 }),
      }).then(async (r) => {
        const body = (await r.json()) as { results: unknown[] };
        finished += 1;
        return { status: r.status, body };
      }),
    );
    // Wait until the server holds requests (the scrape itself counts as one).
    for (let i = 0; i < 200; i++) {
      const text = await (await fetch(`${server.info.url}/metrics`)).text();
      if (Number(/^sift_http_in_flight_requests (\d+)$/m.exec(text)?.[1]) > 1) break;
      await sleep(5);
    }
    server.child.kill('SIGTERM');
    assert.ok(finished < 4, 'requests were still in flight at SIGTERM');
    const results = await Promise.all(inFlight);
    for (const r of results) {
      assert.equal(r.status, 200);
      assert.equal(r.body.results.length, 3);
    }
    assert.equal(await server.exited, 0, server.stderr());
    assert.match(server.stderr(), /shutting down/);
    await assert.rejects(fetch(`${server.info.url}/health`), 'nothing listens any more');
  } finally {
    server.child.kill('SIGKILL');
  }
});

test('sift serve refuses a reachable address without an API key, and bad flags, with exit code 2', async () => {
  const open = await runCli(['serve', '--host', '0.0.0.0', '--reranker', 'anything']);
  assert.equal(open.code, 2);
  assert.match(
    open.stderr,
    /--host 0\.0\.0\.0 can be reached from other machines, so an API key is required: pass --api-key <key> or set SIFT_API_KEY/,
  );
  const port = await runCli(['serve', '--port', '70000']);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /--port must be a whole number from 0 to 65535/);
  const queue = await runCli(['serve', '--max-queue', '0']);
  assert.equal(queue.code, 2);
  assert.match(queue.stderr, /--max-queue must be a positive whole number/);
});

test(
  'sift serve --api-key (or SIFT_API_KEY) guards the API of a server started from the command line',
  { timeout: 60_000 },
  async () => {
    const model = await testModelDir('reranker');
    const server = await serve(['--reranker', model, '--api-key', 'cli-key', '--no-batching']);
    try {
      const body = JSON.stringify({ query: 'q', texts: ['a', 'b'] });
      const denied = await fetch(`${server.info.url}/rerank`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(denied.status, 401);
      const allowed = await fetch(`${server.info.url}/rerank`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer cli-key' },
        body,
      });
      assert.equal(allowed.status, 200);
      assert.equal(((await allowed.json()) as unknown[]).length, 2);
      server.child.kill('SIGINT');
      assert.equal(await server.exited, 0);
    } finally {
      server.child.kill('SIGKILL');
    }
  },
);

test(
  'sift serve --store searches a store made by sift ingest, in every mode the store supports',
  { timeout: 120_000 },
  async () => {
    const dir = await tempDir('sift-serve-store-');
    await mkdir(join(dir, 'docs'));
    await writeFile(
      join(dir, 'docs', 'berlin.md'),
      '# Berlin\n\nBerlin had a population of 3,520,031 registered inhabitants.\n\nBerlin is known for its museums.\n',
    );
    await writeFile(
      join(dir, 'docs', 'paris.md'),
      '# Paris\n\nParis is the capital of France, with 2.1 million residents.\n',
    );
    const store = join(dir, 'store');
    const ingest = await runCli([
      'ingest',
      join(dir, 'docs'),
      '--store',
      store,
      '--embedder',
      'sift/hashing-64',
      '--json',
    ]);
    assert.equal(ingest.code, 0, ingest.stderr);
    const model = await testModelDir('reranker');
    const server = await serve(['--reranker', model, '--store', store]);
    try {
      assert.deepEqual(server.info.search_modes, ['hybrid', 'dense', 'bm25']);
      assert.ok(server.info.routes.includes('POST /v1/search') && server.info.routes.includes('POST /v1/ask'));
      for (const mode of ['hybrid', 'dense', 'bm25']) {
        const res = await fetch(`${server.info.url}/v1/search`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'population of Berlin', mode, compare: true, top_k: 2 }),
        });
        const body = (await res.json()) as {
          mode: string;
          semantic: { source: string }[];
          reranked: { source: string; relevance_score: number }[];
        };
        assert.equal(res.status, 200, JSON.stringify(body));
        assert.equal(body.mode, mode);
        assert.ok(body.reranked.length > 0, mode);
        assert.ok(
          body.reranked.every((h) => h.source.endsWith('.md') && h.relevance_score > 0),
          mode,
        );
      }
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.stderr());
    } finally {
      server.child.kill('SIGKILL');
    }
  },
);
