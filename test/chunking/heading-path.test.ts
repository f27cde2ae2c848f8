import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chunkText,
  contextualText,
  headingPathAt,
  joinHeadingPath,
  markdownHeadings,
  parseHeadingContext,
} from '../../src/chunking/index.js';
import { loadHtml } from '../../src/loaders/html-loader.js';
import { loadMarkdown } from '../../src/loaders/markdown-loader.js';
import { isSiftError } from '../../src/errors.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('markdown headings: levels, offsets, closing hashes; none inside code fences', () => {
  const md = '# Guide\n\nintro\n\n## Install ##\n\n```sh\n# not a heading\n```\n\n### Linux\ntext\n';
  const headings = markdownHeadings(md);
  assert.deepEqual(
    headings.map((h) => [h.level, h.text]),
    [
      [1, 'Guide'],
      [2, 'Install'],
      [3, 'Linux'],
    ],
  );
  for (const h of headings) assert.ok(md.slice(h.start).startsWith('#'.repeat(h.level) + ' ' + h.text));
});

test('heading path: title, then the headings open at an offset; a sibling closes its predecessor', () => {
  const md = '# Install\nA\n## Linux\nB\n## macOS\nC\n# Use\nD';
  const h = markdownHeadings(md);
  const at = (s: string): string[] => headingPathAt('Guide', h, md.indexOf(s));
  assert.deepEqual(at('A'), ['Guide', 'Install']);
  assert.deepEqual(at('B'), ['Guide', 'Install', 'Linux']);
  assert.deepEqual(at('C'), ['Guide', 'Install', 'macOS']);
  assert.deepEqual(at('D'), ['Guide', 'Use']);
  // A first heading equal to the title is not repeated; no title and no heading: no path.
  assert.deepEqual(headingPathAt('Install', h, md.indexOf('A')), ['Install']);
  assert.equal(joinHeadingPath(headingPathAt(undefined, [], 0)), undefined);
  assert.equal(joinHeadingPath(['Guide', 'Install']), 'Guide › Install');
});

test('html loader reports h1-h6 with offsets in the visible text; hidden headings are left out', () => {
  const html =
    '<title>Manual</title><nav><h2>Menu</h2></nav><h1>Routine Vacuuming</h1><p>intro</p><h2>Recovering <b>Disk</b> Space</h2><p>Plain VACUUM may not be satisfactory.</p>';
  const doc = loadHtml(enc(html), 'm.html');
  assert.deepEqual(
    doc.headings?.map((h) => [h.level, h.text]),
    [
      [1, 'Routine Vacuuming'],
      [2, 'Recovering Disk Space'],
    ],
  );
  for (const h of doc.headings ?? []) assert.equal(doc.text.slice(h.start, h.start + h.text.length), h.text);
  const path = headingPathAt(doc.title, doc.headings ?? [], doc.text.indexOf('Plain VACUUM'));
  assert.deepEqual(path, ['Manual', 'Routine Vacuuming', 'Recovering Disk Space']);
});

test('structure first: with headings a chunk never straddles two sections; offsets stay exact', async () => {
  const md = `# A\n\nshort one.\n\n## B\n\nshort two.\n\n## C\n\n${'gamma words here. '.repeat(40)}`;
  const doc = loadMarkdown(enc(md), 'a.md');
  const plain = await chunkText(doc.text, { chunkSize: 300, chunkOverlap: 0, format: 'md' });
  const sectioned = await chunkText(doc.text, {
    chunkSize: 300,
    chunkOverlap: 0,
    format: 'md',
    headings: doc.headings,
  });
  // The plain splitter packs sections A and B into one chunk; structure-first keeps them apart.
  assert.ok(plain.some((c) => c.text.includes('short one') && c.text.includes('short two')));
  assert.ok(!sectioned.some((c) => c.text.includes('short one') && c.text.includes('short two')));
  for (const c of sectioned) {
    assert.equal(doc.text.slice(c.start, c.end), c.text);
    assert.ok(c.text.length <= 300);
  }
  assert.deepEqual(
    sectioned.map((c) => c.index),
    sectioned.map((_, i) => i),
  );
});

test('structure first: a heading with no text of its own stays with the section it introduces', async () => {
  const md = '# Title\n\n## Part\n\nbody of the part.';
  const doc = loadMarkdown(enc(md), 'a.md');
  const chunks = await chunkText(doc.text, { chunkSize: 500, chunkOverlap: 0, format: 'md', headings: doc.headings });
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0]!.text, md);
});

test('without headings the chunks are what they were (BEIR and plain text are unchanged)', async () => {
  const text = Array.from({ length: 60 }, (_, i) => `Line ${i} of a plain document.`).join('\n');
  assert.deepEqual(await chunkText(text, { headings: [] }), await chunkText(text));
});

test('contextual text: heading path, blank line, chunk; unchanged without a path or when the chunk starts with it', () => {
  assert.equal(
    contextualText('Plain VACUUM…', 'Manual › Recovering Disk Space'),
    'Manual › Recovering Disk Space\n\nPlain VACUUM…',
  );
  assert.equal(contextualText('Berlin\n\nBerlin is…', 'Berlin'), 'Berlin\n\nBerlin is…');
  assert.equal(contextualText('text', undefined), 'text');
});

test('--heading-context parses lists, all and none, and names a bad target', () => {
  assert.deepEqual([...parseHeadingContext('judge,scout')].sort(), ['judge', 'scout']);
  assert.deepEqual([...parseHeadingContext('all')].sort(), ['bm25', 'judge', 'scout']);
  assert.equal(parseHeadingContext('none').size, 0);
  assert.throws(
    () => parseHeadingContext('scout,llm'),
    (e) => isSiftError(e, 'INVALID_OPTION') && /llm/.test(e.message),
  );
});
