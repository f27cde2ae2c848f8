/** Small formatting helpers shared by the text, Markdown and HTML reports. */

/** A metric value with 3 decimals (`0.665`), or `-` when missing. */
export function formatMetric(x: number | undefined): string {
  return x === undefined || Number.isNaN(x) ? '-' : x.toFixed(3);
}

/**
 * Milliseconds as people read them: whole numbers from 1 ms up (`8ms`, `95ms`), two decimals below
 * (`0.42ms`), `-` when unknown.
 */
export function formatMs(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '-';
  return x >= 1 ? `${Math.round(x)}ms` : `${x.toFixed(2)}ms`;
}

/** A signed difference (`+0.170`, `-0.020`). */
export function formatDelta(x: number, digits = 3): string {
  return `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(digits)}`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** Escapes text for a Markdown table cell: pipes and line breaks would break the row. */
export function escapeMarkdownCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * A plain-text table with columns padded to their widest cell; numeric columns align right.
 *
 * @example
 * textTable(['run', 'P@4'], [['bm25', '0.510']]);
 * // 'run   P@4\n----  -----\nbm25  0.510'
 */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^[-+]?[\d.]+(ms|%)?$|^-$/.test(r[i] ?? '')),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A Markdown table (cells escaped). */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
