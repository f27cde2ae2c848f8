import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/**
 * A small realistic corpus written by the tests: one good file per format with distinctive words
 * (so searches have a known right answer), and a broken file of each kind. Shared by the ingest,
 * retrieval and CLI tests; not a test file itself.
 */

const created: string[] = [];

/** A new temporary folder, removed by {@link removeTempDirs} (call it from `after`). */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every folder made by {@link tempDir} and {@link makeCorpus}. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Distinctive words per good file, for relevance assertions. */
export const TOPICS = {
  'guide.md': 'photosynthesis chlorophyll',
  'notes.txt': 'quantum entanglement',
  'page.html': 'volcano magma',
  'paper.pdf': 'zanzibar spice',
  'sub/deep.md': 'glacier moraine',
} as const;

export const GOOD_FILES = Object.keys(TOPICS);

/** Broken files and the skip reason each must get (with `maxFileBytes: 64 KiB`). */
export const BROKEN_FILES: Record<string, string> = {
  'broken.pdf': 'broken-pdf',
  'scan.pdf': 'no-text',
  'scripts-only.html': 'no-text',
  'binary.txt': 'binary',
  'empty.md': 'empty',
  'latin1.txt': 'invalid-utf8',
  'huge.txt': 'too-large',
};

/** The size limit the corpus's `huge.txt` exceeds. */
export const CORPUS_MAX_FILE_BYTES = 64 * 1024;

function paragraphs(topic: string, n: number): string {
  const filler = [
    'This paragraph explains the idea step by step, with examples that a careful reader can follow.',
    'Several observations were recorded over many years, and the results agree with the early reports.',
    'Further reading lists the classic references and a few recent surveys of the field.',
  ];
  return Array.from(
    { length: n },
    (_, i) => `Section ${i + 1} about ${topic}. ${filler[i % filler.length]} The ${topic} details matter here.`,
  ).join('\n\n');
}

/** A one-page PDF with a text layer (`lines`) and an Info title. */
export async function makePdf(lines: readonly string[], title?: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  if (title) pdf.setTitle(title);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([612, 792]);
  lines.forEach((line, i) => page.drawText(line, { x: 50, y: 740 - i * 16, size: 11, font }));
  return pdf.save();
}

/** A PDF page with only a drawn rectangle: a valid PDF without any text layer, like a scan. */
async function makeScanPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.addPage([200, 200]).drawRectangle({ x: 10, y: 10, width: 100, height: 100 });
  return pdf.save();
}

export function htmlPage(topic: string): string {
  return `<!doctype html><html><head><title>All about ${topic}</title>
<style>body { color: red } .volcano-style {}</style><script>var trackingCode = "scriptword";</script></head>
<body><nav><a href="/">Home</a> <a href="/about">navigationword</a></nav>
<header><p>Site banner bannerword</p></header>
<main><article><h1>The ${topic} story</h1>
${paragraphs(topic, 4)
  .split('\n\n')
  .map((p) => `<p>${p.replace('&', '&amp;')}</p>`)
  .join('\n')}
<h2>Table &amp; facts</h2><ul><li>first fact</li><li>second fact</li></ul>
<div hidden>hiddenword</div></article></main>
<footer>Copyright footerword</footer></body></html>`;
}

/** Writes the corpus into `dir` (a new temp folder by default) and returns the folder. */
export async function makeCorpus(dir?: string): Promise<string> {
  const root = dir ?? (await tempDir('sift-corpus-'));
  const put = async (name: string, data: string | Uint8Array): Promise<void> => {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), data);
  };
  await put(
    'guide.md',
    `---\ntitle: "Plant guide"\n---\n# Photosynthesis\n\n${paragraphs(TOPICS['guide.md'], 8)}\n\n## More\n\nClosing words.\n`,
  );
  await put('notes.txt', paragraphs(TOPICS['notes.txt'], 5));
  await put('page.html', htmlPage(TOPICS['page.html']));
  const pdfLines = paragraphs(TOPICS['paper.pdf'], 3)
    .split('\n\n')
    .flatMap((p) => p.match(/.{1,80}(\s|$)/g) ?? []);
  await put(
    'paper.pdf',
    await makePdf(
      pdfLines.map((l) => l.trim()),
      'Spice routes',
    ),
  );
  await put('sub/deep.md', `# Glaciers\n\n${paragraphs(TOPICS['sub/deep.md'], 3)}\n`);
  // Broken files, one per kind of fault.
  await put('broken.pdf', '%PDF-1.7\nthis is not really a pdf at all\n%%EOF\n');
  await put('scan.pdf', await makeScanPdf());
  await put(
    'scripts-only.html',
    '<html><head><script>var a = 1;</script><style>p{}</style></head><body><nav>menu</nav></body></html>',
  );
  await put('binary.txt', new Uint8Array([0x68, 0x69, 0x00, 0x01, 0x02, 0xff, 0x00, 0x10]));
  await put('empty.md', '');
  await put('latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x61, 0x75, 0x20, 0x6c, 0x61, 0x69, 0x74]));
  await put('huge.txt', 'big '.repeat(CORPUS_MAX_FILE_BYTES / 4 + 100));
  // Ignored by folder walks: unsupported extension and a hidden folder.
  await put('image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
  await put('.hidden/secret.md', '# Secret\n\nnot to be ingested');
  return root;
}
