import { beforeAfterLines } from './before-after.js';
import type { EvalReport } from './eval-report.js';
import { escapeMarkdownCell } from './format.js';
import { markdownRunsTable } from './runs-table.js';

export interface MarkdownSummaryOptions {
  /** The metric of the before/after lines (default `P@4`). */
  headline?: string;
}

/**
 * The Markdown summary written next to the HTML report: dataset, the before/after lines of each
 * re-ranked run, the runs table and the wins/losses counts.
 *
 * @example
 * markdownSummary(report).split('\n')[0]; // '# sift eval: scifact (test, 300 queries)'
 */
export function markdownSummary(report: EvalReport, options: MarkdownSummaryOptions = {}): string {
  const { json } = report;
  const out: string[] = [`# sift eval: ${escapeMarkdownCell(json.dataset)} (${json.split}, ${json.queries} queries)`, ''];
  const byName = new Map(report.runs.map((r) => [r.name, r]));
  for (const c of report.comparisons) {
    const base = byName.get(c.base);
    const reranked = byName.get(c.reranked);
    if (base === undefined || reranked === undefined) continue;
    out.push(`## ${escapeMarkdownCell(c.base)} -> ${escapeMarkdownCell(c.reranked)}`, '');
    for (const line of beforeAfterLines(base, reranked, options.headline)) out.push(`- ${line}`);
    out.push(`- Per query (${c.metric}): ${c.wins} wins, ${c.losses} losses, ${c.ties} ties`, '');
  }
  out.push('## Runs', '', markdownRunsTable(report), '');
  const skipped = Math.max(0, ...report.runs.map((r) => r.skipped.length));
  out.push(
    'Metrics are means over queries with at least one relevant judgement' +
      (skipped > 0 ? ` (${skipped} without were run but not scored)` : '') +
      '; latency is wall-clock per query, p50/p95 by linear interpolation.',
    '',
  );
  return out.join('\n');
}
