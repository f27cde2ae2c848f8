/**
 * Heading paths: where a chunk sits in its document, as `title › section › subsection`. Loaders
 * report each heading with its level and character offset in the extracted text; a chunk's path is
 * the document title followed by the headings open at the chunk's first character.
 */

/** A heading as a loader found it. */
export interface Heading {
  /** 1 for `#` / `<h1>` … 6 for `######` / `<h6>`. */
  level: number;
  text: string;
  /** Character offset of the heading's first character in the document text. */
  start: number;
}

/** What joins the parts of a heading path when it is shown or stored. */
export const HEADING_SEPARATOR = ' › ';

/**
 * The heading path at `offset`: the title, then each heading still open there (a heading closes
 * when one of the same or a higher level follows). A heading equal to the previous part (a page
 * whose `<h1>` repeats its `<title>`) is not repeated.
 *
 * @example
 * headingPathAt('Guide', [{ level: 1, text: 'Install', start: 0 }, { level: 2, text: 'Linux', start: 40 }], 50);
 * // ['Guide', 'Install', 'Linux']
 */
export function headingPathAt(title: string | undefined, headings: readonly Heading[], offset: number): string[] {
  const open: Heading[] = [];
  for (const h of headings) {
    if (h.start > offset) break;
    while (open.length > 0 && open[open.length - 1]!.level >= h.level) open.pop();
    open.push(h);
  }
  const parts: string[] = [];
  for (const part of [title, ...open.map((h) => h.text)]) {
    const clean = part?.replace(/\s+/g, ' ').trim();
    if (clean && clean !== parts[parts.length - 1]) parts.push(clean);
  }
  return parts;
}

/** The stored and displayed form: parts joined by ` › `, or undefined for an empty path. */
export function joinHeadingPath(parts: readonly string[]): string | undefined {
  return parts.length > 0 ? parts.join(HEADING_SEPARATOR) : undefined;
}

/**
 * Markdown ATX headings (`#` to `######`) outside fenced code blocks, with their offsets.
 *
 * @example
 * markdownHeadings('# A\ntext\n## B\n'); // [{ level: 1, text: 'A', start: 0 }, { level: 2, text: 'B', start: 9 }]
 */
export function markdownHeadings(text: string): Heading[] {
  const headings: Heading[] = [];
  let fence: string | null = null;
  let at = 0;
  for (const line of text.split('\n')) {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === null) fence = marker[0]!.repeat(marker.length);
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    } else if (fence === null) {
      const m = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
      if (m && m[2]!.trim() !== '')
        headings.push({ level: m[1]!.length, text: m[2]!.trim(), start: at + line.indexOf('#') });
    }
    at += line.length + 1;
  }
  return headings;
}
