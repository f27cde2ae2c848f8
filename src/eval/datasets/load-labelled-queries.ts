import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { SiftError } from '../../errors.js';
import { parseJsonObject, readLines } from './read-lines.js';

/**
 * One query of the simple labelled format for a user's own documents. At least one of `relevant`
 * and `answers` is set; with both, a chunk is relevant when it comes from a relevant document and
 * contains a phrase.
 */
export interface LabelledQuery {
  /** The line's `"id"` when given, else `q<line number>` (stable while the file is unchanged). */
  id: string;
  text: string;
  /** Source paths or document ids of the relevant documents (judged per document). */
  relevant?: string[];
  /** Phrases a relevant chunk must contain, any one of them, case-insensitively (judged per chunk). */
  answers?: string[];
  /** Groups for the per-tag breakdown: the line's `"tags"`, then its `"kind"`, without duplicates. */
  tags?: string[];
}

export interface LabelledDataset {
  /** The file's base name without extension. */
  name: string;
  /** Always `labelled`, so reports built from it read like BEIR ones. */
  split: 'labelled';
  queries: LabelledQuery[];
}

export interface LoadLabelledOptions {
  /** Keep only the first `limit` queries, in file order (default: all). */
  limit?: number;
}

/**
 * Reads the labelled JSONL format: one query per line,
 * `{"query": "...", "relevant": ["docs/guide.md", ...]}`, `{"query": "...", "answers": ["phrase", ...]}`
 * or both on one line (the chunk must be from a relevant document and contain a phrase), with an
 * optional string `"id"` and optional `"tags": ["how-to", ...]` and/or `"kind": "how-to"` for the
 * per-tag breakdown. How retrieved chunks are judged against each form is documented in
 * `createLabelledJudge`.
 *
 * Malformed lines throw INVALID_INPUT naming the file, the line and the fix.
 *
 * @example
 * // questions.jsonl: {"query": "How do I rotate keys?", "answers": ["sift keys rotate"]}
 * const ds = await loadLabelledQueries('questions.jsonl');
 * ds.queries[0]; // { id: 'q1', text: 'How do I rotate keys?', answers: ['sift keys rotate'] }
 */
export async function loadLabelledQueries(path: string, options: LoadLabelledOptions = {}): Promise<LabelledDataset> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new SiftError('INVALID_INPUT', `labelled queries file ${file} does not exist`, { details: { path: file } });
  }
  const queries: LabelledQuery[] = [];
  const ids = new Set<string>();
  for await (const { line, text } of readLines(file)) {
    const obj = parseJsonObject(text, file, line);
    const fail = (why: string): never => {
      throw new SiftError(
        'INVALID_INPUT',
        `${file}:${line}: ${why}; each line is {"query": "...", "relevant": ["path or doc id", ...]}, {"query": "...", "answers": ["phrase", ...]} or both, with optional "id", "tags": ["tag", ...] and "kind": "tag"`,
        { details: { path: file, line } },
      );
    };
    if (typeof obj.query !== 'string' || obj.query.trim() === '') fail('"query" must be a non-empty string');
    const id = obj.id === undefined ? `q${line}` : obj.id;
    if (typeof id !== 'string' || id === '') fail('"id", when given, must be a non-empty string');
    if (ids.has(id as string)) fail(`duplicate query id "${id as string}"`);
    const hasRelevant = obj.relevant !== undefined;
    const hasAnswers = obj.answers !== undefined;
    if (!hasRelevant && !hasAnswers) fail('give "relevant" (documents), "answers" (phrases) or both');
    const strings = (field: string, value: unknown): string[] => {
      if (!Array.isArray(value) || value.length === 0) fail(`"${field}" must be a non-empty array of strings`);
      const items = value as unknown[];
      if (!items.every((x) => typeof x === 'string' && x.trim() !== ''))
        fail(`"${field}" must hold non-empty strings only`);
      return [...new Set(items as string[])];
    };
    ids.add(id as string);
    const q: LabelledQuery = { id: id as string, text: obj.query as string };
    if (hasRelevant) q.relevant = strings('relevant', obj.relevant);
    if (hasAnswers) q.answers = strings('answers', obj.answers);
    const tags = obj.tags === undefined ? [] : strings('tags', obj.tags);
    if (obj.kind !== undefined && (typeof obj.kind !== 'string' || obj.kind.trim() === ''))
      fail('"kind", when given, must be a non-empty string');
    if (typeof obj.kind === 'string') tags.push(obj.kind);
    if (tags.length > 0) q.tags = [...new Set(tags.map((t) => t.trim()))];
    queries.push(q);
  }
  if (queries.length === 0) {
    throw new SiftError('INVALID_INPUT', `labelled queries file ${file} holds no queries`, { details: { path: file } });
  }
  const kept = options.limit === undefined ? queries : queries.slice(0, Math.max(0, options.limit));
  return { name: basename(file, extname(file)), split: 'labelled', queries: kept };
}
