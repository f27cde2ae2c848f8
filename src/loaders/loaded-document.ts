/**
 * What a loader returns: the document's plain text and the little metadata the chunker and the
 * store keep. Loaders turn bytes into text; they never read files themselves (`load-file.ts` does),
 * so each one is testable on bytes alone.
 */

import type { Heading } from '../chunking/heading-path.js';

/** The formats sift reads. */
export type DocumentFormat = 'txt' | 'md' | 'html' | 'pdf';

export interface LoadedDocument {
  /** Plain text, paragraphs separated by blank lines. Never empty (loaders refuse text-less input). */
  text: string;
  /** A human title: the HTML `<title>` or first heading, a Markdown `# heading`, the PDF title; else undefined. */
  title: string | undefined;
  format: DocumentFormat;
  /** Headings with their offsets in `text` (Markdown `#`, HTML `h1`–`h6`), in order; absent for txt and pdf. */
  headings?: Heading[] | undefined;
}

/**
 * Why a file was not loaded, as a short stable word for summaries and `--json`
 * (`details.reason` of the LOAD_FAILED error).
 */
export type SkipReason =
  | 'not-found'
  | 'unreadable'
  | 'too-large'
  | 'empty'
  | 'binary'
  | 'invalid-utf8'
  | 'no-text'
  | 'broken-pdf'
  | 'too-deep'
  | 'outside-roots'
  | 'unsupported-format';
