import type { RunResult } from '../aggregate-run.js';
import type { RunComparison } from '../compare-runs.js';
import { escapeHtml, formatMetric, formatMs } from './format.js';

/** One colour per stage-1 mode, readable on white and by most colour-blind readers (Okabe–Ito). */
const MODE_COLOURS: Record<string, string> = { bm25: '#0072B2', dense: '#E69F00', hybrid: '#009E73' };
const WIN = '#009E73';
const LOSS = '#D55E00';

/** Rounds coordinates so the SVG stays small and diff-able. */
const r1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/** About five round tick values covering lo..hi. */
function ticks(lo: number, hi: number): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => st >= step0) ?? step0;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    out.push(Math.round(t / step) * step);
  return out;
}

/**
 * Quality against latency, one numbered point per configuration with a legend: x = p50 total latency
 * per query (linear from 0, so the cost of re-ranking reads as distance), y = `metric`, zoomed to the
 * range of the runs (differences of a few points are what matter). Stage-1 runs are hollow circles,
 * re-ranked runs filled and joined to their base by a line; colour follows the stage-1 mode.
 * Numbers instead of names next to points, because two-stage runs cluster and names would overlap.
 *
 * @example
 * qualityLatencyChart(runs, 'nDCG@10'); // '<svg xmlns="http://www.w3.org/2000/svg" ...>...</svg>'
 */
export function qualityLatencyChart(runs: readonly RunResult[], metric = 'nDCG@10'): string {
  const legendW = 260;
  const H = Math.max(360, 40 + runs.length * 18);
  const m = { left: 56, right: 24 + legendW, top: 20, bottom: 48 };
  const W = 760;
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const values = runs.map((r) => r.metrics[metric] ?? 0);
  const maxX = Math.max(1, ...runs.map((r) => r.latency.total.p50).filter(Number.isFinite)) * 1.1;
  const minY = Math.max(0, Math.floor((Math.min(1, ...values) - 0.05) * 10) / 10);
  const maxY = Math.min(1, Math.ceil((Math.max(0, ...values) + 0.02) * 10) / 10);
  const x = (v: number): number => m.left + (v / maxX) * pw;
  const y = (v: number): number => m.top + ph - ((v - minY) / (maxY - minY)) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart quality-latency" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(metric)} against latency per configuration">`,
  );
  for (const t of ticks(0, maxX)) {
    parts.push(`<line x1="${r1(x(t))}" y1="${m.top}" x2="${r1(x(t))}" y2="${m.top + ph}" stroke="#eee"/>`);
    parts.push(`<text x="${r1(x(t))}" y="${H - m.bottom + 16}" text-anchor="middle" font-size="11">${t}</text>`);
  }
  for (const t of ticks(minY, maxY)) {
    parts.push(`<line x1="${m.left}" y1="${r1(y(t))}" x2="${m.left + pw}" y2="${r1(y(t))}" stroke="#eee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${r1(y(t) + 4)}" text-anchor="end" font-size="11">${t.toFixed(2)}</text>`);
  }
  parts.push(`<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="#333"/>`);
  parts.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}" stroke="#333"/>`);
  parts.push(
    `<text x="${m.left + pw / 2}" y="${H - 8}" text-anchor="middle" font-size="12">latency per query, p50 (ms)</text>`,
  );
  parts.push(
    `<text x="14" y="${m.top + ph / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${m.top + ph / 2})">${escapeHtml(metric)}</text>`,
  );
  for (const r of runs) {
    if (r.reranker === null) continue;
    const base = runs.find((b) => b.reranker === null && b.stage1 === r.stage1);
    if (base === undefined) continue;
    parts.push(
      `<line x1="${r1(x(base.latency.total.p50))}" y1="${r1(y(base.metrics[metric] ?? 0))}" x2="${r1(x(r.latency.total.p50))}" y2="${r1(y(r.metrics[metric] ?? 0))}" stroke="${MODE_COLOURS[r.stage1] ?? '#666'}" stroke-opacity="0.4"/>`,
    );
  }
  runs.forEach((r, i) => {
    const colour = MODE_COLOURS[r.stage1] ?? '#666';
    const px = x(r.latency.total.p50);
    const py = y(r.metrics[metric] ?? 0);
    const fill = r.reranker === null ? 'white' : colour;
    const label = `${r.name}: ${metric} ${formatMetric(r.metrics[metric])}, ${formatMs(r.latency.total.p50)}`;
    parts.push(
      `<g class="point"><circle cx="${r1(px)}" cy="${r1(py)}" r="5" fill="${fill}" stroke="${colour}" stroke-width="2"><title>${escapeHtml(label)}</title></circle>` +
        `<text x="${r1(px + 7)}" y="${r1(py - 5)}" font-size="10">${i + 1}</text></g>`,
    );
    const ly = m.top + 8 + i * 18;
    const lx = W - legendW;
    parts.push(
      `<g class="legend"><circle cx="${lx + 6}" cy="${ly - 4}" r="4" fill="${fill}" stroke="${colour}" stroke-width="2"/>` +
        `<text x="${lx + 16}" y="${ly}" font-size="11">${escapeHtml(`${i + 1} ${r.name}  ${formatMetric(r.metrics[metric])}  ${formatMs(r.latency.total.p50)}`)}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * Per-query wins and losses of re-ranking: one bar per compared query, sorted from the largest gain
 * to the largest loss, green above the axis (re-ranking helped), red below (it hurt); ties are
 * the gap in the middle. The caption counts them.
 *
 * @example
 * winLossChart(compareRuns(bm25, bm25Minilm)); // '<svg ...><rect class="win" .../>...</svg>'
 */
export function winLossChart(comparison: RunComparison, epsilon = 1e-9): string {
  const W = 640;
  const H = 240;
  const m = { left: 48, right: 16, top: 28, bottom: 24 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const n = comparison.perQuery.length;
  const maxAbs = Math.max(1e-9, ...comparison.perQuery.map((q) => Math.abs(q.delta)));
  const mid = m.top + ph / 2;
  const bw = n === 0 ? 0 : pw / n;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart win-loss" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(`per-query ${comparison.metric} change, ${comparison.base} -> ${comparison.reranked}`)}">`,
  );
  parts.push(
    `<text x="${m.left}" y="16" font-size="12">${escapeHtml(`${comparison.base} -> ${comparison.reranked}: ${comparison.wins} wins, ${comparison.losses} losses, ${comparison.ties} ties (${comparison.metric})`)}</text>`,
  );
  parts.push(
    `<text x="${m.left - 6}" y="${r1(m.top + 4)}" text-anchor="end" font-size="11">+${maxAbs.toFixed(2)}</text>`,
  );
  parts.push(`<text x="${m.left - 6}" y="${r1(mid + 4)}" text-anchor="end" font-size="11">0</text>`);
  parts.push(
    `<text x="${m.left - 6}" y="${r1(m.top + ph + 4)}" text-anchor="end" font-size="11">-${maxAbs.toFixed(2)}</text>`,
  );
  comparison.perQuery.forEach((q, i) => {
    if (Math.abs(q.delta) <= epsilon) return;
    const h = (Math.abs(q.delta) / maxAbs) * (ph / 2);
    const cls = q.delta > 0 ? 'win' : 'loss';
    parts.push(
      `<rect class="${cls}" x="${r1(m.left + i * bw)}" y="${r1(q.delta > 0 ? mid - h : mid)}" width="${r1(Math.max(bw, 0.5))}" height="${r1(h)}" fill="${q.delta > 0 ? WIN : LOSS}"><title>${escapeHtml(`query ${q.queryId}: ${formatMetric(q.base)} -> ${formatMetric(q.reranked)}`)}</title></rect>`,
    );
  });
  parts.push(`<line x1="${m.left}" y1="${r1(mid)}" x2="${m.left + pw}" y2="${r1(mid)}" stroke="#333"/>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * The per-tag chart of the HTML report: for each tag a cluster of bars, one per run, height =
 * `metric` over that tag's queries (0 to 1). Colour follows the stage-1 mode; stage-1 runs are pale,
 * re-ranked runs solid, so the gain of re-ranking per tag reads as the step within a colour.
 *
 * @example
 * groupChart(report.json.groups, runs, 'P@4'); // '<svg ... class="chart groups" ...>...</svg>'
 */
export function groupChart(
  groups: readonly {
    tag: string;
    queries: number;
    runs: readonly { name: string; metrics: Record<string, number> }[];
  }[],
  runs: readonly RunResult[],
  metric: string,
): string {
  const m = { left: 44, right: 16, top: 28, bottom: 40 };
  const n = Math.max(1, runs.length);
  const bar = Math.max(3, Math.min(16, Math.floor(560 / Math.max(1, groups.length * (n + 1)))));
  const cluster = bar * n + bar;
  const W = Math.max(320, m.left + m.right + groups.length * cluster);
  const H = 220;
  const ph = H - m.top - m.bottom;
  const y = (v: number): number => m.top + ph - Math.min(1, Math.max(0, v)) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart groups" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(`${metric} per tag and run`)}">`,
  ];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${m.left}" y1="${r1(y(t))}" x2="${W - m.right}" y2="${r1(y(t))}" stroke="#eee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${r1(y(t) + 4)}" text-anchor="end" font-size="11">${t.toFixed(2)}</text>`);
  }
  [...new Set(runs.map((r) => r.stage1))].forEach((mode, i) => {
    const lx = m.left + i * 90;
    parts.push(
      `<g class="legend"><rect x="${lx}" y="4" width="10" height="10" fill="${MODE_COLOURS[mode] ?? '#666'}"/><text x="${lx + 14}" y="13" font-size="11">${escapeHtml(mode)}</text></g>`,
    );
  });
  groups.forEach((g, gi) => {
    const x0 = m.left + gi * cluster + bar / 2;
    g.runs.forEach((gr, ri) => {
      const run = runs.find((r) => r.name === gr.name);
      const colour = MODE_COLOURS[run?.stage1 ?? ''] ?? '#666';
      const v = gr.metrics[metric] ?? 0;
      parts.push(
        `<rect class="group-bar" x="${r1(x0 + ri * bar)}" y="${r1(y(v))}" width="${r1(bar - 1)}" height="${r1(y(0) - y(v))}" fill="${colour}" fill-opacity="${run?.reranker === null ? 0.35 : 1}"><title>${escapeHtml(`${g.tag}: ${gr.name} ${metric} ${formatMetric(v)}`)}</title></rect>`,
      );
    });
    parts.push(
      `<text x="${r1(x0 + (n * bar) / 2)}" y="${H - m.bottom + 16}" text-anchor="middle" font-size="11">${escapeHtml(g.tag)}</text>`,
    );
    parts.push(
      `<text x="${r1(x0 + (n * bar) / 2)}" y="${H - m.bottom + 30}" text-anchor="middle" font-size="10" fill="#666">n=${g.queries}</text>`,
    );
  });
  parts.push(`<line x1="${m.left}" y1="${r1(y(0))}" x2="${W - m.right}" y2="${r1(y(0))}" stroke="#333"/>`);
  parts.push('</svg>');
  return parts.join('\n');
}
