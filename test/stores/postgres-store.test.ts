import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSiftError } from '../../src/errors.js';
import { openPostgresStore, parsePostgresLocation, redactPassword } from '../../src/stores/postgres/index.js';
import { openStore } from '../../src/stores/open-store.js';
import { runStoreContract } from './vector-store.contract.js';
import { startPgliteServer, type PgliteServer } from './pglite-server.js';
import { filteredSearchKeepsK } from './postgres-filtered-case.js';

let pglite: PgliteServer | undefined;
before(async () => {
  pglite = await startPgliteServer();
});
after(async () => {
  await pglite?.stop();
});

describe('postgres (PGlite + pgvector over the wire protocol)', () => {
  runStoreContract('postgres-pglite', openPostgresStore, () => pglite!.newLocation(), {
    dropConnections: () => pglite!.restart(),
    dropHeadingPathColumn: async (location) => {
      const schema = new URL(location).searchParams.get('collection') ?? 'sift';
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: pglite!.url });
      await client.connect();
      await client.query(`ALTER TABLE "${schema}".chunks DROP COLUMN heading_path`);
      await client.end();
    },
    forgetDtype: async (location) => {
      const schema = new URL(location).searchParams.get('collection') ?? 'sift';
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: pglite!.url });
      await client.connect();
      await client.query(`ALTER TABLE "${schema}".manifest DROP COLUMN dtype, DROP COLUMN int8_recipe`);
      await client.end();
    },
  });
});

const realUrl = process.env.SIFT_TEST_DATABASE_URL;
describe(
  'postgres (real server from SIFT_TEST_DATABASE_URL)',
  { skip: realUrl ? false : 'SIFT_TEST_DATABASE_URL is not set (a postgres:// URL of a database with pgvector)' },
  () => {
    let n = 0;
    const created: string[] = [];
    const newLocation = async (): Promise<string> => {
      const u = new URL(realUrl!);
      created.push(`sift_test_${process.pid}_${++n}`);
      u.searchParams.set('collection', created.at(-1)!);
      return u.href;
    };
    after(async () => {
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: realUrl!, application_name: 'sift-test-admin' });
      await admin.connect();
      for (const schema of created) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });
    // Terminates sift's sessions (application_name 'sift') from a separate admin connection.
    const dropConnections = async (): Promise<void> => {
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: realUrl!, application_name: 'sift-test-admin' });
      await admin.connect();
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sift' AND datname = current_database()",
      );
      await admin.end();
    };
    // Makes a collection look like one made before sift recorded the scout's dtype.
    const forgetDtype = async (location: string): Promise<void> => {
      const schema = new URL(location).searchParams.get('collection')!;
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: realUrl!, application_name: 'sift-test-admin' });
      await admin.connect();
      await admin.query(`ALTER TABLE "${schema}".manifest DROP COLUMN dtype, DROP COLUMN int8_recipe`);
      await admin.end();
    };
    runStoreContract('postgres-real', openPostgresStore, newLocation, { dropConnections, forgetDtype });
  },
);

test('postgres: locations parse collection and ef_search, and never show the password', () => {
  const loc = parsePostgresLocation(
    'postgresql://me:p%40ss@db.example:6543/rag?collection=docs&ef_search=200&sslmode=require',
  );
  assert.equal(loc.schema, 'docs');
  assert.equal(loc.efSearch, 200);
  assert.equal(loc.server, 'db.example:6543/rag');
  assert.equal(loc.display, 'postgresql://me:***@db.example:6543/rag?collection=docs&ef_search=200&sslmode=require');
  assert.equal(loc.connectionString, 'postgresql://me:p%40ss@db.example:6543/rag?sslmode=require');
  assert.equal(parsePostgresLocation('postgres://localhost/x').schema, 'sift');
  assert.equal(redactPassword('postgres://h/db?password=hunter2&x=1'), 'postgres://h/db?password=***&x=1');
  for (const bad of ['public', 'Docs', 'pg_x', '1abc', 'a-b', 'x'.repeat(64)]) {
    assert.throws(
      () => parsePostgresLocation(`postgres://h/db?collection=${bad}`),
      (e) => isSiftError(e, 'INVALID_OPTION'),
      bad,
    );
  }
  assert.throws(
    () => parsePostgresLocation('postgres://h/db?ef_search=0'),
    (e) => isSiftError(e, 'INVALID_OPTION'),
  );
  const pooled = parsePostgresLocation('postgres://h/db?pool_size=16&sslmode=verify-full');
  assert.equal(pooled.poolSize, 16);
  assert.equal(
    pooled.connectionString,
    'postgres://h/db?sslmode=verify-full',
    "pool_size is sift's, sslmode goes to the driver",
  );
  for (const bad of ['0', '101', '2.5', 'many']) {
    assert.throws(
      () => parsePostgresLocation(`postgres://h/db?pool_size=${bad}`),
      (e) => isSiftError(e, 'INVALID_OPTION') && /pool_size/.test(e.message),
      bad,
    );
  }
});

test('postgres: a server that is not there is a STORE_ERROR naming the host, not the password', async () => {
  const err = await openStore('postgres://sift:hunter2@127.0.0.1:1/db?collection=x', {
    create: true,
    embedding: null,
  }).catch((e: unknown) => e);
  assert.ok(isSiftError(err, 'STORE_ERROR'), String(err));
  assert.match(err.message, /127\.0\.0\.1:1\/db/);
  assert.doesNotMatch(err.message, /hunter2/);
});

test('postgres: collections share a database without sharing rows; a foreign schema is refused', async () => {
  const a = await openPostgresStore(await pglite!.newLocation(), { create: true, embedding: null });
  const bLoc = await pglite!.newLocation();
  const b = await openPostgresStore(bLoc, { create: true, embedding: null });
  await a.upsert([{ id: 'x', source: '/x.md', text: 'only in a', chunkIndex: 0, start: 0, end: 9, modifiedMs: 0 }]);
  assert.equal(await a.count(), 1);
  assert.equal(await b.count(), 0);
  assert.equal((await b.info()).location, bLoc.replace('s3cret-pw', '***'));
  await a.close();
  await b.close();
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: pglite!.url });
  await client.connect();
  await client.query('CREATE SCHEMA app_data; CREATE TABLE app_data.users (id int)');
  await client.end();
  await assert.rejects(
    openPostgresStore(`${pglite!.url}?collection=app_data`, { create: true, embedding: null }),
    (e) => isSiftError(e, 'STORE_ERROR') && /not a sift store/.test(e.message),
  );
});

test('postgres: HNSW index past annMinRows; filtered ANN search still returns k hits; recall@10 against exact', async () => {
  const dim = 32;
  const store = await openPostgresStore(await pglite!.newLocation(), {
    create: true,
    embedding: { model: 'test/random-32', dimension: dim },
    tuning: { annMinRows: 1000 },
  });
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const unit = (): Float32Array => {
    const v = Float32Array.from({ length: dim }, rand);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const rows = Array.from({ length: 1500 }, (_, i) => ({
    id: `c${i}`,
    source: `/s${i % 50}.md`,
    text: `chunk ${i}`,
    chunkIndex: i,
    start: 0,
    end: 1,
    modifiedMs: 0,
    vector: unit(),
  }));
  await store.upsert(rows.slice(0, 900));
  await store.optimize();
  assert.equal(await store.hasVectorIndex(), false, 'below annMinRows');
  await store.upsert(rows.slice(900));
  await store.optimize();
  assert.equal(await store.hasVectorIndex(), true);
  let overlap = 0;
  for (let q = 0; q < 10; q++) {
    const v = unit();
    const exact = new Set((await store.denseSearch(v, { k: 10, exact: true })).map((h) => h.chunk.id));
    overlap += (await store.denseSearch(v, { k: 10 })).filter((h) => exact.has(h.chunk.id)).length;
    // Whichever plan PostgreSQL picks (the source index then a sort, or HNSW with pgvector's iterative
    // scan), a filter never shortens the list, as a plain post-filter over ef_search candidates would.
    const filtered = await store.denseSearch(v, { k: 10, filter: { source: '/s3.md' } });
    assert.equal(filtered.length, 10);
    assert.ok(filtered.every((h) => h.chunk.source === '/s3.md'));
    const prefixed = await store.denseSearch(v, { k: 40, filter: { sourcePrefix: '/s1' } });
    assert.equal(prefixed.length, 40);
    assert.ok(prefixed.every((h) => h.chunk.source.startsWith('/s1')));
  }
  assert.ok(overlap / 100 >= 0.8, `recall@10 ${overlap / 100}`);
  await store.close();
});

test('postgres: a filtered dense search returns k hits with the iterative scan and with the pre-0.8 fallback (PGlite, pgvector 0.8)', async () => {
  await filteredSearchKeepsK(() => pglite!.newLocation());
});
