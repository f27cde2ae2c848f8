import type { RunResult } from '../aggregate-run.js';
import { formatMetric, formatMs, markdownTable, textTable } from './format.js';

/** One row of the model-selection table. */
export interface SweepRow {
  /** The re-ranker, or `none (<mode>)` for stage 1 alone. */
  model: string;
  candidates: number;
  /** On-disk size of the model's ONNX file, when known. */
  sizeMB: number | undefined;
  /** p50 re-ranking time per query; undefined for stage 1 alone. */
  rerankMs: number | undefined;
  /** p50 total time per query: what a user waits. */
  totalMs: number;
  ndcg10: number | undefined;
  precision: number | undefined;
}

export interface SweepOptions {
  /** Model size in MB by name (from the model registry); unknown sizes print `-`. */
  sizeMB?: (model: string) => number | undefined;
  /** The P@k column (default `P@4`). */
  precisionKey?: string;
}

/**
 * The model-selection rows of `sift eval --sweep`: one per configuration, ordered by total latency so
 * the table reads as a cost ladder.
 *
 * @example
 * sweepRows(runs, { sizeMB: (m) => registry.get(m)?.sizeMB })[1];
 * // { model: 'ms-marco-MiniLM-L-6-v2', candidates: 20, sizeMB: 91, rerankMs: 87, totalMs: 95, ndcg10: 0.688, precision: 0.68 }
 */
export function sweepRows(runs: readonly RunResult[], options: SweepOptions = {}): SweepRow[] {
  const pk = options.precisionKey ?? 'P@4';
  return runs
    .map((r) => ({
      model: r.reranker ?? `none (${r.stage1})`,
      candidates: r.candidates,
      sizeMB: r.reranker === null ? undefined : options.sizeMB?.(r.reranker),
      rerankMs: r.latency.rerank?.p50,
      totalMs: r.latency.total.p50,
      ndcg10: r.metrics['nDCG@10'],
      precision: r.metrics[pk],
    }))
    .sort((a, b) => a.totalMs - b.totalMs || a.model.localeCompare(b.model) || a.candidates - b.candidates);
}

function sweepData(runs: readonly RunResult[], options: SweepOptions): { headers: string[]; rows: string[][] } {
  const pk = options.precisionKey ?? 'P@4';
  const headers = ['model', 'candidates', 'size MB', 'ms/query (rerank)', 'ms/query (total)', 'nDCG@10', pk];
  const rows = sweepRows(runs, options).map((r) => [
    r.model,
    String(r.candidates),
    r.sizeMB === undefined ? '-' : String(Math.round(r.sizeMB)),
    formatMs(r.rerankMs),
    formatMs(r.totalMs),
    formatMetric(r.ndcg10),
    formatMetric(r.precision),
  ]);
  return { headers, rows };
}

/** The model-selection table for the terminal. */
export function formatSweepTable(runs: readonly RunResult[], options: SweepOptions = {}): string {
  const { headers, rows } = sweepData(runs, options);
  return textTable(headers, rows);
}

/** The model-selection table in Markdown. */
export function markdownSweepTable(runs: readonly RunResult[], options: SweepOptions = {}): string {
  const { headers, rows } = sweepData(runs, options);
  return markdownTable(headers, rows);
}
