import type { BenchFigure, SuiteResult } from './suite.js';

/** The machine and software a run measured. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGB: number;
  node: string;
  onnxruntime: string;
  commit: string;
  /** 1-minute load averages at the start and end of the run: above the core count, the figures are contended. */
  loadStart: number;
  loadEnd: number;
}

export interface SuiteReport extends SuiteResult {
  name: string;
  title: string;
  /** Wall-clock seconds of the suite, model loading included. */
  seconds: number;
  /** Peak resident set of the suite's process, MB. */
  peakRssMB?: number;
  /** Output of a suite that does not follow the contract (printed text), kept as is. */
  output?: string;
  /** A script's stdout when it is JSON (stage-1 prints its report so), for `--json` consumers. */
  data?: unknown;
  error?: string;
}

export interface BenchReport {
  date: string;
  quick: boolean;
  machine: MachineInfo;
  suites: SuiteReport[];
}

function cell(f: BenchFigure): string[] {
  const params = f.params
    ? Object.entries(f.params)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ')
    : '';
  return [
    f.metric,
    f.model ?? '',
    f.dtype ?? '',
    f.threads === undefined ? '' : String(f.threads),
    f.batchSize === undefined ? '' : String(f.batchSize),
    params,
    `**${String(f.value)}** ${f.unit}`,
    f.note ?? '',
  ];
}

/** The report as Markdown: one table per suite, then its notes. */
export function toMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `# sift benchmarks, ${report.date}${report.quick ? ' (--quick)' : ''}`,
    '',
    `${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB; Node ${m.node}, onnxruntime-node ${m.onnxruntime}; commit ${m.commit}.`,
    `Load average (1 min) ${m.loadStart} at the start, ${m.loadEnd} at the end${Math.max(m.loadStart, m.loadEnd) > m.cores ? ' — above the core count: other processes competed for the CPU, figures are pessimistic' : ''}.`,
    '',
  ];
  for (const s of report.suites) {
    lines.push(`## ${s.name}: ${s.title}`, '');
    const meta = [
      `${s.seconds.toFixed(1)} s`,
      s.peakRssMB === undefined ? '' : `peak RSS ${s.peakRssMB.toFixed(0)} MB`,
    ].filter(Boolean);
    lines.push(`_${meta.join(', ')}_`, '');
    if (s.error) lines.push(`**Failed:** ${s.error}`, '');
    if (s.skipped) lines.push(`**Skipped:** ${s.skipped}`, '');
    if (s.figures.length > 0) {
      lines.push(
        '| metric | model | dtype | threads | batch | settings | value | how |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
      );
      for (const f of s.figures)
        lines.push(
          `| ${cell(f)
            .map((c) => c.replaceAll('|', '\\|'))
            .join(' | ')} |`,
        );
      lines.push('');
    }
    for (const n of s.notes) lines.push(`- ${n}`);
    if (s.notes.length > 0) lines.push('');
    if (s.output) lines.push('```', s.output.trimEnd(), '```', '');
  }
  return lines.join('\n');
}
