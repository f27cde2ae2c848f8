import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLanceStore } from '../../src/stores/lancedb/index.js';
import { runCli } from '../support/run-cli.js';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';

after(removeTempDirs);

const bin = fileURLToPath(new URL('../../bin/sift.js', import.meta.url));

/** Versions committed to the chunks table so far: how far a running ingest has got. */
function chunkVersions(store: string): number {
  const dir = join(store, 'chunks.lance', '_versions');
  return existsSync(dir) ? readdirSync(dir).length : 0;
}

/** Starts `sift ingest` and SIGKILLs it once the chunks table has `versions` commits (or it ends). */
function ingestAndKill(args: readonly string[], store: string, versions: number): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: 'ignore',
      env: { ...process.env, SIFT_OFFLINE: '1' },
    });
    let killed = false;
    const timer = setInterval(() => {
      if (chunkVersions(store) >= versions) {
        killed = child.kill('SIGKILL');
        clearInterval(timer);
      }
    }, 5);
    child.on('error', reject);
    child.on('exit', () => {
      clearInterval(timer);
      resolve({ killed });
    });
  });
}

/** Every chunk id in the store (read straight from the table, duplicates included). */
async function allIds(store: string): Promise<string[]> {
  const { connect } = await import('@lancedb/lancedb');
  const db = await connect(store);
  const table = await db.openTable('chunks');
  const rows = await table.query().select(['id']).toArray();
  db.close();
  return rows.map((r) => String((r as { id: unknown }).id)).sort();
}

test('an ingest killed with SIGKILL mid-way leaves a working store; re-running completes it with no duplicates', async (t) => {
  const corpus = await tempDir('sift-kill-corpus-');
  for (let d = 0; d < 4; d++) {
    await mkdir(join(corpus, `d${d}`));
    for (let f = 0; f < 40; f++) {
      const body = Array.from(
        { length: 6 },
        (_, p) => `Paragraph ${p} of file ${d}-${f} mentions word${(d * 40 + f) % 17} and topic${p}.`,
      ).join('\n\n');
      await writeFile(join(corpus, `d${d}`, `f${f}.md`), `# File ${d}-${f}\n\n${body}\n`);
    }
  }
  const base = await tempDir('sift-kill-');
  const flags = [
    '--embedder',
    'sift/hashing-64',
    '--chunk-size',
    '120',
    '--chunk-overlap',
    '20',
    '--commit-chunks',
    '12',
    '--json',
  ];

  const clean = join(base, 'clean');
  const reference = await runCli(['ingest', corpus, '--store', clean, ...flags]);
  assert.equal(reference.code, 0, reference.stderr);
  const cleanIds = await allIds(clean);
  assert.equal(new Set(cleanIds).size, cleanIds.length);

  const store = join(base, 'killed');
  const args = ['ingest', corpus, '--store', store, ...flags];
  let kills = 0;
  // Kill early (around the first commits), then further along, each time resuming the same ingest.
  for (const versions of [3, 12, 30]) {
    const { killed } = await ingestAndKill(args, store, chunkVersions(store) + versions);
    if (killed) kills++;
    const opened = await openLanceStore(store);
    const count = await opened.count();
    assert.ok(count >= 0);
    await opened.textSearch('paragraph', { k: 3 }); // answers queries
    await opened.close();
    const ids = await allIds(store);
    assert.equal(new Set(ids).size, ids.length, 'no duplicate chunk ids after a kill');
  }
  t.diagnostic(`${kills} of 3 runs killed mid-way`);
  assert.ok(kills >= 1, 'at least one run was killed mid-way');

  const resumed = await runCli(args);
  assert.equal(resumed.code, 0, resumed.stderr);
  const summary = JSON.parse(resumed.stdout);
  assert.equal(summary.files.skipped, 0);
  const ids = await allIds(store);
  assert.deepEqual(ids, cleanIds, 'the resumed store equals a clean run');
  const final = await openLanceStore(store);
  assert.equal((await final.listSources()).filter((s) => s.contentHash !== '').length, 160);
  await final.close();
});
