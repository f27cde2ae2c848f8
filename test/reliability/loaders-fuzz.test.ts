import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chunkText, resolveChunkOptions } from '../../src/chunking/chunk-text.js';
import { HashingEmbedder } from '../../src/embedding/hashing-embedder.js';
import { isSiftError } from '../../src/errors.js';
import { ingestFiles } from '../../src/ingest/ingest-files.js';
import { loadHtml, MAX_HTML_DEPTH } from '../../src/loaders/html-loader.js';
import { DEFAULT_MAX_FILE_BYTES, loadFile, parseDocument } from '../../src/loaders/load-file.js';
import { openLanceStore } from '../../src/stores/lancedb/index.js';
import { htmlPage, makePdf, removeTempDirs, tempDir } from '../ingest/make-corpus.js';
import { prng, NASTY_STRINGS } from './prng.js';

/**
 * A hang guard, not a speed target (speed lives in bench/): the superlinear parsing and chunking
 * these inputs once triggered took minutes to hours, while linear work takes well under a second on a
 * quiet machine and a few seconds on a loaded one, so a minute separates the two on any machine.
 */
const HANG_GUARD_MS = 60_000;

/**
 * Seeded fuzzing of the loaders and file ingest: every file is either ingested or skipped with a
 * named reason; nothing throws anything else and nothing hangs. Counts and seeds are in RELIABILITY.md.
 */

after(removeTempDirs);

export const LOADER_SEED = 0x5eed01;
const REASONS = new Set([
  'not-found',
  'unreadable',
  'too-large',
  'empty',
  'binary',
  'invalid-utf8',
  'no-text',
  'broken-pdf',
  'unsupported-format',
  'too-deep',
]);
const EXTS = ['.txt', '.md', '.html', '.pdf'] as const;
const enc = (s: string) => new TextEncoder().encode(s);

let corpus: string;
const counts: Record<string, number> = {};
const count = (kind: string, n = 1) => (counts[kind] = (counts[kind] ?? 0) + n);

before(async () => {
  const rng = prng(LOADER_SEED);
  corpus = await tempDir('sift-fuzz-load-');
  let n = 0;
  const put = async (kind: string, ext: string, data: Uint8Array | string) => {
    count(kind);
    await writeFile(join(corpus, `${String(n++).padStart(4, '0')}-${kind}${ext}`), data);
  };
  // Random bytes of random sizes under every extension (NUL-free half the time, so they reach UTF-8 decoding).
  for (let i = 0; i < 160; i++) {
    const bytes = rng.bytes(rng.int(1, 4096));
    if (i % 2 === 0) for (let j = 0; j < bytes.length; j++) if (bytes[j] === 0) bytes[j] = 0x20;
    await put('random-bytes', rng.pick(EXTS), bytes);
  }
  for (const ext of EXTS) await put('zero-byte', ext, new Uint8Array(0));
  // Valid text with invalid UTF-8 sequences spliced in (lone continuation bytes, overlongs, surrogates).
  const bad = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff], [0xe2, 0x82]];
  for (let i = 0; i < 40; i++) {
    const text = enc(`Valid start ${i}. `.repeat(rng.int(1, 50)));
    const at = rng.int(0, text.length);
    const junk = rng.pick(bad);
    await put(
      'invalid-utf8',
      rng.pick(EXTS.slice(0, 3)),
      new Uint8Array([...text.slice(0, at), ...junk, ...text.slice(at)]),
    );
  }
  // Nasty but valid text: emoji, RTL, controls, zero-width characters (lone surrogates become U+FFFD on encoding).
  for (let i = 0; i < 40; i++) {
    const text = Array.from({ length: rng.int(1, 30) }, () => rng.pick(NASTY_STRINGS)).join(
      rng.pick([' ', '\n', '\n\n', '']),
    );
    await put('nasty-text', rng.pick(EXTS.slice(0, 3)), text);
  }
  // Truncated and bit-flipped PDFs.
  const pdf = await makePdf(['Truncation test: the zanzibar spice route', 'second line of text'], 'Fuzz');
  for (let i = 0; i < 30; i++) await put('truncated-pdf', '.pdf', pdf.slice(0, rng.int(1, pdf.length - 1)));
  for (let i = 0; i < 10; i++) {
    const flipped = new Uint8Array(pdf);
    for (let j = 0; j < 20; j++) flipped[rng.int(0, flipped.length - 1)] = rng.int(0, 255);
    await put('corrupt-pdf', '.pdf', flipped);
  }
  // Mutated HTML and Markdown: random cuts and random tag soup.
  const page = htmlPage('volcano magma');
  for (let i = 0; i < 30; i++) {
    const a = rng.int(0, page.length);
    const b = rng.int(a, page.length);
    await put(
      'mutated-html',
      '.html',
      page.slice(0, a) +
        rng.pick(['<', '>', '</', '<!--', '<script>', '&#xD800;', '&', '"', '<div ', '<![CDATA[']) +
        page.slice(b),
    );
  }
  // Deep nesting: closed, unclosed, and just under the limit.
  await put('deep-html', '.html', '<div>'.repeat(100_000) + 'deep text' + '</div>'.repeat(100_000));
  await put('deep-html', '.html', '<div>x'.repeat(100_000));
  await put(
    'deep-html',
    '.html',
    '<span>'.repeat(MAX_HTML_DEPTH - 10) + 'nested but fine' + '</span>'.repeat(MAX_HTML_DEPTH - 10),
  );
  // One line past the size limit (skipped before it is read).
  await put('over-limit-line', '.txt', 'x'.repeat(DEFAULT_MAX_FILE_BYTES + 1));
  // Odd paths: a folder named like a document, an unsupported extension given by name.
  await mkdir(join(corpus, 'folder.md'));
  await writeFile(join(corpus, 'folder.md', 'inside.md'), '# Inside\n\nA file inside a folder named folder.md.');
  count('folder-named-like-a-file');
});

test('every fuzzed file loads or is refused with a named LOAD_FAILED reason', async (t) => {
  const { readdir } = await import('node:fs/promises');
  const names = (await readdir(corpus)).filter((n) => n !== 'folder.md');
  const outcomes: Record<string, number> = {};
  for (const name of names) {
    const started = performance.now();
    try {
      const doc = await loadFile(join(corpus, name));
      assert.ok(doc.text.trim().length > 0, `${name}: a loaded document has text`);
      outcomes.loaded = (outcomes.loaded ?? 0) + 1;
    } catch (err) {
      assert.ok(isSiftError(err, 'LOAD_FAILED'), `${name}: threw ${String(err)}`);
      const reason = String(err.details?.reason);
      assert.ok(REASONS.has(reason), `${name}: unknown reason ${reason}`);
      assert.ok(err.message.includes(name), `${name}: the message names the file`);
      outcomes[reason] = (outcomes[reason] ?? 0) + 1;
    }
    assert.ok(
      performance.now() - started < HANG_GUARD_MS,
      `${name} took ${Math.round(performance.now() - started)} ms`,
    );
  }
  t.diagnostic(`inputs: ${JSON.stringify(counts)}`);
  t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
  assert.ok((outcomes['too-deep'] ?? 0) >= 2, 'the 100k-deep pages are refused as too-deep');
});

test('ingestFiles over the fuzzed folder: seen = ingested + skipped, every skip named, chunks match', async () => {
  const store = await openLanceStore(join(await tempDir('sift-fuzz-store-'), 'store'), {
    create: true,
    embedding: { model: 'sift/hashing-64', dimension: 64 },
  });
  try {
    const embedder = HashingEmbedder.fromName('sift/hashing-64')!;
    const summary = await ingestFiles({ paths: [corpus], store, embedder, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
    assert.equal(summary.files.seen, summary.files.ingested + summary.files.skipped + summary.files.unchanged);
    for (const s of summary.skipped) assert.ok(REASONS.has(s.reason) && s.message.length > 0, JSON.stringify(s));
    assert.equal(
      summary.chunks.total,
      summary.ingested.reduce((a, f) => a + f.chunks, 0),
    );
    assert.equal(await store.count(), summary.chunks.total);
    assert.ok(summary.ingested.some((f) => f.source.endsWith('inside.md')));
  } finally {
    await store.close();
  }
});

test('a 50 MB single line (no spaces) loads and chunks in bounded time', async () => {
  const line = 'lorem'.repeat(10_000_000); // 50,000,000 bytes, no newline, no space: under the 50 MiB limit
  let started = performance.now();
  const doc = await parseDocument(enc(line), 'one-line.txt');
  assert.equal(doc.text.length, 50_000_000);
  assert.ok(performance.now() - started < HANG_GUARD_MS);
  started = performance.now();
  const chunks = await chunkText(doc.text, { ...resolveChunkOptions({}), format: 'txt' });
  assert.ok(
    chunks.length >= 100_000 && chunks.every((c) => c.text.length <= 500 && c.text === line.slice(c.start, c.end)),
  );
  assert.ok(performance.now() - started < HANG_GUARD_MS, `chunking took ${Math.round(performance.now() - started)} ms`);
});

test('HTML nested past MAX_HTML_DEPTH is refused as too-deep, fast', () => {
  const started = performance.now();
  assert.throws(
    () => loadHtml(enc('<div>'.repeat(100_000) + 'x'), 'deep.html'),
    (err) => isSiftError(err, 'LOAD_FAILED') && err.details?.reason === 'too-deep' && /deep\.html/.test(err.message),
  );
  assert.ok(performance.now() - started < 1000);
  assert.equal(loadHtml(enc('<div>'.repeat(500) + 'fine' + '</div>'.repeat(500)), 'ok.html').text, 'fine');
});
