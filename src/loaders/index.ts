export type { DocumentFormat, LoadedDocument, SkipReason } from './loaded-document.js';
export { DEFAULT_MAX_FILE_BYTES, formatOf, loadFile, parseDocument, readSourceFile } from './load-file.js';
export { decodeUtf8, looksBinary, skipReasonOf } from './file-checks.js';
export { loadHtml } from './html-loader.js';
export { loadMarkdown } from './markdown-loader.js';
export { loadPdf } from './pdf-loader.js';
export { loadText } from './text-loader.js';
