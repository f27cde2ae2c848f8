import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SiftError } from '../../errors.js';
import type { EvalDataset, EvalDocument, EvalQuery, Qrels } from '../types.js';
import { idField, parseJsonObject, readLines } from './read-lines.js';
import { readQrels } from './read-qrels.js';

export interface LoadBeirOptions {
  /** Which `qrels/<split>.tsv` to evaluate on (default `test`). Never tune on the test split. */
  split?: string;
  /**
   * Keep only the first `limit` judged queries, in `queries.jsonl` order, for quick runs (default: all).
   * The order is the file's, so a limited run is deterministic and a prefix of the full one.
   */
  limit?: number;
}

/**
 * Loads a dataset in the BEIR layout: `corpus.jsonl` or `corpus.jsonl.gz` (`{"_id","title","text"}`),
 * `queries.jsonl` (`{"_id","text"}`) and `qrels/<split>.tsv`.
 *
 * The queries are limited to those judged in the split (SciFact's `queries.jsonl` holds 1,109 claims,
 * its test split judges 300), as BEIR's own loader does. The corpus is streamed: each `for await`
 * reads the file again, gunzipping on the fly, so nothing but the queries and qrels stays in memory.
 * Malformed lines throw INVALID_INPUT naming the file and line (corpus lines when they are reached).
 *
 * @example
 * const ds = await loadBeirDataset('../shared/data/scifact');
 * ds.queries.length; // 300
 * ds.qrels.get('1'); // Map { '31715818' => 1 }
 */
export async function loadBeirDataset(dir: string, options: LoadBeirOptions = {}): Promise<EvalDataset> {
  const split = options.split ?? 'test';
  const root = resolve(dir);
  const corpusPath = [join(root, 'corpus.jsonl'), join(root, 'corpus.jsonl.gz')].find((p) => existsSync(p));
  if (corpusPath === undefined) {
    throw new SiftError(
      'INVALID_INPUT',
      `${root} has no corpus.jsonl or corpus.jsonl.gz; a BEIR dataset folder holds corpus.jsonl(.gz), queries.jsonl and qrels/<split>.tsv`,
      { details: { dir: root } },
    );
  }
  const qrelsPath = join(root, 'qrels', `${split}.tsv`);
  if (!existsSync(qrelsPath)) {
    const splits = existsSync(join(root, 'qrels'))
      ? readdirSync(join(root, 'qrels'))
          .filter((f) => f.endsWith('.tsv'))
          .map((f) => f.slice(0, -4))
      : [];
    throw new SiftError(
      'INVALID_INPUT',
      `${root} has no qrels/${split}.tsv; available splits: ${splits.length > 0 ? splits.join(', ') : 'none'} (choose one with \`split\`)`,
      { details: { dir: root, split, splits } },
    );
  }
  const queriesPath = join(root, 'queries.jsonl');
  if (!existsSync(queriesPath)) {
    throw new SiftError('INVALID_INPUT', `${root} has no queries.jsonl`, { details: { dir: root } });
  }

  const allQrels = await readQrels(qrelsPath);
  const queries: EvalQuery[] = [];
  const seen = new Set<string>();
  for await (const { line, text } of readLines(queriesPath)) {
    const obj = parseJsonObject(text, queriesPath, line);
    const id = idField(obj, '_id');
    if (id === undefined || typeof obj.text !== 'string') {
      throw new SiftError('INVALID_INPUT', `${queriesPath}:${line}: a query needs a string "_id" and "text"`, {
        details: { path: queriesPath, line },
      });
    }
    if (allQrels.has(id) && !seen.has(id)) {
      seen.add(id);
      queries.push({ id, text: obj.text });
    }
  }
  const missing = [...allQrels.keys()].filter((id) => !seen.has(id));
  if (missing.length > 0) {
    throw new SiftError(
      'INVALID_INPUT',
      `${qrelsPath} judges ${missing.length} quer${missing.length === 1 ? 'y' : 'ies'} that ${queriesPath} does not have (first: ${missing[0]})`,
      { details: { path: qrelsPath, missing: missing.slice(0, 10) } },
    );
  }

  const kept = options.limit === undefined ? queries : queries.slice(0, Math.max(0, options.limit));
  const qrels: Qrels = new Map(kept.map((q) => [q.id, allQrels.get(q.id) ?? new Map<string, number>()]));
  return { name: basename(root), split, corpus: streamCorpus(corpusPath), queries: kept, qrels };
}

/** A re-iterable stream of corpus documents: every iteration opens the file afresh. */
function streamCorpus(path: string): AsyncIterable<EvalDocument> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const { line, text } of readLines(path)) {
        const obj = parseJsonObject(text, path, line);
        const id = idField(obj, '_id');
        const title = obj.title ?? '';
        const body = obj.text ?? '';
        if (id === undefined || typeof title !== 'string' || typeof body !== 'string') {
          throw new SiftError(
            'INVALID_INPUT',
            `${path}:${line}: a document needs a string "_id" and string "title"/"text"`,
            { details: { path, line } },
          );
        }
        yield { id, title, text: body };
      }
    },
  };
}
