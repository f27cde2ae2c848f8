import { SiftError } from '../errors.js';

/**
 * Which stages read a chunk with its heading path in front (`title › section` + blank line + chunk)
 * rather than the chunk alone: the scout (what is embedded, fixed at ingest), BM25 (what is
 * indexed, fixed at ingest) and the judge (the passage of each (query, passage) pair, at query
 * time). The stored and displayed text is always the chunk itself.
 */
export const HEADING_CONTEXT_TARGETS = ['scout', 'bm25', 'judge'] as const;
export type HeadingContextTarget = (typeof HEADING_CONTEXT_TARGETS)[number];
export type HeadingContext = ReadonlySet<HeadingContextTarget>;

/**
 * The default: BM25 reads heading path + chunk; the scout and the judge read the chunk alone.
 * Measured on SciFact test, the DBpedia subset, CACM, CISI and Cranfield (README, retrieval quality):
 * BM25 with the path gained on average (+0.0007 alone, +0.0008 inside the default hybrid) and lost
 * beyond its noise on no set; the scout with the path lost on average (dense −0.0017, SciFact −0.019);
 * the judge's passage cannot be decided without a published judge, so it stays the chunk.
 */
export const DEFAULT_HEADING_CONTEXT: HeadingContext = new Set<HeadingContextTarget>(['bm25']);

/**
 * Parses `--heading-context`: a comma-separated list of targets, `all` or `none`.
 *
 * @example
 * [...parseHeadingContext('scout,judge')]; // ['scout', 'judge']
 * parseHeadingContext('none').size; // 0
 */
export function parseHeadingContext(list: string): HeadingContext {
  const items = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 1 && items[0] === 'none') return new Set();
  if (items.length === 1 && items[0] === 'all') return new Set(HEADING_CONTEXT_TARGETS);
  const out = new Set<HeadingContextTarget>();
  for (const item of items) {
    if (!(HEADING_CONTEXT_TARGETS as readonly string[]).includes(item)) {
      throw new SiftError(
        'INVALID_OPTION',
        `\`headingContext\` takes ${HEADING_CONTEXT_TARGETS.join(', ')}, all or none (comma-separated), got "${item}"`,
        {
          details: { option: 'headingContext' },
        },
      );
    }
    out.add(item as HeadingContextTarget);
  }
  if (items.length === 0)
    throw new SiftError('INVALID_OPTION', '`headingContext` is empty; give scout, bm25, judge, all or none', {
      details: { option: 'headingContext' },
    });
  return out;
}

/** A heading context as typed on the command line: `scout,judge`, or `none`. */
export function formatHeadingContext(context: HeadingContext): string {
  const items = HEADING_CONTEXT_TARGETS.filter((t) => context.has(t));
  return items.length > 0 ? items.join(',') : 'none';
}

/**
 * The text a stage reads for a chunk with heading context: the heading path, a blank line, then the
 * chunk; the chunk alone when it has no path or already begins with the whole path (the first chunk
 * of a BEIR document begins with its title).
 *
 * @example
 * contextualText('Plain VACUUM may not…', 'Routine Vacuuming › Recovering Disk Space');
 * // 'Routine Vacuuming › Recovering Disk Space\n\nPlain VACUUM may not…'
 */
export function contextualText(text: string, headingPath: string | undefined): string {
  if (!headingPath) return text;
  if (text.replace(/^[\s#]+/, '').startsWith(headingPath)) return text;
  return `${headingPath}\n\n${text}`;
}
