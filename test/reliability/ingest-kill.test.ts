import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isSiftError } from '../../src/errors.js';
import { openLanceStore } from '../../src/stores/lancedb/index.js';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { writeKillCorpus } from './kill-corpus.js';
import { prng, type Rng } from './prng.js';

/**
 * kill -9 an ingest (`sift ingest`, a separate process) at 20 seeded random moments, in two lanes
 * of 10 running side by side. After every kill the store opens; each source's chunks are all there or
 * none are (exactly the set a clean ingest writes for that file); the chunk count equals the chunk
 * counts the sources table records (plus, for a kill between the chunk commit and the fingerprint
 * commit, the complete chunks of sources still marked unfinished, which the next run redoes); no
 * chunk id is stored twice; and a final run completes the job and equals a clean ingest.
 */

after(removeTempDirs);

export const KILL_SEED = 0x5eed04;
export const KILLS = 20;
const bin = fileURLToPath(new URL('../../bin/sift.js', import.meta.url));
const FLAGS = [
  '--embedder',
  'sift/hashing-256',
  '--chunk-size',
  '200',
  '--chunk-overlap',
  '20',
  '--commit-chunks',
  '96',
  '--json',
];

function chunkVersions(store: string): number {
  const dir = join(store, 'chunks.lance', '_versions');
  return existsSync(dir) ? readdirSync(dir).length : 0;
}

/**
 * Runs `sift ingest`; with `killAtMs`, SIGKILLs it that long after the spawn (if still running).
 * Reports when this run's first chunk commit appeared and when it ended.
 */
function runIngest(
  corpus: string,
  store: string,
  kill?: { atMs: number; from: 'spawn' | 'first-commit' },
): Promise<{ killed: boolean; code: number | null; firstCommitMs: number; endMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const baseline = chunkVersions(store);
    const child = spawn(process.execPath, [bin, 'ingest', corpus, '--store', store, ...FLAGS], {
      stdio: 'ignore',
      env: { ...process.env, SIFT_OFFLINE: '1', SIFT_FROM_SOURCE: '1' },
    });
    let killed = false;
    let firstCommitMs = NaN;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      timer = setTimeout(() => (killed = child.kill('SIGKILL')), kill!.atMs);
    };
    const poll = setInterval(() => {
      if (Number.isNaN(firstCommitMs) && chunkVersions(store) > baseline) {
        firstCommitMs = performance.now() - started;
        if (kill?.from === 'first-commit') arm();
      }
    }, 5);
    if (kill?.from === 'spawn') arm();
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ killed, code, firstCommitMs, endMs: performance.now() - started });
    });
  });
}

interface StoreState {
  count: number;
  /** Chunk ids by source, as stored. */
  bySource: Map<string, string[]>;
  /** Sources with a fingerprint (fully ingested) and their recorded chunk counts. */
  finished: Map<string, number>;
  /** Sources marked unfinished (placeholder: empty fingerprint). */
  unfinished: Set<string>;
  ids: string[];
}

async function storeState(store: string): Promise<StoreState> {
  const empty: StoreState = { count: 0, bySource: new Map(), finished: new Map(), unfinished: new Set(), ids: [] };
  let opened;
  try {
    opened = await openLanceStore(store);
  } catch (err) {
    // Killed before the store's manifest was written: no store yet, and nothing was stored.
    if (isSiftError(err, 'STORE_ERROR') && /no sift store/.test(err.message)) return empty;
    throw err;
  }
  try {
    const state = {
      ...empty,
      bySource: new Map<string, string[]>(),
      finished: new Map<string, number>(),
      unfinished: new Set<string>(),
      ids: [] as string[],
    };
    for (const s of await opened.listSources()) {
      if (s.contentHash === '') state.unfinished.add(s.source);
      else state.finished.set(s.source, s.chunkCount);
    }
    state.count = await opened.count();
    for await (const batch of opened.scan({ batchSize: 1000 })) {
      for (const c of batch) {
        state.ids.push(c.id);
        state.bySource.set(c.source, [...(state.bySource.get(c.source) ?? []), c.id]);
      }
    }
    state.ids.sort();
    for (const ids of state.bySource.values()) ids.sort();
    await opened.textSearch('river', { k: 3 }); // and it answers queries
    return state;
  } finally {
    await opened.close();
  }
}

function checkConsistent(state: StoreState, clean: StoreState, what: string): void {
  assert.equal(state.ids.length, state.count, `${what}: scan and count agree`);
  assert.equal(new Set(state.ids).size, state.ids.length, `${what}: no duplicate chunk ids`);
  let recorded = 0;
  for (const [source, chunkCount] of state.finished) {
    recorded += chunkCount;
    assert.deepEqual(state.bySource.get(source) ?? [], clean.bySource.get(source), `${what}: ${source} is complete`);
  }
  let unfinishedChunks = 0;
  for (const [source, ids] of state.bySource) {
    if (state.finished.has(source)) continue;
    assert.ok(state.unfinished.has(source), `${what}: chunks of ${source}, a source the store does not know`);
    assert.deepEqual(ids, clean.bySource.get(source), `${what}: unfinished ${source} has all its chunks or none`);
    unfinishedChunks += ids.length;
  }
  assert.equal(
    state.count,
    recorded + unfinishedChunks,
    `${what}: chunk count = recorded chunk counts (+ complete unfinished sources)`,
  );
}

async function lane(
  name: string,
  rng: Rng,
  corpus: string,
  store: string,
  kills: number,
  clean: StoreState,
  files: number,
  window: { from: number; to: number; writeMs: number },
): Promise<{ points: string[]; midway: number; unfinishedSeen: number }> {
  const points: string[] = [];
  let midway = 0;
  let unfinishedSeen = 0;
  for (let k = 0; k < kills; k++) {
    // A store the last runs completed starts again from nothing, so every kill has work to land in.
    const before = await storeState(store);
    if (before.finished.size === files) await rm(store, { recursive: true, force: true });
    const done = before.finished.size === files ? 0 : before.finished.size;
    // Even kills: a moment after the spawn (start-up, before or between commits); odd kills: a moment
    // after this run's first chunk commit, so they land in the middle of the writing on any machine.
    const from = k % 2 === 0 ? 'spawn' : 'first-commit';
    const delay = from === 'spawn' ? rng.int(window.from, window.to) : rng.int(0, window.writeMs);
    const run = await runIngest(corpus, store, { atMs: delay, from });
    const state = await storeState(store);
    checkConsistent(state, clean, `${name} kill ${k} at ${delay} ms`);
    if (run.killed && state.finished.size > done && state.finished.size < files) midway++;
    if ([...state.unfinished].some((source) => state.bySource.has(source))) unfinishedSeen++;
    points.push(
      `${from === 'spawn' ? '' : '+'}${delay}ms:${run.killed ? 'killed' : 'ended'}:${done}->${state.finished.size}`,
    );
  }
  const final = await runIngest(corpus, store);
  assert.equal(final.code, 0, `${name}: the re-run completes`);
  const state = await storeState(store);
  checkConsistent(state, clean, `${name} after the re-run`);
  assert.deepEqual(state.ids, clean.ids, `${name}: the resumed store equals a clean run`);
  assert.equal(state.finished.size, files);
  return { points, midway, unfinishedSeen };
}

test(`kill -9 an ingest at ${KILLS} seeded random points: store consistent every time, re-run completes, no duplicate ids`, async (t) => {
  const rng = prng(KILL_SEED);
  const corpus = await tempDir('sift-rel-kill-corpus-');
  const files = await writeKillCorpus(corpus, rng, 4, 40);
  const base = await tempDir('sift-rel-kill-');
  const reference = await runIngest(corpus, join(base, 'clean'));
  assert.equal(reference.code, 0);
  const clean = await storeState(join(base, 'clean'));
  assert.equal(clean.finished.size, files);
  // Kill points: from a little before this machine's first commit to the end of a full run, or
  // within the writing phase counted from the killed run's own first commit.
  const window = {
    from: Math.max(100, Math.round(reference.firstCommitMs) - 400),
    to: Math.round(reference.endMs) + 200,
    writeMs: Math.round(reference.endMs - reference.firstCommitMs),
  };
  const lanes = await Promise.all([
    lane('lane A', prng(KILL_SEED + 1), corpus, join(base, 'a'), KILLS / 2, clean, files, window),
    lane('lane B', prng(KILL_SEED + 2), corpus, join(base, 'b'), KILLS / 2, clean, files, window),
  ]);
  const midway = lanes.reduce((a, l) => a + l.midway, 0);
  t.diagnostic(
    `clean ingest: ${files} files, ${clean.count} chunks, first commit at ${Math.round(reference.firstCommitMs)} ms, end at ${Math.round(reference.endMs)} ms; kill window ${window.from}-${window.to} ms`,
  );
  t.diagnostic(
    `kills (delay from spawn, or +delay from the run's first commit : outcome : finished files before->after): A ${lanes[0].points.join(' ')} | B ${lanes[1].points.join(' ')}`,
  );
  t.diagnostic(
    `${midway} of ${KILLS} kills landed mid-way; ${lanes[0].unfinishedSeen + lanes[1].unfinishedSeen} left a source with all its chunks but no fingerprint yet (killed between the chunk commit and the fingerprint commit; the next run redoes it)`,
  );
  assert.ok(midway >= 5, 'enough kills landed mid-way');
});
