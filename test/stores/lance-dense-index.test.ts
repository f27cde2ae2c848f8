import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { openLanceStore, type LanceStore } from '../../src/stores/lancedb/index.js';
import type { SourceReplacement } from '../../src/stores/vector-store.js';
import { removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { crashCorpus } from './crash-corpus.js';

after(removeTempDirs);

const DIM = 64;
const embedder = new HashingEmbedder({ dimension: DIM });
const embedding = { model: embedder.model, dimension: DIM };
const WORDS = [
  'berlin',
  'paris',
  'river',
  'museum',
  'population',
  'train',
  'bridge',
  'winter',
  'coffee',
  'harbour',
  'castle',
  'market',
];

/** `sources` sources of `chunks` chunks each, texts drawn from a small vocabulary so searches have real neighbours. */
async function corpus(sources: number, chunks: number, tag: string): Promise<SourceReplacement[]> {
  const items: SourceReplacement[] = [];
  for (let s = 0; s < sources; s++) {
    const source = `/docs/${tag}${s}.md`;
    const texts = Array.from(
      { length: chunks },
      (_, c) =>
        Array.from({ length: 6 }, (_, w) => WORDS[(s * 7 + c * 3 + w * 5 + tag.length) % WORDS.length]).join(' ') +
        ` ${tag} ${s} ${c}`,
    );
    const vectors = await embedder.embed(texts);
    items.push({
      source: { source, contentHash: tag, chunkCount: chunks, modifiedMs: 0, ingestedAt: '2026-01-01T00:00:00.000Z' },
      chunks: texts.map((text, c) => ({
        id: `${source}#${c}#${tag}`,
        source,
        text,
        chunkIndex: c,
        start: 0,
        end: text.length,
        modifiedMs: 0,
        vector: vectors[c],
      })),
    });
  }
  return items;
}

/** The in-memory index's answer and LanceDB's own exact scan, for the same query. */
async function both(store: LanceStore, query: string, k: number) {
  const [q] = await embedder.embed([query]);
  const memory = await store.denseSearch(q!, { k });
  const exact = await store.denseSearch(q!, { k, exact: true });
  return { memory, exact };
}

function assertSameHits(
  memory: Awaited<ReturnType<typeof both>>['memory'],
  exact: Awaited<ReturnType<typeof both>>['exact'],
): void {
  assert.equal(memory.length, exact.length);
  // Same scores rank by rank (ties may swap ids), and every hit is the stored chunk with its score.
  memory.forEach((h, i) =>
    assert.ok(Math.abs(h.score - exact[i]!.score) < 1e-5, `rank ${i + 1}: ${h.score} vs ${exact[i]!.score}`),
  );
  const exactScore = new Map(exact.map((h) => [h.chunk.id, h.score]));
  for (const h of memory) {
    if (exactScore.has(h.chunk.id)) assert.ok(Math.abs(exactScore.get(h.chunk.id)! - h.score) < 1e-5);
    assert.ok(h.chunk.text.length > 0 && h.chunk.source.startsWith('/docs/'));
  }
}

test('lancedb dense index: unfiltered searches match the exact scan, and follow re-ingests and deletions', async () => {
  const store = await openLanceStore(join(await tempDir('sift-dense-'), 'store'), { create: true, embedding });
  assert.equal(store.denseIndexStats(), undefined, 'the index is built on first use, not at open');
  await store.replaceSources(await corpus(40, 12, 'a'));
  // The first search is LanceDB's and starts loading the index; warming waits for it.
  const first = await both(store, 'berlin museum', 10);
  assert.deepEqual(first.memory, first.exact);
  assert.equal((await store.warmDenseIndex())?.chunks, 480);
  for (const q of ['berlin museum', 'winter harbour coffee', 'castle market bridge a 3']) {
    const r = await both(store, q, 10);
    assertSameHits(r.memory, r.exact);
  }
  assert.deepEqual(store.denseIndexStats()?.chunks, 480);

  // Re-ingest ten sources with new text: their old chunks disappear from results, the new ones appear.
  const redone = (await corpus(10, 5, 'bb')).map((item, s) => ({
    ...item,
    source: { ...item.source, source: `/docs/a${s}.md` },
    chunks: item.chunks.map((c) => ({ ...c, source: `/docs/a${s}.md` })),
  }));
  await store.replaceSources(redone);
  assert.equal(store.denseIndexStats()?.chunks, 480, 'the index catches up on the next search, not on the write');
  const after = await both(store, 'berlin museum bb 4', 20);
  assertSameHits(after.memory, after.exact);
  assert.equal(store.denseIndexStats()?.chunks, 30 * 12 + 10 * 5);
  assert.ok(
    after.memory.every((h) => !(h.chunk.source.match(/^\/docs\/a\d\.md$/) && h.chunk.id.endsWith('#a'))),
    'no replaced chunk is returned',
  );

  await store.deleteSources(Array.from({ length: 20 }, (_, s) => `/docs/a${s + 10}.md`));
  const pruned = await both(store, 'river population train', 20);
  assertSameHits(pruned.memory, pruned.exact);
  assert.equal(store.denseIndexStats()?.chunks, await store.count());
  assert.ok(
    pruned.memory.every(
      (h) =>
        Number(/a(\d+)\.md/.exec(h.chunk.source)?.[1]) < 10 || Number(/a(\d+)\.md/.exec(h.chunk.source)?.[1]) >= 30,
    ),
  );

  // Filters and `exact` keep going to LanceDB, with the same answers as before the index existed.
  const [q] = await embedder.embed(['berlin']);
  const filtered = await store.denseSearch(q!, { k: 5, filter: { source: '/docs/a35.md' } });
  assert.ok(filtered.length > 0 && filtered.every((h) => h.chunk.source === '/docs/a35.md'));
  await store.close();
});

test('lancedb dense index: an open store sees chunks another process commits, and a newly opened one sees them all', async () => {
  const location = join(await tempDir('sift-dense-'), 'store');
  const store = await openLanceStore(location, { create: true, embedding, tuning: { memoryIndex: { refreshMs: 0 } } });
  await store.replaceSources(await corpus(5, 4, 'a'));
  await store.warmDenseIndex();
  const [q] = await embedder.embed(['chunk 1 of source 3 about crash safety and commits']);
  assert.ok((await store.denseSearch(q!, { k: 5 })).every((h) => h.chunk.source.startsWith('/docs/')));

  // Another process writes 12 sources of `/crash/...` chunks into the same folder and exits.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./write-sources-child.ts', import.meta.url)), location, '12', '3', '4'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // write-sources-child embeds with 64-d hashing vectors, the same embedding as this store.
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  const expected = (await crashCorpus(embedder, 12, 3)).find((i) => i.source.source === '/crash/s3.md')!.chunks[1]!.id;

  const seen = await store.denseSearch(q!, { k: 3 });
  assert.equal(seen[0]?.chunk.id, expected);
  assert.equal(store.denseIndexStats()?.chunks, 20 + 36);
  const fresh = await openLanceStore(location);
  assert.equal((await fresh.denseSearch(q!, { k: 1 }))[0]?.chunk.id, expected);
  assert.equal((await fresh.warmDenseIndex())?.chunks, await fresh.count());
  assert.equal((await fresh.denseSearch(q!, { k: 1 }))[0]?.chunk.id, expected);
  await fresh.close();
  await store.close();
});

test('lancedb dense index: a store closed while its index loads in the background closes cleanly', async () => {
  const location = join(await tempDir('sift-dense-'), 'store');
  const store = await openLanceStore(location, { create: true, embedding });
  await store.replaceSources(await corpus(20, 10, 'a'));
  const [q] = await embedder.embed(['berlin']);
  assert.equal((await store.denseSearch(q!, { k: 3 })).length, 3);
  await store.close();
  const again = await openLanceStore(location);
  assert.equal(await again.count(), 200);
  await again.close();
});

test('lancedb dense index: memoryIndex false sends every search to LanceDB', async () => {
  const store = await openLanceStore(join(await tempDir('sift-dense-'), 'store'), {
    create: true,
    embedding,
    tuning: { memoryIndex: false },
  });
  await store.replaceSources(await corpus(3, 3, 'a'));
  const [q] = await embedder.embed(['berlin']);
  assert.equal((await store.denseSearch(q!, { k: 4 })).length, 4);
  assert.equal((await store.denseSearch(q!, { k: 4 })).length, 4);
  assert.equal(store.denseIndexStats(), undefined);
  assert.equal(await store.warmDenseIndex(), undefined);
  await store.close();
});
