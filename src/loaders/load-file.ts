import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { loadError } from './file-checks.js';
import { loadHtml } from './html-loader.js';
import type { DocumentFormat, LoadedDocument } from './loaded-document.js';
import { loadMarkdown } from './markdown-loader.js';
import { loadPdf } from './pdf-loader.js';
import { loadText } from './text-loader.js';

/** Default largest file sift reads: 50 MiB. Bigger files are usually data dumps, not documents. */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

const FORMATS: Record<string, DocumentFormat> = {
  '.txt': 'txt',
  '.text': 'txt',
  '.md': 'md',
  '.markdown': 'md',
  '.mdx': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.pdf': 'pdf',
};

/** The format of a path by its extension (case-insensitive), or undefined when sift does not read it. */
export function formatOf(path: string): DocumentFormat | undefined {
  return FORMATS[extname(path).toLowerCase()];
}

/**
 * Reads a file's bytes, refusing missing, unreadable, non-regular and oversized files with a
 * LOAD_FAILED error whose `details.reason` names the cause.
 *
 * @example
 * await readSourceFile('notes.md', { maxBytes: 1024 }); // Uint8Array, or throws (reason 'too-large')
 */
export async function readSourceFile(path: string, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw loadError(path, 'unreadable', 'not a regular file');
    size = st.size;
  } catch (err) {
    if (err instanceof Error && err.name === 'SiftError') throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw loadError(path, 'not-found', 'no such file', err);
    throw loadError(path, 'unreadable', `cannot read (${code ?? String(err)})`, err);
  }
  if (size > maxBytes) {
    throw loadError(
      path,
      'too-large',
      `file is ${size} bytes, over the ${maxBytes}-byte limit; raise \`maxFileBytes\` to include it`,
    );
  }
  try {
    return await readFile(path);
  } catch (err) {
    throw loadError(path, 'unreadable', `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  }
}

/**
 * Turns a file's bytes into text by its format (from the extension).
 *
 * @example
 * await parseDocument(bytes, 'page.html'); // { text: 'Heading\n\nBody…', title: 'Page', format: 'html' }
 */
export async function parseDocument(bytes: Uint8Array, path: string): Promise<LoadedDocument> {
  const format = formatOf(path);
  switch (format) {
    case 'txt':
      return loadText(bytes, path);
    case 'md':
      return loadMarkdown(bytes, path);
    case 'html':
      return loadHtml(bytes, path);
    case 'pdf':
      if (bytes.length === 0) throw loadError(path, 'empty', 'file is empty');
      return loadPdf(bytes, path);
    case undefined:
      throw loadError(
        path,
        'unsupported-format',
        `unsupported file type "${extname(path)}"; sift reads ${Object.keys(FORMATS).join(' ')}`,
      );
  }
}

/** Reads and parses one file: {@link readSourceFile} then {@link parseDocument}. */
export async function loadFile(path: string, options: { maxBytes?: number } = {}): Promise<LoadedDocument> {
  return parseDocument(await readSourceFile(path, options), path);
}
