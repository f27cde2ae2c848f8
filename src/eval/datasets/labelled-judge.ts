import { SiftError } from '../../errors.js';
import { chunksToDocuments } from '../chunks-to-documents.js';
import type { RelevanceJudge } from '../relevance-judge.js';
import type { EvalChunk, Qrels } from '../types.js';
import type { LabelledDataset, LabelledQuery } from './load-labelled-queries.js';

/**
 * Normalises a path for comparison: forward slashes, no leading `./`.
 * Windows and POSIX spellings of one file then compare equal.
 */
function normalisePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/**
 * True when a `relevant` entry names the chunk's document: it equals the chunk's `docId`, equals its
 * `source` path, or is a suffix of that path at a `/` boundary. The suffix rule lets a labelled file
 * say `docs/guide.md` while the store recorded `/home/ana/project/docs/guide.md`; the boundary keeps
 * `guide.md` from matching `old-guide.md`.
 *
 * @example
 * sourceMatches('docs/guide.md', { id: 'c1', docId: 'x', source: '/p/docs/guide.md' }); // true
 * sourceMatches('guide.md', { id: 'c1', docId: 'x', source: '/p/old-guide.md' }); // false
 */
export function sourceMatches(entry: string, chunk: EvalChunk): boolean {
  if (chunk.docId === entry) return true;
  if (chunk.source === undefined) return false;
  const source = normalisePath(chunk.source);
  const wanted = normalisePath(entry);
  return source === wanted || source.endsWith(`/${wanted}`);
}

/** Lower case with whitespace runs collapsed: chunking and loaders reflow whitespace, not words. */
/** An answer-phrase chunk's relevance: contains a phrase, and with `relevant` also from a named document. */
function chunkRelevant(q: LabelledQuery, chunk: EvalChunk): boolean {
  if (chunk.text === undefined || !containsAnswer(chunk.text, q.answers ?? [])) return false;
  return q.relevant === undefined || q.relevant.some((entry) => sourceMatches(entry, chunk));
}

function normaliseText(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * True when `text` contains any of the phrases, case-insensitively and ignoring differences in
 * whitespace (a phrase broken across a line in the source still matches).
 *
 * @example
 * containsAnswer('Run  `sift keys\nrotate` monthly.', ['SIFT KEYS ROTATE']); // true
 */
export function containsAnswer(text: string, answers: readonly string[]): boolean {
  const haystack = normaliseText(text);
  return answers.some((a) => haystack.includes(normaliseText(a)));
}

/**
 * Builds the judge of a labelled file. How a retrieved chunk is judged relevant:
 *
 * - `relevant` queries are judged per **document**: retrieved chunks map to documents by first
 *   occurrence (`chunksToDocuments`), and a document is relevant (grade 1) when an entry names it
 *   (`sourceMatches`). The ideal set is the entries themselves, so Recall@k = entries found / entries.
 *   Ranked ids are the matching entry (relevant) or `doc:<docId>` (not).
 * - `answers` queries are judged per **chunk**: a chunk is relevant (grade 1) when its text contains
 *   any answer phrase (`containsAnswer`). The ideal set is every chunk of the corpus that contains a
 *   phrase, found by one pass over `corpusChunks`; a phrase that appears in no chunk makes the query
 *   one with no relevant documents, which the metrics skip (see `evaluateQuery`), so check
 *   `qrels` for empty queries and report them as labelling errors.
 * - queries with **both** are judged per chunk, and a chunk is relevant when it comes from a relevant
 *   document (`sourceMatches` an entry) **and** contains a phrase: "the answer, in the right file".
 *   The ideal set is every corpus chunk that passes both tests.
 *
 * @param corpusChunks every chunk of the store; required when any query uses `answers`
 * @example
 * const judge = await createLabelledJudge(ds, store.chunks());
 * judge.rank('q1', retrieved); // ['docs/guide.md', 'doc:7f3a', ...]
 */
export async function createLabelledJudge(
  dataset: LabelledDataset,
  corpusChunks?: Iterable<EvalChunk> | AsyncIterable<EvalChunk>,
): Promise<RelevanceJudge> {
  const qrels: Qrels = new Map();
  const byId = new Map<string, LabelledQuery>();
  const answerQueries: LabelledQuery[] = [];
  for (const q of dataset.queries) {
    byId.set(q.id, q);
    // Answer-phrase queries (with or without `relevant`) are judged per chunk: their qrels are filled below.
    qrels.set(q.id, new Map(q.answers === undefined ? (q.relevant ?? []).map((entry) => [entry, 1]) : []));
    if (q.answers !== undefined) answerQueries.push(q);
  }
  if (answerQueries.length > 0) {
    if (corpusChunks === undefined) {
      throw new SiftError(
        'INTERNAL',
        'createLabelledJudge: answer-phrase queries need the corpus chunks to find every relevant chunk',
      );
    }
    for await (const chunk of corpusChunks) {
      if (chunk.text === undefined) continue;
      for (const q of answerQueries) {
        if (chunkRelevant(q, chunk)) qrels.get(q.id)?.set(chunk.id, 1);
      }
    }
  }
  return {
    qrels,
    rank(queryId, retrieved) {
      const q = byId.get(queryId);
      if (q === undefined) return [];
      if (q.answers !== undefined) return chunksToDocuments(retrieved, (c) => c.id);
      const entries = q.relevant ?? [];
      return chunksToDocuments(retrieved, (c) => entries.find((e) => sourceMatches(e, c)) ?? `doc:${c.docId}`);
    },
  };
}
