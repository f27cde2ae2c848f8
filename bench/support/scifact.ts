import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadBeirDataset } from '../../src/eval/datasets/load-beir-dataset.js';
import type { Qrels } from '../../src/eval/types.js';
import { repoRoot } from './models.js';

/** A query with candidate passages, as stage 1 would hand them to the judge. */
export interface CandidateSet {
  queryId: string;
  query: string;
  /** Corpus ids of the candidates, best term overlap first. */
  ids: string[];
  /** Passages: title and abstract, cut to about {@link PASSAGE_CHARS} characters at a word boundary. */
  texts: string[];
}

/** Characters per candidate passage: sift's default chunk size. */
export const PASSAGE_CHARS = 500;

/** SciFact (BEIR layout): `SIFT_BENCH_SCIFACT`, else `../shared/data/scifact` beside the checkout. */
export function scifactDir(): string | undefined {
  const dir = resolve(process.env.SIFT_BENCH_SCIFACT ?? join(repoRoot(), '..', 'shared', 'data', 'scifact'));
  return existsSync(join(dir, 'queries.jsonl')) ? dir : undefined;
}

const STOP = new Set(
  'the of and in to a is for with that by on are as from at be an or was were this which has have not its it than we our their these between into'.split(
    ' ',
  ),
);

function terms(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => t.length > 2 && !STOP.has(t));
}

/** Cuts at the last space before `chars`, so passages end on a whole word like the chunker's. */
export function passage(title: string, text: string, chars = PASSAGE_CHARS): string {
  const full = title ? `${title}. ${text}` : text;
  if (full.length <= chars) return full;
  const cut = full.lastIndexOf(' ', chars);
  return full.slice(0, cut > chars / 2 ? cut : chars);
}

/**
 * Candidate sets for the first `queries` judged test queries: the `perQuery` corpus documents with the
 * highest idf-weighted term overlap with the claim (a crude stage 1; it only has to hand the judge
 * realistic, topical ~500-character passages, judged ones among them). Deterministic.
 *
 * @example
 * const sets = await scifactCandidates({ queries: 10, perQuery: 20 });
 * sets[0].texts.length // 20
 */
export async function scifactCandidates(options: {
  queries: number;
  perQuery: number;
  /** Another BEIR folder to draw from the same way (e.g. the DBpedia-entity subset); default SciFact. */
  dir?: string;
}): Promise<{ sets: CandidateSet[]; qrels: Qrels }> {
  const dir = options.dir ?? scifactDir();
  if (!dir) throw new Error('bench: SciFact not found; set SIFT_BENCH_SCIFACT to a BEIR scifact folder');
  const ds = await loadBeirDataset(dir, { limit: options.queries });
  const docs: { id: string; text: string; terms: Set<string> }[] = [];
  const df = new Map<string, number>();
  for await (const d of ds.corpus) {
    const t = new Set(terms(`${d.title} ${d.text}`));
    for (const term of t) df.set(term, (df.get(term) ?? 0) + 1);
    docs.push({ id: d.id, text: passage(d.title, d.text), terms: t });
  }
  const idf = (term: string): number => Math.log((docs.length + 1) / ((df.get(term) ?? 0) + 1));
  const sets = ds.queries.map((q) => {
    const qTerms = [...new Set(terms(q.text))];
    const scored = docs.map((d, i) => ({ i, s: qTerms.reduce((sum, t) => sum + (d.terms.has(t) ? idf(t) : 0), 0) }));
    scored.sort((a, b) => b.s - a.s || a.i - b.i);
    const top = scored.slice(0, options.perQuery).map((x) => docs[x.i]!);
    return { queryId: q.id, query: q.text, ids: top.map((d) => d.id), texts: top.map((d) => d.text) };
  });
  return { sets, qrels: ds.qrels };
}
