import type { GroupResult } from '../groups.js';
import type { PairedDifference } from '../stats/paired-difference.js';
import type { EvalReport } from './eval-report.js';
import { escapeMarkdownCell, formatDelta, formatMetric, markdownTable, textTable } from './format.js';

/** A p-value for tables: 3 decimals, `<0.001` below. */
export function formatP(p: number): string {
  return Number.isNaN(p) ? '-' : p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** `[+0.120, +0.260]`. */
export function formatInterval(d: PairedDifference): string {
  return Number.isNaN(d.low) ? '-' : `[${formatDelta(d.low)}, ${formatDelta(d.high)}]`;
}

/** What a row says about significance: `yes`, or `n.s.` (not significant). */
export function significanceMark(d: PairedDifference): string {
  return d.significant ? 'yes' : 'n.s.';
}

function significanceData(report: EvalReport): { headers: string[]; rows: string[][] } {
  const headers = ['comparison', 'metric', 'base', 'other', 'diff', '95% CI', 'p', 'significant'];
  const rows: string[][] = [];
  for (const c of report.json.significance.comparisons) {
    for (const [key, d] of Object.entries(c.metrics)) {
      rows.push([
        `${c.base} -> ${c.other}`,
        key,
        formatMetric(d.base),
        formatMetric(d.other),
        formatDelta(d.delta),
        formatInterval(d),
        formatP(d.p),
        significanceMark(d),
      ]);
    }
  }
  return { headers, rows };
}

/** The caption under the significance table: method, seed, resamples. */
export function significanceCaption(report: EvalReport): string {
  const s = report.json.significance;
  return (
    `Paired over queries: p from a two-sided randomization test (sign flips; ${s.resamples} resamples, exact for small sets), ` +
    `${Math.round((1 - s.alpha) * 100)}% CI by percentile bootstrap, seed ${s.seed}; n.s. = not significant at p < ${s.alpha} (no correction for multiple comparisons).`
  );
}

/**
 * The paired-significance table of `sift eval`: one row per compared pair and main metric, with the
 * difference, its interval, the p-value and `n.s.` for differences that are not significant.
 *
 * @example
 * formatSignificanceTable(report).split('\n')[2];
 * // 'bm25 -> bm25+mini@20  P@4  0.510  0.680  +0.170  [+0.120, +0.220]  <0.001  yes'
 */
export function formatSignificanceTable(report: EvalReport): string {
  const { headers, rows } = significanceData(report);
  return textTable(headers, rows);
}

/** The same table in Markdown. */
export function markdownSignificanceTable(report: EvalReport): string {
  const { headers, rows } = significanceData(report);
  return markdownTable(headers, rows);
}

function groupData(group: GroupResult, keys: readonly string[]): { headers: string[]; rows: string[][] } {
  return {
    headers: ['run', ...keys],
    rows: group.runs.map((r) => [r.name, ...keys.map((k) => formatMetric(r.metrics[k]))]),
  };
}

/** The heading of one tag's table: `how-to (12 queries)`. */
export function groupHeading(group: GroupResult): string {
  return `${group.tag} (${group.queries} quer${group.queries === 1 ? 'y' : 'ies'})`;
}

/**
 * The per-tag section of `sift eval`: for each tag a heading and a table of every run and metric over
 * that tag's queries. Empty when no query has tags.
 */
export function formatGroupTables(report: EvalReport): string {
  const keys = Object.keys(report.runs[0]?.metrics ?? {});
  return report.json.groups
    .map((g) => {
      const { headers, rows } = groupData(g, keys);
      return `${groupHeading(g)}:\n${textTable(headers, rows)}`;
    })
    .join('\n\n');
}

/** The per-tag section in Markdown (`### tag (n queries)` and a table per tag). */
export function markdownGroupTables(report: EvalReport): string {
  const keys = Object.keys(report.runs[0]?.metrics ?? {});
  return report.json.groups
    .map((g) => {
      const { headers, rows } = groupData(g, keys);
      return `### ${escapeMarkdownCell(groupHeading(g))}\n\n${markdownTable(headers, rows)}`;
    })
    .join('\n\n');
}

/**
 * One pair's tested metrics on one line, non-significant ones marked `n.s.`.
 *
 * @example
 * pairedLine(s.metrics); // 'Paired: P@4 +0.060 [+0.000, +0.130] p 0.250 n.s.; nDCG@10 +0.210 [...] p 0.031'
 */
export function pairedLine(metrics: Record<string, PairedDifference>): string {
  return `Paired: ${Object.entries(metrics)
    .map(
      ([k, d]) => `${k} ${formatDelta(d.delta)} ${formatInterval(d)} p ${formatP(d.p)}${d.significant ? '' : ' n.s.'}`,
    )
    .join('; ')}`;
}
