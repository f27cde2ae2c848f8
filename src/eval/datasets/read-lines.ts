import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { SiftError, toSiftError } from '../../errors.js';

/** One line of a text file with its 1-based line number, for error messages that point at it. */
export interface NumberedLine {
  line: number;
  text: string;
}

/**
 * Streams the lines of a text file, gunzipping on the fly when the name ends in `.gz`, so corpora of
 * any size are read in constant memory. Blank lines are skipped; a trailing `\r` is dropped.
 *
 * @example
 * for await (const { line, text } of readLines('corpus.jsonl.gz')) console.log(line, text);
 * // 1 {"_id": "4983", ...}
 */
export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  const file = createReadStream(path);
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  // A pipe does not forward the source's errors (e.g. ENOENT); forward them so the loop below throws.
  if (input !== file) file.on('error', (err) => input.destroy(err));
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of lines) {
      line += 1;
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (text.trim() !== '') yield { line, text };
    }
  } catch (err) {
    throw toSiftError(err, 'INVALID_INPUT', `cannot read ${path}`);
  } finally {
    lines.close();
    input.destroy();
  }
}

/**
 * Parses one JSONL line into an object, or throws INVALID_INPUT naming the file and line.
 *
 * @example
 * parseJsonObject('{"_id": "1"}', 'queries.jsonl', 3); // { _id: '1' }
 */
export function parseJsonObject(text: string, path: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SiftError('INVALID_INPUT', `${path}:${line}: not valid JSON (${(err as Error).message})`, {
      cause: err,
      details: { path, line },
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SiftError('INVALID_INPUT', `${path}:${line}: expected a JSON object on each line`, {
      details: { path, line },
    });
  }
  return value as Record<string, unknown>;
}

/**
 * Reads an id field that BEIR files write as a string and some converters as a number.
 * Returns undefined when the field is missing or of another type.
 */
export function idField(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}
