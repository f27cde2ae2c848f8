import { readFile } from 'node:fs/promises';
import { text as readStream } from 'node:stream/consumers';
import { SiftError } from '../errors.js';
import type { RerankDocument } from '../reranking/reranker.js';

/**
 * Reads documents for `sift rerank --docs`: one per line, a JSON string or an object with a string
 * `text` and any metadata. Blank lines are skipped. `-` reads standard input. A bad line is refused
 * with its line number; nothing is half-read.
 */
export async function readJsonlDocuments(path: string): Promise<RerankDocument[]> {
  let raw: string;
  try {
    raw = path === '-' ? await readStream(process.stdin) : await readFile(path, 'utf8');
  } catch (err) {
    throw new SiftError('INVALID_INPUT', `cannot read documents from ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const docs: RerankDocument[] = [];
  const lines = raw.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${path === '-' ? 'stdin' : path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new SiftError(
        'INVALID_INPUT',
        `${where} is not JSON (${(err as Error).message}); each line must be a JSON string or {"text": ...}`,
      );
    }
    if (typeof value === 'string') docs.push(value);
    else if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      typeof (value as { text?: unknown }).text === 'string'
    ) {
      docs.push(value as RerankDocument);
    } else {
      throw new SiftError(
        'INVALID_INPUT',
        `${where} has no text: each line must be a JSON string or an object with a string "text" field`,
      );
    }
  });
  return docs;
}
