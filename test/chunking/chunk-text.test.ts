import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkText, resolveChunkOptions } from '../../src/chunking/index.js';
import { isSiftError } from '../../src/errors.js';

const text = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} talks about topic ${i % 7}.`).join(' ');

test('chunks respect the size, overlap their neighbours, and carry exact offsets', async () => {
  const chunks = await chunkText(text, { chunkSize: 200, chunkOverlap: 40 });
  assert.ok(chunks.length > 5);
  chunks.forEach((c, i) => {
    assert.equal(c.index, i);
    assert.ok(c.text.length <= 200);
    assert.equal(text.slice(c.start, c.end), c.text);
    if (i > 0) assert.ok(c.start < chunks[i - 1]!.end, 'neighbours overlap');
  });
  assert.equal(chunks.at(-1)!.end, text.length);
});

test('defaults are 500 / 50; a short text is one chunk', async () => {
  assert.deepEqual(resolveChunkOptions(), { chunkSize: 500, chunkOverlap: 50 });
  assert.deepEqual(await chunkText('short text'), [{ index: 0, text: 'short text', start: 0, end: 10 }]);
});

test('markdown splits at section headings (## and below; # is the title) first', async () => {
  const md = `# One\n\n${'alpha '.repeat(30)}\n\n## Two\n\n${'beta '.repeat(30)}`;
  const chunks = await chunkText(md, { chunkSize: 250, chunkOverlap: 0, format: 'md' });
  assert.equal(chunks.length, 2);
  assert.ok(chunks[1]!.text.startsWith('## Two'));
});

test('repeated text gets increasing offsets', async () => {
  const rep = 'same words again. '.repeat(50);
  const chunks = await chunkText(rep, { chunkSize: 100, chunkOverlap: 0 });
  for (let i = 1; i < chunks.length; i++) assert.ok(chunks[i]!.start > chunks[i - 1]!.start);
});

test('bad sizes are INVALID_OPTION naming the option (the CLI prints it as its flag)', () => {
  assert.throws(
    () => resolveChunkOptions({ chunkSize: 100, chunkOverlap: 100 }),
    (e) => isSiftError(e, 'INVALID_OPTION') && /`chunkOverlap`/.test(e.message) && e.details?.option === 'chunkOverlap',
  );
  assert.throws(
    () => resolveChunkOptions({ chunkSize: 0 }),
    (e) => isSiftError(e, 'INVALID_OPTION') && /`chunkSize`/.test(e.message) && e.details?.option === 'chunkSize',
  );
});
