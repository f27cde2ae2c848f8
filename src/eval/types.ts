import type { Stage1Mode } from '../retrieval/stage1-mode.js';
/**
 * Shared shapes of the evaluation layer: datasets, relevance judgements and run configurations.
 * Everything here is plain data so a run can be printed as JSON and compared across machines.
 */

/** A document of a dataset's corpus (BEIR `{"_id","title","text"}`). */
export interface EvalDocument {
  id: string;
  /** May be empty: many BEIR corpora (and all of `classic/cacm`) carry the text in one field only. */
  title: string;
  text: string;
}

/** A query to run. */
export interface EvalQuery {
  id: string;
  text: string;
}

/**
 * Graded relevance judgements (TREC "qrels"): query id -> document id -> grade.
 * Grades > 0 are relevant; 0 and negative grades are judged non-relevant (trec_eval convention);
 * a document missing from the map is unjudged and counts as non-relevant.
 */
export type Qrels = Map<string, Map<string, number>>;

/** The judgements of one query, read-only. */
export type QueryJudgements = ReadonlyMap<string, number>;

/** A dataset ready to evaluate: a corpus to index, queries to run and their judgements. */
export interface EvalDataset {
  /** Folder or file base name, e.g. `scifact`. */
  name: string;
  /** The qrels split the queries come from (`test` by default); `labelled` for the JSONL format. */
  split: string;
  /**
   * The documents to index. BEIR corpora are streamed (a fresh pass per iteration), so a 5 GB corpus
   * never sits in memory; small corpora may be arrays.
   */
  corpus: AsyncIterable<EvalDocument> | readonly EvalDocument[];
  /** Only queries with at least one judgement in the split, in file order. */
  queries: EvalQuery[];
  qrels: Qrels;
}

/** Stage-1 retrieval modes (see `src/retrieval`). */
export type { Stage1Mode } from '../retrieval/stage1-mode.js';

/** The stage-1 modes, in the order reports list them. */
export { STAGE1_MODES } from '../retrieval/stage1-mode.js';

/** One configuration to evaluate: stage 1 alone, or stage 1 then a re-ranker. */
export interface RunConfig {
  /** Unique within an evaluation, e.g. `bm25` or `bm25+ms-marco-MiniLM-L-6-v2@20` (see `runName`). */
  name: string;
  stage1: Stage1Mode;
  /** Hybrid only: how the two lists are fused (a `sift eval --fusion` spec such as `rrf:60` or `minmax:0.5`); absent: the default. */
  fusion?: string;
  /** Re-ranker model name; absent for a stage-1-only run. */
  reranker?: string;
  /**
   * How many stage-1 candidates the run retrieves (and, with a re-ranker, re-scores). Sensible range
   * 10–100: more candidates raise the recall ceiling of re-ranking and its latency linearly.
   */
  candidates: number;
}

/**
 * One chunk as a retriever returns it, reduced to what judging needs. The retrieval stack maps its
 * own result type onto this.
 */
export interface EvalChunk {
  /** The chunk's own id (unique in the store). */
  id: string;
  /** The id of the document the chunk was cut from (a BEIR `_id`, or a loaded file's id). */
  docId: string;
  /** The chunk text; needed to judge answer-phrase queries. */
  text?: string;
  /** The source path of the document, when it came from a file; needed to judge source queries. */
  source?: string;
}

/** Wall-clock milliseconds one query spent in each stage. */
export interface StageLatency {
  stage1Ms: number;
  /** Absent for stage-1-only runs. */
  rerankMs?: number;
}
