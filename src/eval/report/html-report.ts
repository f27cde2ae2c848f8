import { beforeAfterLines } from './before-after.js';
import type { EvalReport } from './eval-report.js';
import { escapeHtml, formatDelta, formatMetric, formatMs } from './format.js';
import {
  formatInterval,
  formatP,
  groupHeading,
  pairedLine,
  significanceCaption,
  significanceMark,
} from './significance-table.js';
import { groupChart, qualityLatencyChart, winLossChart } from './svg-charts.js';

export interface HtmlReportOptions {
  /** The metric of the quality axis and the wins/losses (default `nDCG@10`). */
  chartMetric?: string;
  /** The metric of the before/after lines (default `P@4`). */
  headline?: string;
  /** How many biggest wins and losses to list per comparison (default 10). */
  examples?: number;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}td.q{text-align:left;max-width:32rem}
.chart{width:100%;max-width:640px;height:auto;display:block;margin:1rem 0}.headline{font-family:ui-monospace,monospace}
.wide{overflow-x:auto}td:first-child{white-space:nowrap}.win{color:#00795a}.loss{color:#b34700}
.ns{color:#777}.verdict{font-family:ui-monospace,monospace}.verdict .rerank{color:#00795a}.verdict .skip{color:#b34700}`;

/**
 * The HTML report of `sift eval --out DIR`: one self-contained file (inline CSS and SVG, no script,
 * no network) with the "should I re-rank?" verdicts, the runs table, a quality-against-latency chart,
 * the paired significance table (non-significant rows marked `n.s.`), the per-tag breakdown with a
 * chart when queries have tags, and for each re-ranked run its before/after lines and paired
 * difference, a per-query wins/losses chart and its biggest wins and losses with query text.
 * Every dataset-supplied string is HTML-escaped.
 *
 * @example
 * await writeFile('report/index.html', htmlReport(report));
 */
export function htmlReport(report: EvalReport, options: HtmlReportOptions = {}): string {
  const metric = options.chartMetric ?? 'nDCG@10';
  const examples = options.examples ?? 10;
  const { json } = report;
  const keys = Object.keys(report.runs[0]?.metrics ?? {});
  const title = `sift eval: ${json.dataset} (${json.split}, ${json.queries} queries)`;
  const h: string[] = [];
  h.push('<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  h.push(`<title>${escapeHtml(title)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>');
  h.push(`<h1>${escapeHtml(title)}</h1>`);
  if (json.recommendations.length > 0) {
    h.push('<h2>Should I re-rank?</h2>', '<ul class="verdict">');
    for (const r of json.recommendations) h.push(`<li class="${r.verdict}">${escapeHtml(r.line)}</li>`);
    h.push('</ul>');
  }
  h.push('<h2>Runs</h2>', '<div class="wide"><table class="runs">');
  h.push(
    `<tr><th>run</th>${keys.map((k) => `<th>${escapeHtml(k)}</th>`).join('')}<th>stage1 p50</th><th>stage1 p95</th><th>rerank p50</th><th>rerank p95</th></tr>`,
  );
  for (const r of report.runs) {
    h.push(
      `<tr><td>${escapeHtml(r.name)}</td>${keys.map((k) => `<td>${formatMetric(r.metrics[k])}</td>`).join('')}` +
        `<td>${formatMs(r.latency.stage1.p50)}</td><td>${formatMs(r.latency.stage1.p95)}</td>` +
        `<td>${formatMs(r.latency.rerank?.p50)}</td><td>${formatMs(r.latency.rerank?.p95)}</td></tr>`,
    );
  }
  h.push('</table></div>');
  h.push(`<h2>Quality against latency</h2>`, qualityLatencyChart(report.runs, metric));
  const sig = json.significance;
  if (sig.comparisons.length > 0) {
    h.push('<h2>Is the gain real?</h2>', '<div class="wide"><table class="significance">');
    h.push(
      '<tr><th>comparison</th><th>metric</th><th>base</th><th>other</th><th>diff</th><th>95% CI</th><th>p</th><th>significant</th></tr>',
    );
    for (const c of sig.comparisons) {
      for (const [key, d] of Object.entries(c.metrics)) {
        h.push(
          `<tr class="${d.significant ? 'sig' : 'ns'}"><td>${escapeHtml(`${c.base} -> ${c.other}`)}</td><td>${escapeHtml(key)}</td>` +
            `<td>${formatMetric(d.base)}</td><td>${formatMetric(d.other)}</td><td>${formatDelta(d.delta)}</td><td>${formatInterval(d)}</td>` +
            `<td>${formatP(d.p)}</td><td>${significanceMark(d)}</td></tr>`,
        );
      }
    }
    h.push('</table></div>', `<p>${escapeHtml(significanceCaption(report))}</p>`);
  }
  if (json.groups.length > 0) {
    const groupMetric = report.headline;
    h.push(
      '<h2>By tag</h2>',
      `<p>${escapeHtml(groupMetric)} per tag; pale bars are stage 1 alone, solid bars re-ranked.</p>`,
    );
    h.push(groupChart(json.groups, report.runs, groupMetric));
    for (const g of json.groups) {
      h.push(`<h3>${escapeHtml(groupHeading(g))}</h3>`, '<div class="wide"><table class="group">');
      h.push(`<tr><th>run</th>${keys.map((k) => `<th>${escapeHtml(k)}</th>`).join('')}</tr>`);
      for (const r of g.runs)
        h.push(
          `<tr><td>${escapeHtml(r.name)}</td>${keys.map((k) => `<td>${formatMetric(r.metrics[k])}</td>`).join('')}</tr>`,
        );
      h.push('</table></div>');
    }
  }
  const byName = new Map(report.runs.map((r) => [r.name, r]));
  for (const c of report.comparisons) {
    const base = byName.get(c.base);
    const reranked = byName.get(c.reranked);
    if (base === undefined || reranked === undefined) continue;
    h.push(`<section class="comparison"><h2>${escapeHtml(`${c.base} -> ${c.reranked}`)}</h2>`);
    h.push(
      `<p class="headline">${beforeAfterLines(base, reranked, options.headline ?? report.headline)
        .map(escapeHtml)
        .join('<br>')}</p>`,
    );
    const paired = sig.comparisons.find((s) => s.base === c.base && s.other === c.reranked);
    if (paired !== undefined) h.push(`<p class="paired">${escapeHtml(pairedLine(paired.metrics))}</p>`);
    h.push(winLossChart(c));
    const wins = c.perQuery.filter((q) => q.delta > 1e-9).slice(0, examples);
    const losses = c.perQuery
      .filter((q) => q.delta < -1e-9)
      .reverse()
      .slice(0, examples);
    for (const [label, list, cls] of [
      ['Biggest wins', wins, 'win'],
      ['Biggest losses', losses, 'loss'],
    ] as const) {
      if (list.length === 0) continue;
      h.push(
        `<h3>${label}</h3>`,
        `<table class="${cls}s">`,
        `<tr><th>query</th><th>${escapeHtml(c.metric)}</th><th>change</th></tr>`,
      );
      for (const q of list) {
        const text = report.queryText.get(q.queryId);
        h.push(
          `<tr><td class="q">${escapeHtml(text === undefined ? q.queryId : `${q.queryId}: ${text}`)}</td>` +
            `<td>${formatMetric(q.base)} -&gt; ${formatMetric(q.reranked)}</td><td class="${cls}">${q.delta >= 0 ? '+' : ''}${q.delta.toFixed(3)}</td></tr>`,
        );
      }
      h.push('</table>');
    }
    h.push('</section>');
  }
  h.push('</body>', '</html>', '');
  return h.join('\n');
}
