import { SiftError } from '../../errors.js';
import type { Qrels } from '../types.js';
import { readLines } from './read-lines.js';

/**
 * Reads a BEIR qrels file: a header line (`query-id<TAB>corpus-id<TAB>score`) then one judgement per
 * line. Grades are integers (graded qrels such as DBpedia-entity's 0/1/2 are kept as is); a pair
 * judged twice keeps the last grade, as trec_eval does when it reads qrels into a table.
 *
 * Also accepts the 4-column TREC layout (`qid 0 docid grade`, whitespace separated, no header), since
 * converted collections often ship it.
 *
 * @example
 * const qrels = await readQrels('scifact/qrels/test.tsv');
 * qrels.get('1'); // Map { '31715818' => 1 }
 */
export async function readQrels(path: string): Promise<Qrels> {
  const qrels: Qrels = new Map();
  let first = true;
  for await (const { line, text } of readLines(path)) {
    const cols = text.includes('\t') ? text.split('\t') : text.trim().split(/\s+/);
    if (first) {
      first = false;
      // The BEIR header; anything whose last column is not a number is treated as one.
      if (!/^-?\d+$/.test((cols[cols.length - 1] ?? '').trim())) continue;
    }
    if (cols.length !== 3 && cols.length !== 4) {
      throw new SiftError(
        'INVALID_INPUT',
        `${path}:${line}: expected "query-id<TAB>corpus-id<TAB>score", got ${cols.length} column(s)`,
        { details: { path, line } },
      );
    }
    const [qid, docId, score] = cols.length === 3 ? [cols[0], cols[1], cols[2]] : [cols[0], cols[2], cols[3]];
    const q = qid?.trim() ?? '';
    const d = docId?.trim() ?? '';
    const s = score?.trim() ?? '';
    if (q === '' || d === '' || !/^-?\d+$/.test(s)) {
      throw new SiftError(
        'INVALID_INPUT',
        `${path}:${line}: expected a query id, a document id and an integer score, got "${text}"`,
        { details: { path, line } },
      );
    }
    let judged = qrels.get(q);
    if (judged === undefined) qrels.set(q, (judged = new Map<string, number>()));
    judged.set(d, Number(s));
  }
  return qrels;
}
