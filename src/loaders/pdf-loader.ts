import { loadError, requireText } from './file-checks.js';
import type { LoadedDocument } from './loaded-document.js';

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

/**
 * Loads a PDF's text layer with pdf.js (the legacy build, which runs on Node 20 without DOM APIs),
 * page by page, pages separated by blank lines. The title is the document's Info `Title`. A file
 * pdf.js cannot parse is `broken-pdf`; a PDF without a text layer (a scan) is `no-text`, since sift
 * does no OCR.
 *
 * @example
 * await loadPdf(bytes, 'paper.pdf'); // { text: 'Attention Is All You Need\n...', title: 'Attention…', format: 'pdf' }
 */
export async function loadPdf(bytes: Uint8Array, path: string): Promise<LoadedDocument> {
  // Imported lazily: pdf.js is large and only PDF ingests need it.
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js takes ownership of (detaches) the buffer it is given, so it gets a copy.
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    throw loadError(
      path,
      'broken-pdf',
      `not a readable PDF (${err instanceof Error ? err.message : String(err)})`,
      err,
    );
  }
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items as TextItemLike[]) {
        if (typeof item.str !== 'string') continue;
        text += item.str;
        if (item.hasEOL) text += '\n';
        else if (item.str.length > 0 && !text.endsWith(' ')) text += ' ';
      }
      pages.push(
        text
          .replace(/[ \t]+\n/g, '\n')
          .replace(/[ \t]{2,}/g, ' ')
          .trim(),
      );
      page.cleanup();
    }
    const meta = await doc.getMetadata().catch(() => undefined);
    // tsc reads pdfjs-dist's `info` as `Object`, which has no `Title`; typescript-eslint's project service
    // resolves the package's types differently and calls the assertion unnecessary, so it keeps its own view here.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    const info = meta?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim() ? info.Title.trim() : undefined;
    const text = requireText(
      pages.filter((p) => p.length > 0).join('\n\n'),
      path,
      'PDF has no text layer (scanned? sift does no OCR)',
    );
    return { text, title, format: 'pdf' };
  } catch (err) {
    if (err instanceof Error && err.name === 'SiftError') throw err;
    throw loadError(
      path,
      'broken-pdf',
      `PDF could not be read (${err instanceof Error ? err.message : String(err)})`,
      err,
    );
  } finally {
    await doc.destroy();
  }
}
