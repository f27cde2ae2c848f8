/**
 * What only a real PostgreSQL server shows (PGlite is one session in one process): many writers and
 * readers on their own connections at once, a server killed with SIGKILL in the middle of an ingest,
 * and a connection terminated while a query is running. Needs `SIFT_TEST_DATABASE_URL` (a database
 * where the role may `CREATE EXTENSION vector` and create schemas); the kill case also needs
 * `SIFT_TEST_PG_KILL` and `SIFT_TEST_PG_START` (shell commands that kill -9 the server and start it
 * again). `bash .ci/with-postgres.sh pgvector-0.8 -- npm test -- test/stores/postgres` sets all three.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { isSiftError } from '../../src/errors.js';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { openPostgresStore, type PostgresStore } from '../../src/stores/postgres/index.js';
import type { SourceReplacement } from '../../src/stores/vector-store.js';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { writeKillCorpus } from '../reliability/kill-corpus.js';
import { prng } from '../reliability/prng.js';
import { filteredSearchKeepsK } from './postgres-filtered-case.js';

const url = process.env.SIFT_TEST_DATABASE_URL;
const killCmd = process.env.SIFT_TEST_PG_KILL;
const startCmd = process.env.SIFT_TEST_PG_START;
const noServer = url
  ? false
  : 'SIFT_TEST_DATABASE_URL is not set (a postgres:// URL of a database with pgvector; see README "Scaling out")';

const embedder = new HashingEmbedder({ dimension: 64 });
const embedding = { model: embedder.model, dimension: 64 };
const created: string[] = [];
let n = 0;
function newLocation(): Promise<string> {
  const u = new URL(url!);
  created.push(`sift_srv_${process.pid}_${++n}`);
  u.searchParams.set('collection', created.at(-1)!);
  return Promise.resolve(u.href);
}

async function admin<T>(body: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url!, application_name: 'sift-test-admin' });
  await c.connect();
  try {
    return await body(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Polls until `check` holds, for at most `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The sift sessions (application_name 'sift') of this database now waiting on a lock. */
const waitingOnLock = (c: pg.Client): Promise<number[]> =>
  c
    .query(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'sift' AND datname = current_database() AND wait_event_type = 'Lock'",
    )
    .then((r) => r.rows.map((row) => Number(row.pid)));

after(async () => {
  await removeTempDirs();
  if (!url || created.length === 0) return;
  await admin(async (c) => {
    for (const schema of created) await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
});

describe('postgres on a real server', { skip: noServer }, () => {
  test('the pgvector version is read at connect time; a filtered dense search returns k hits on this version and on the pre-0.8 path', async (t) => {
    const store = await openPostgresStore(await newLocation(), { create: true, embedding });
    t.diagnostic(`server: ${JSON.stringify(store.serverInfo())}`);
    const version = await admin(async (c) =>
      String((await c.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'")).rows[0]?.extversion),
    );
    assert.equal(store.serverInfo().pgvector, version);
    await store.close();
    await filteredSearchKeepsK(newLocation);
  });

  test('8 writers ingest different sources while 8 readers search: no chunk lost or doubled, no search sees a source before its commit', async () => {
    const [writers, sourcesPerWriter, chunksPerSource, sourcesPerCall] = [8, 6, 120, 3];
    const location = await newLocation();
    // The HNSW index exists before the writers start, so pgvector maintains it under concurrent inserts.
    const setup = await openPostgresStore(location, { create: true, embedding, tuning: { annMinRows: 100 } });
    const seed = await corpus('seed', 1, 200);
    await setup.replaceSources(seed);
    await setup.optimize();
    assert.equal(await setup.hasVectorIndex(), true);
    await setup.close();

    const committed = new Set<string>(seed.map((s) => s.source.source));
    const inFlight = new Set<string>();
    const work = await Promise.all(
      Array.from({ length: writers }, (_, w) => corpus(`w${w}`, sourcesPerWriter, chunksPerSource)),
    );
    let writing = true;
    const problems: string[] = [];
    let searches = 0;

    const writer = async (w: number): Promise<void> => {
      // Each writer its own store (its own pool), as separate `sift ingest` processes would be.
      const store = await openPostgresStore(location, { embedding, tuning: { poolSize: 1 } });
      try {
        const items = work[w]!;
        for (let i = 0; i < items.length; i += sourcesPerCall) {
          const batch = items.slice(i, i + sourcesPerCall);
          for (const b of batch) inFlight.add(b.source.source);
          await store.replaceSources(batch);
          for (const b of batch) committed.add(b.source.source);
        }
      } finally {
        await store.close();
      }
    };
    const reader = async (r: number): Promise<void> => {
      const store = await openPostgresStore(location, { embedding, tuning: { poolSize: 1 } });
      try {
        const [q] = await embedder.embed([`writer w${r % writers} source chunk`]);
        while (writing || searches < writers * 4) {
          // A source is in `committed` only after its commit returned; one that a search shows
          // must be complete (every chunk, in one statement's snapshot), never part of a batch.
          const hits = [
            ...(await store.denseSearch(q!, { k: 30 })),
            ...(await store.textSearch(`w${r % writers}`, { k: 30 })),
            ...(await store.denseSearch(q!, { k: 10, filter: { sourcePrefix: `/w${r % writers}/` } })),
          ];
          const seen = new Set(hits.map((h) => h.chunk.source));
          for (const source of seen) {
            if (!committed.has(source) && !inFlight.has(source))
              problems.push(`${source}: seen before its write began`);
            const count = await store.count({ source });
            const want = source.startsWith('/seed/') ? 200 : chunksPerSource;
            if (count !== want) problems.push(`${source}: a search saw it with ${count} of ${want} chunks`);
          }
          const listed = await store.listSources();
          for (const s of listed) {
            const count = await store.count({ source: s.source });
            if (count !== s.chunkCount)
              problems.push(`${s.source} listed with ${s.chunkCount} chunks, ${count} visible`);
          }
          searches++;
        }
      } finally {
        await store.close();
      }
    };
    const readers = Array.from({ length: 8 }, (_, r) => reader(r));
    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
    writing = false;
    await Promise.all(readers);
    assert.deepEqual(problems.slice(0, 5), []);
    assert.ok(searches >= writers * 4, `${searches} search rounds`);

    const store = await openPostgresStore(location, { embedding });
    const ids: string[] = [];
    for await (const batch of store.scan({ batchSize: 2000 })) for (const c of batch) ids.push(c.id);
    const expected = [...seed, ...work.flat()].flatMap((s) => s.chunks.map((c) => c.id));
    assert.equal(ids.length, expected.length, 'no chunk lost or doubled');
    assert.deepEqual(new Set(ids), new Set(expected));
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(new Set((await store.listSources()).map((s) => s.source)), committed);
    assert.equal(await store.count(), 200 + writers * sourcesPerWriter * chunksPerSource);
    await store.close();
  });

  test(
    'kill -9 of the server in the middle of an ingest: the ingest fails with STORE_ERROR; after a restart a re-run ends equal to a clean ingest',
    {
      skip:
        killCmd && startCmd
          ? false
          : 'SIFT_TEST_PG_KILL and SIFT_TEST_PG_START are not set (commands that kill -9 the server and start it again)',
    },
    async (t) => {
      const base = await tempDir('sift-pg-kill-');
      const docs = join(base, 'docs');
      await writeKillCorpus(docs, prng(0x6b11), 2, 40);
      const options = { paths: [docs], embedder, chunkSize: 200, chunkOverlap: 20, batchChunks: 64 };
      const crashedLoc = await newLocation();
      const cleanLoc = await newLocation();
      const crashed = parse(crashedLoc);

      // After two commits, an admin session takes a lock that the next batch's sources upsert waits
      // on: that transaction has already written its chunks, uncommitted, when the server is killed.
      const store = await openPostgresStore(crashedLoc, { create: true, embedding });
      let commits = 0;
      let written = 0;
      let locker: pg.Client | undefined;
      let locked: Promise<void> | undefined;
      const ingest = ingestFiles({
        ...options,
        store,
        onProgress: (p) => {
          if (p.chunksWritten === written) return; // progress per file; a commit moves chunksWritten
          written = p.chunksWritten;
          if (++commits !== 2) return;
          locker = new pg.Client({ connectionString: url!, application_name: 'sift-test-admin' });
          locker.on('error', () => undefined);
          locked = locker
            .connect()
            .then(() => locker!.query(`BEGIN; LOCK TABLE "${crashed}".sources IN SHARE MODE`))
            .then(() => undefined);
        },
      }).then(
        (summary) => ({ summary, error: undefined }),
        (error: unknown) => ({ summary: undefined, error }),
      );
      await until('two commits and the lock', async () => locked !== undefined);
      await locked;
      await until('a sift transaction waiting on the lock', async () => (await admin(waitingOnLock)).length > 0);
      const before = await admin(async (c) =>
        Number((await c.query(`SELECT count(*)::int AS n FROM "${crashed}".chunks`)).rows[0]!.n),
      );
      execSync(killCmd!, { stdio: 'ignore', shell: '/bin/bash' });
      const outcome = await ingest;
      assert.ok(
        isSiftError(outcome.error, 'STORE_ERROR'),
        `the ingest fails with STORE_ERROR, got ${outcome.error instanceof Error ? outcome.error.message : 'success'}`,
      );
      t.diagnostic(
        `killed after ${commits} commits (${before} chunks committed): ${(outcome.error as Error).message.slice(0, 160)}`,
      );
      await store.close().catch(() => undefined);
      await locker?.end().catch(() => undefined);
      execSync(startCmd!, { stdio: 'ignore', shell: '/bin/bash' });

      // Crash recovery kept exactly the committed batches: nothing of the killed transaction.
      const afterRestart = await admin(async (c) =>
        Number((await c.query(`SELECT count(*)::int AS n FROM "${crashed}".chunks`)).rows[0]!.n),
      );
      assert.equal(afterRestart, before, 'the committed chunks survive, the uncommitted ones are gone');
      const again = await openPostgresStore(crashedLoc, { embedding });
      const rerun = await ingestFiles({ ...options, store: again });
      assert.ok(rerun.files.unchanged > 0 && rerun.files.ingested > 0, JSON.stringify(rerun.files));
      await again.close();
      const clean = await openPostgresStore(cleanLoc, { create: true, embedding });
      await ingestFiles({ ...options, store: clean });
      await clean.close();
      assert.deepEqual(await snapshot(crashedLoc), await snapshot(cleanLoc));
    },
  );

  test('a connection terminated in the middle of a query: a clear STORE_ERROR, and the retry works', async () => {
    const location = await newLocation();
    const store = await openPostgresStore(location, { create: true, embedding, tuning: { poolSize: 2 } });
    await store.replaceSources(await corpus('q', 4, 50));
    await store.optimize();
    const [q] = await embedder.embed(['writer q source chunk']);
    const want = (await store.denseSearch(q!, { k: 10 })).map((h) => h.chunk.id);
    const t = parse(location);
    const blocker = new pg.Client({ connectionString: url!, application_name: 'sift-test-admin' });
    await blocker.connect();
    try {
      // The search blocks on a lock, so it is mid-query when its backend is terminated.
      await blocker.query(`BEGIN; LOCK TABLE "${t}".chunks IN ACCESS EXCLUSIVE MODE`);
      const searching = store.denseSearch(q!, { k: 10 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      await until('the search waiting on the lock', async () => (await admin(waitingOnLock)).length > 0);
      await admin(async (c) => {
        for (const pid of await waitingOnLock(c)) await c.query('SELECT pg_terminate_backend($1)', [pid]);
      });
      const err = await searching;
      assert.ok(isSiftError(err, 'STORE_ERROR'), `got ${String(err)}`);
      assert.match(
        err.message,
        /cannot search vectors \(connection to PostgreSQL at .+ lost; the store reconnects, try again\)/,
      );
      assert.equal(err.details?.connectionLost, true);
      await blocker.query('COMMIT');
    } finally {
      await blocker.end();
    }
    // The same store object retries on a fresh connection.
    assert.deepEqual(
      (await store.denseSearch(q!, { k: 10 })).map((h) => h.chunk.id),
      want,
    );
    assert.equal(await store.count(), 200);
    await store.close();
  });
});

function parse(location: string): string {
  return new URL(location).searchParams.get('collection')!;
}

async function corpus(prefix: string, sources: number, chunks: number): Promise<SourceReplacement[]> {
  const items: SourceReplacement[] = [];
  for (let s = 0; s < sources; s++) {
    const source = `/${prefix}/s${s}.md`;
    const texts = Array.from({ length: chunks }, (_, c) => `writer ${prefix} source ${s} chunk ${c} about concurrency`);
    const vectors = await embedder.embed(texts);
    items.push({
      source: {
        source,
        contentHash: `h-${prefix}-${s}`,
        chunkCount: chunks,
        modifiedMs: 1_700_000_000_000,
        ingestedAt: '2026-01-01T00:00:00.000Z',
      },
      chunks: texts.map((text, c) => ({
        id: `${source}#${c}`,
        source,
        text,
        chunkIndex: c,
        start: c * 60,
        end: c * 60 + text.length,
        modifiedMs: 1_700_000_000_000,
        vector: vectors[c],
      })),
    });
  }
  return items;
}

/** Every chunk (with its vector) and every source record but the ingest time, sorted. */
async function snapshot(location: string): Promise<{ chunks: string[]; sources: string[] }> {
  const store: PostgresStore = await openPostgresStore(location);
  try {
    const chunks: string[] = [];
    for await (const batch of store.scan({ batchSize: 1000 }))
      for (const c of batch) chunks.push(JSON.stringify({ ...c, vector: Array.from(c.vector ?? []) }));
    const sources = (await store.listSources()).map(
      (s) => `${s.source}|${s.contentHash}|${s.chunkCount}|${s.modifiedMs}`,
    );
    assert.ok(chunks.length > 0);
    return { chunks: chunks.sort(), sources: sources.sort() };
  } finally {
    await store.close();
  }
}
