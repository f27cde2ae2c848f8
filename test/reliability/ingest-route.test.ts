import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { isSiftError } from '../../src/errors.js';
import { realRoots } from '../../src/ingest/confine-path.js';
import { Bm25Retriever } from '../../src/retrieval/bm25-retriever.js';
import { createIngestService } from '../../src/server/ingest-service.js';
import { createSearchService } from '../../src/server/search-service.js';
import type { RunningServer } from '../../src/server/start-server.js';
import { openLanceStore, type LanceStore } from '../../src/stores/lancedb/index.js';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { postJson, startTestServer } from '../server/server-fixtures.js';

/**
 * `POST /v1/ingest`, on only with ingest roots: paths inside the roots are ingested into the server's
 * store and become searchable; `..` traversal, absolute paths outside and symbolic links that lead
 * out (given directly or met inside a walked folder) never get read.
 */

let base: string;
let root: string;
let store: LanceStore;
let server: RunningServer;
const embedder = HashingEmbedder.fromName('sift/hashing-64')!;

before(async () => {
  base = await tempDir('sift-rel-ingest-route-');
  root = join(base, 'root');
  await mkdir(join(root, 'docs', 'sub'), { recursive: true });
  await mkdir(join(base, 'outside'));
  await writeFile(join(root, 'docs', 'a.md'), '# Alpha\n\nThe aardvark document talks about aardvarks in the savanna.');
  await writeFile(join(root, 'docs', 'sub', 'b.txt'), 'The bobolink file is about bobolinks and their songs.');
  await writeFile(join(base, 'outside', 'secret.md'), '# Secret\n\nThe zebrafishsecret password is hunter2.');
  await symlink(join(base, 'outside', 'secret.md'), join(root, 'leak.md'));
  await symlink(join(base, 'outside'), join(root, 'leakdir'));
  await symlink('../../outside/secret.md', join(root, 'docs', 'inner-leak.md'));
  await symlink(join(root, 'docs', 'a.md'), join(root, 'inside-link.md'));
  store = await openLanceStore(join(base, 'store'), {
    create: true,
    embedding: { model: embedder.model, dimension: 64 },
  });
  server = await startTestServer({
    search: (reranker) => createSearchService({ retrievers: { bm25: new Bm25Retriever(store) }, reranker }),
    ingest: createIngestService({ roots: await realRoots([root]), store, embedder, storeDir: join(base, 'store') }),
  });
});
after(async () => {
  await server.close();
  await store.close();
  await removeTempDirs();
});

const ingest = (paths: unknown) => postJson(`${server.url}/v1/ingest`, { paths });
const search = async (query: string) =>
  (await postJson(`${server.url}/v1/search`, { query, top_k: 5 })).body.results
    .map((r: { text: string }) => r.text)
    .join('\n');

test('a folder inside the root is ingested and searchable; a link inside the folder that leads out is skipped, not read', async () => {
  const r = await ingest(['docs']);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.files.ingested, 2);
  assert.deepEqual(
    r.body.skipped.map((s: { reason: string }) => s.reason),
    ['outside-roots'],
  );
  assert.match(r.body.skipped[0].source, /inner-leak\.md$/);
  assert.match(await search('aardvark savanna'), /aardvark/);
  assert.doesNotMatch(await search('zebrafishsecret password'), /zebrafishsecret/);
});

test('.. traversal, absolute paths outside and links that lead out are 403 naming the path; nothing is read', async () => {
  for (const path of [
    '../outside/secret.md',
    'docs/../../outside',
    join(base, 'outside', 'secret.md'),
    '/etc/passwd',
    '/',
    'leak.md',
    'leakdir',
    'leakdir/secret.md',
    join(root, 'leak.md'),
  ]) {
    const r = await ingest([path]);
    assert.equal(r.status, 403, `${path}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'FORBIDDEN');
    assert.ok(r.body.error.message.includes(JSON.stringify(path)), r.body.error.message);
  }
  // One bad path refuses the whole request: the good one beside it is not ingested either.
  const mixed = await ingest(['docs/a.md', '../outside']);
  assert.equal(mixed.status, 403);
  assert.match(mixed.body.error.message, /paths\[1\]/);
  assert.doesNotMatch(await search('zebrafishsecret password'), /zebrafishsecret/);
});

test('absolute paths inside the root and links that stay inside are allowed; missing paths are reported', async () => {
  const r = await ingest([join(root, 'docs', 'sub', 'b.txt'), 'inside-link.md', 'docs/nope.md', 'docs/sub/../a.md']);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.skipped.map((s: { reason: string }) => s.reason),
    ['not-found'],
  );
  assert.equal(r.body.files.unchanged + r.body.files.ingested, 2);
});

test('bad bodies are 400 naming the field; without ingest roots the route does not exist', async () => {
  assert.match((await postJson(`${server.url}/v1/ingest`, {})).body.error.message, /^sift: paths is required/);
  assert.match((await ingest([])).body.error.message, /paths must name at least one path/);
  assert.match((await ingest([42])).body.error.message, /paths\[0\] must be a string/);
  assert.match((await ingest(['a\u0000b'])).body.error.message, /paths\[0\] must not contain NUL/);
  assert.equal((await ingest('docs')).status, 400);
  const plain = await startTestServer();
  try {
    assert.equal((await postJson(`${plain.url}/v1/ingest`, { paths: ['docs'] })).status, 404);
  } finally {
    await plain.close();
  }
});

test('with an API key, /v1/ingest needs it', async () => {
  const keyed = await startTestServer({
    apiKey: 'k3y-for-tests',
    ingest: createIngestService({ roots: await realRoots([root]), store, embedder }),
  });
  try {
    assert.equal((await postJson(`${keyed.url}/v1/ingest`, { paths: ['docs'] })).status, 401);
    assert.equal(
      (await postJson(`${keyed.url}/v1/ingest`, { paths: ['docs'] }, { authorization: 'Bearer wrong' })).status,
      401,
    );
    assert.equal(
      (await postJson(`${keyed.url}/v1/ingest`, { paths: ['docs'] }, { authorization: 'Bearer k3y-for-tests' })).status,
      200,
    );
  } finally {
    await keyed.close();
  }
});

test('one ingest at a time: a second while one runs is QUEUE_FULL (429) with a retry time', async () => {
  const service = createIngestService({ roots: await realRoots([root]), store, embedder });
  const first = service.ingest([join(root, 'docs')]);
  await assert.rejects(
    service.ingest([join(root, 'docs')]),
    (err) =>
      isSiftError(err, 'QUEUE_FULL') && err.details?.retryAfterSeconds === 5 && /already running/.test(err.message),
  );
  assert.equal((await first).files.seen, 3);
  assert.equal((await service.ingest([join(root, 'docs')])).files.seen, 3, 'and the next one runs');
});
