export { beforeAfterLines } from './before-after.js';
export {
  buildEvalReport,
  type BuildReportOptions,
  type EvalReport,
  type EvalReportJson,
  type RunJson,
  type SignificanceJson,
  type StageLatencyJson,
} from './eval-report.js';
export { escapeHtml, formatMetric, formatMs } from './format.js';
export { htmlReport, type HtmlReportOptions } from './html-report.js';
export { markdownSummary, type MarkdownSummaryOptions } from './markdown-summary.js';
export { formatRunsTable, markdownRunsTable, type RunsTableOptions } from './runs-table.js';
export { formatSweepTable, markdownSweepTable, sweepRows, type SweepOptions, type SweepRow } from './sweep-table.js';
export {
  formatGroupTables,
  formatInterval,
  formatP,
  formatSignificanceTable,
  groupHeading,
  markdownGroupTables,
  markdownSignificanceTable,
  pairedLine,
  significanceCaption,
  significanceMark,
} from './significance-table.js';
export { groupChart, qualityLatencyChart, winLossChart } from './svg-charts.js';
export { writeReportFiles, type ReportFiles } from './write-report-files.js';
