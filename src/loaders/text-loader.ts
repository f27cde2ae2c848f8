import { decodeUtf8, requireText } from './file-checks.js';
import type { LoadedDocument } from './loaded-document.js';

/**
 * Loads a plain-text file: strict UTF-8, line endings normalised to `\n`.
 *
 * @example
 * loadText(new TextEncoder().encode('hello\r\nworld'), 'a.txt'); // { text: 'hello\nworld', title: undefined, format: 'txt' }
 */
export function loadText(bytes: Uint8Array, path: string): LoadedDocument {
  const text = requireText(decodeUtf8(bytes, path).replace(/\r\n?/g, '\n'), path, 'file has only whitespace');
  return { text, title: undefined, format: 'txt' };
}
