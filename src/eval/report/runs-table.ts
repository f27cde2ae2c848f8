import type { EvalReport } from './eval-report.js';
import { formatMetric, formatMs, markdownTable, textTable } from './format.js';

export interface RunsTableOptions {
  /** Metric columns, in order (default: every metric of the first run). */
  metrics?: readonly string[];
}

function tableData(report: EvalReport, options: RunsTableOptions): { headers: string[]; rows: string[][] } {
  const keys = options.metrics ?? Object.keys(report.runs[0]?.metrics ?? {});
  const headers = ['run', ...keys, 'stage1 p50', 'stage1 p95', 'rerank p50', 'rerank p95'];
  const rows = report.runs.map((r) => [
    r.name,
    ...keys.map((k) => formatMetric(r.metrics[k])),
    formatMs(r.latency.stage1.p50),
    formatMs(r.latency.stage1.p95),
    formatMs(r.latency.rerank?.p50),
    formatMs(r.latency.rerank?.p95),
  ]);
  return { headers, rows };
}

/**
 * The terminal table of `sift eval`: one row per configuration, metric means then latency per stage.
 *
 * @example
 * console.log(formatRunsTable(report, { metrics: ['P@4', 'nDCG@10'] }));
 * // run                 P@4    nDCG@10  stage1 p50  stage1 p95  rerank p50  rerank p95
 * // bm25                0.510  0.665    8ms         12ms        -           -
 */
export function formatRunsTable(report: EvalReport, options: RunsTableOptions = {}): string {
  const { headers, rows } = tableData(report, options);
  return textTable(headers, rows);
}

/** The same table in Markdown. */
export function markdownRunsTable(report: EvalReport, options: RunsTableOptions = {}): string {
  const { headers, rows } = tableData(report, options);
  return markdownTable(headers, rows);
}
