import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { isSiftError } from '../../src/errors.js';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { openLanceStore } from '../../src/stores/lancedb/index.js';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { writeKillCorpus } from './kill-corpus.js';
import { prng } from './prng.js';

/**
 * A store folder that turns read-only and a disk that fills up mid-ingest: the ingest fails with a
 * clear STORE_ERROR, and the store still opens with everything ingested before intact. Both need
 * mount(8) (tests run as root, so chmod does not stop writes); where the sandbox forbids mounting,
 * the test skips and says so.
 */

const mounted: string[] = [];
after(async () => {
  for (const dir of mounted.splice(0).reverse()) spawnSync('umount', ['-l', dir]);
  await removeTempDirs();
});

export const STORE_FAULT_SEED = 0x5eed06;
const embedder = HashingEmbedder.fromName('sift/hashing-64')!;
const embedding = { model: embedder.model, dimension: 64 };

function sh(cmd: string, args: string[]): { ok: boolean; why: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return {
    ok: r.status === 0,
    why: `${cmd} ${args.join(' ')}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`,
  };
}

async function snapshot(location: string): Promise<{ ids: string[]; sources: string[] }> {
  const store = await openLanceStore(location);
  try {
    const ids: string[] = [];
    for await (const batch of store.scan({ batchSize: 1000 })) for (const c of batch) ids.push(c.id);
    await store.textSearch('river', { k: 3 });
    return {
      ids: ids.sort(),
      sources: (await store.listSources()).map((s) => `${s.source}:${s.contentHash}:${s.chunkCount}`).sort(),
    };
  } finally {
    await store.close();
  }
}

async function ingest(location: string, paths: string[]) {
  const store = await openLanceStore(location, { create: true, embedding });
  try {
    return await ingestFiles({ paths, store, embedder, chunkSize: 200, chunkOverlap: 20, batchChunks: 64 });
  } finally {
    await store.close().catch(() => undefined);
  }
}

test('a read-only store folder: ingest fails with STORE_ERROR naming the store, searching still works, nothing lost', async (t) => {
  const base = await tempDir('sift-rel-ro-');
  const corpus = join(base, 'corpus');
  await writeKillCorpus(corpus, prng(STORE_FAULT_SEED), 2, 10);
  const location = join(base, 'store');
  await ingest(location, [join(corpus, 'd0')]);
  const before = await snapshot(location);

  // A read-only bind mount of the store over itself; chattr +i where bind mounts are refused.
  let how: string;
  const bind = sh('mount', ['--bind', location, location]);
  if (bind.ok) {
    mounted.push(location);
    const ro = sh('mount', ['-o', 'remount,bind,ro', location]);
    if (!ro.ok) return t.skip(`cannot remount read-only: ${ro.why}`);
    how = 'read-only bind mount';
  } else {
    const immutable = sh('chattr', ['-R', '+i', location]);
    if (!immutable.ok) return t.skip(`no way to make a folder read-only for root here: ${bind.why}; ${immutable.why}`);
    how = 'chattr -R +i';
  }
  t.diagnostic(`store made read-only with ${how}`);
  try {
    await assert.rejects(ingest(location, [join(corpus, 'd1')]), (err) => {
      assert.ok(isSiftError(err, 'STORE_ERROR'), `STORE_ERROR, got ${String(err)}`);
      assert.ok(err.message.includes(location), `names the store: ${err.message}`);
      if (how !== 'chattr -R +i') assert.equal(err.details?.reason, 'read-only');
      assert.ok(
        err.message.length < 400 && !err.message.includes('cargo'),
        `short, without the Rust error chain: ${err.message}`,
      );
      t.diagnostic(`error: ${err.message}`);
      return true;
    });
    // Reading a read-only store still works (search on a read-only volume or snapshot).
    assert.deepEqual(await snapshot(location), before);
  } finally {
    if (how === 'chattr -R +i') sh('chattr', ['-R', '-i', location]);
    else {
      // Lazy: LanceDB's reader threads may still hold files open for a moment after close.
      if (sh('umount', ['-l', location]).ok) mounted.splice(mounted.indexOf(location), 1);
    }
  }
  assert.deepEqual(await snapshot(location), before, 'nothing already stored was lost');
  const resumed = await ingest(location, [corpus]);
  assert.equal(resumed.files.skipped, 0, 'writable again, the ingest completes');
});

test('a full disk (2 MB tmpfs): ingest fails with STORE_ERROR, the store opens with everything before intact', async (t) => {
  const base = await tempDir('sift-rel-full-');
  const disk = join(base, 'disk');
  await mkdir(disk);
  const m = sh('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]);
  if (!m.ok) return t.skip(`cannot mount a small tmpfs to fill: ${m.why}`);
  mounted.push(disk);
  const location = join(disk, 'store');
  const small = join(base, 'small');
  await writeKillCorpus(small, prng(STORE_FAULT_SEED + 1), 1, 10);
  await ingest(location, [small]);
  const before = await snapshot(location);
  assert.ok(before.ids.length > 0);

  // Far more text than 2 MB holds once chunked, embedded and versioned.
  const big = join(base, 'big');
  await mkdir(big);
  const rng = prng(STORE_FAULT_SEED + 2);
  for (let f = 0; f < 40; f++) {
    await writeFile(
      join(big, `big${f}.txt`),
      Array.from(
        { length: 400 },
        () => `Line ${rng.int(0, 1e9)} about harbours, copper and glaciers in quantity.`,
      ).join('\n'),
    );
  }
  await assert.rejects(ingest(location, [big]), (err) => {
    assert.ok(isSiftError(err, 'STORE_ERROR'), `STORE_ERROR, got ${String(err)}`);
    assert.ok(err.message.includes(location), `names the store: ${err.message}`);
    assert.equal(err.details?.reason, 'disk-full');
    assert.match(err.message, /disk is full/);
    t.diagnostic(`error: ${err.message}`);
    return true;
  });
  const after = await snapshot(location);
  const kept = new Set(after.ids);
  assert.ok(
    before.ids.every((id) => kept.has(id)),
    'every chunk stored before the disk filled is still there',
  );
  for (const s of before.sources) assert.ok(after.sources.includes(s), `source record kept: ${s}`);
  t.diagnostic(
    `before: ${before.ids.length} chunks; after the failed ingest: ${after.ids.length} chunks, ${after.sources.length} sources`,
  );
  const umount = sh('umount', ['-l', disk]);
  if (umount.ok) mounted.splice(mounted.indexOf(disk), 1);
});
