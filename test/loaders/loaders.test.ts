import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSiftError } from '../../src/errors.js';
import {
  decodeUtf8,
  formatOf,
  loadFile,
  loadHtml,
  loadMarkdown,
  loadPdf,
  loadText,
  looksBinary,
  skipReasonOf,
} from '../../src/loaders/index.js';
import { htmlPage, makePdf } from '../ingest/make-corpus.js';
import { tempDir } from '../support/temp-dir.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

async function reasonOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.ok(isSiftError(err, 'LOAD_FAILED'), `expected LOAD_FAILED, got ${String(err)}`);
    return skipReasonOf(err);
  }
  assert.fail('expected a LOAD_FAILED error');
}

test('text: CRLF normalised; whitespace-only refused', async () => {
  assert.deepEqual(loadText(enc('a\r\nb\rc'), 'a.txt'), { text: 'a\nb\nc', title: undefined, format: 'txt' });
  assert.equal(await reasonOf(() => loadText(enc('  \n\t '), 'w.txt')), 'no-text');
});

test('UTF-8 checks: empty, binary (NUL), invalid sequences are refused; BOM dropped', async () => {
  assert.equal(await reasonOf(() => decodeUtf8(new Uint8Array(), 'e.txt')), 'empty');
  assert.equal(await reasonOf(() => decodeUtf8(new Uint8Array([0x61, 0x00, 0x62]), 'b.txt')), 'binary');
  assert.equal(await reasonOf(() => decodeUtf8(new Uint8Array([0x63, 0xe9, 0x20]), 'l.txt')), 'invalid-utf8');
  assert.equal(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]), 'bom.txt'), 'hi');
  assert.equal(looksBinary(enc('plain text ü')), false);
});

test('markdown: front matter removed and used as title; else the first heading', () => {
  const a = loadMarkdown(enc('---\ntitle: "Guide"\ntags: [x]\n---\n# Intro\n\nBody'), 'g.md');
  assert.equal(a.title, 'Guide');
  assert.equal(a.text, '# Intro\n\nBody');
  assert.equal(loadMarkdown(enc('text\n\n# First heading\n## Second'), 'h.md').title, 'First heading');
});

test('html: visible text only, headings kept as paragraphs, title from <title>', () => {
  const doc = loadHtml(enc(htmlPage('volcano magma')), 'p.html');
  assert.equal(doc.title, 'All about volcano magma');
  for (const hidden of [
    'scriptword',
    'trackingCode',
    'color: red',
    'navigationword',
    'bannerword',
    'footerword',
    'hiddenword',
    'Home',
  ]) {
    assert.ok(!doc.text.includes(hidden), `"${hidden}" must not be in the visible text`);
  }
  assert.match(doc.text, /^The volcano magma story\n\nSection 1 about volcano magma\./);
  assert.match(doc.text, /\n\nTable & facts\n\nfirst fact\nsecond fact/);
});

test('html: broken markup still yields its text; a page without visible text is refused', async () => {
  const doc = loadHtml(enc('<div><p>unclosed <b>bold<p>second &amp; last'), 'b.html');
  assert.equal(doc.text, 'unclosed bold\n\nsecond & last');
  assert.equal(doc.title, undefined);
  assert.equal(loadHtml(enc('<h1>Only heading</h1>'), 'h.html').title, 'Only heading');
  assert.equal(await reasonOf(() => loadHtml(enc('<script>x</script><nav>menu</nav>'), 's.html')), 'no-text');
});

test('pdf: text layer and Info title; garbage and text-less PDFs are refused', async () => {
  const doc = await loadPdf(await makePdf(['Zanzibar spice trade', 'second line here'], 'Spice routes'), 'p.pdf');
  assert.equal(doc.title, 'Spice routes');
  assert.match(doc.text, /Zanzibar spice trade\s+second line here/);
  assert.equal(await reasonOf(loadPdf(enc('%PDF-1.7\nnot a pdf\n%%EOF'), 'x.pdf')), 'broken-pdf');
  const full = await makePdf(['some text']);
  assert.equal(await reasonOf(loadPdf(full.slice(0, Math.floor(full.length / 3)), 't.pdf')), 'broken-pdf');
});

test('loadFile: dispatch by extension, size limit, missing and unsupported files', async () => {
  const dir = await tempDir('sift-load-');
  await writeFile(join(dir, 'a.MD'), '# Title\n\nbody');
  await writeFile(join(dir, 'big.txt'), 'x'.repeat(2000));
  await writeFile(join(dir, 'data.csv'), 'a,b');
  assert.equal((await loadFile(join(dir, 'a.MD'))).format, 'md');
  assert.equal(await reasonOf(loadFile(join(dir, 'big.txt'), { maxBytes: 1000 })), 'too-large');
  assert.equal(await reasonOf(loadFile(join(dir, 'nope.txt'))), 'not-found');
  assert.equal(await reasonOf(loadFile(join(dir, 'data.csv'))), 'unsupported-format');
  assert.equal(await reasonOf(loadFile(dir + '/')), 'unreadable');
  assert.equal(formatOf('x.HTM'), 'html');
});
