import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { toSiftError } from '../../errors.js';
import type { EvalReport } from './eval-report.js';
import { htmlReport, type HtmlReportOptions } from './html-report.js';
import { markdownSummary } from './markdown-summary.js';

/** The files `writeReportFiles` writes, absolute paths. */
export interface ReportFiles {
  html: string;
  markdown: string;
  json: string;
}

/**
 * Writes `sift eval --out DIR`: `report.html`, `summary.md` and `results.json` (the `--json`
 * document), creating the folder.
 *
 * @example
 * await writeReportFiles(report, 'eval-out'); // { html: '/abs/eval-out/report.html', ... }
 */
export async function writeReportFiles(
  report: EvalReport,
  dir: string,
  options: HtmlReportOptions = {},
): Promise<ReportFiles> {
  const root = resolve(dir);
  const files: ReportFiles = {
    html: join(root, 'report.html'),
    markdown: join(root, 'summary.md'),
    json: join(root, 'results.json'),
  };
  try {
    await mkdir(root, { recursive: true });
    await writeFile(files.html, htmlReport(report, options));
    await writeFile(
      files.markdown,
      markdownSummary(report, { ...(options.headline === undefined ? {} : { headline: options.headline }) }),
    );
    await writeFile(files.json, `${JSON.stringify(report.json, null, 2)}\n`);
  } catch (err) {
    throw toSiftError(err, 'INVALID_OPTION', `cannot write the report to ${root} (\`out\`)`);
  }
  return files;
}
