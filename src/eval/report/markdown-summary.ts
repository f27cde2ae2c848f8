import { beforeAfterLines } from './before-after.js';
import type { EvalReport } from './eval-report.js';
import { escapeMarkdownCell } from './format.js';
import { markdownRunsTable } from './runs-table.js';
import {
  markdownGroupTables,
  markdownSignificanceTable,
  pairedLine,
  significanceCaption,
} from './significance-table.js';

export interface MarkdownSummaryOptions {
  /** The metric of the before/after lines (default `P@4`). */
  headline?: string;
}

/**
 * The Markdown summary written next to the HTML report: dataset, the "should I re-rank?" verdicts,
 * the before/after lines and paired difference of each re-ranked run, the runs table, the wins/losses
 * counts, the paired significance table (`n.s.` marks) and the per-tag tables.
 *
 * @example
 * markdownSummary(report).split('\n')[0]; // '# sift eval: scifact (test, 300 queries)'
 */
export function markdownSummary(report: EvalReport, options: MarkdownSummaryOptions = {}): string {
  const { json } = report;
  const out: string[] = [
    `# sift eval: ${escapeMarkdownCell(json.dataset)} (${json.split}, ${json.queries} queries)`,
    '',
  ];
  if (json.recommendations.length > 0) {
    out.push('## Should I re-rank?', '');
    for (const r of json.recommendations) out.push(`- ${r.line}`);
    out.push('');
  }
  const byName = new Map(report.runs.map((r) => [r.name, r]));
  for (const c of report.comparisons) {
    const base = byName.get(c.base);
    const reranked = byName.get(c.reranked);
    if (base === undefined || reranked === undefined) continue;
    out.push(`## ${escapeMarkdownCell(c.base)} -> ${escapeMarkdownCell(c.reranked)}`, '');
    for (const line of beforeAfterLines(base, reranked, options.headline ?? report.headline)) out.push(`- ${line}`);
    const paired = json.significance.comparisons.find((s) => s.base === c.base && s.other === c.reranked);
    if (paired !== undefined) out.push(`- ${pairedLine(paired.metrics)}`);
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
  if (json.significance.comparisons.length > 0) {
    out.push('## Is the gain real?', '', markdownSignificanceTable(report), '', significanceCaption(report), '');
  }
  if (json.groups.length > 0) out.push('## By tag', '', markdownGroupTables(report), '');
  return out.join('\n');
}
