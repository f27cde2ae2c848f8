import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { SiftError } from '../errors.js';
import type { DocumentFormat } from '../loaders/loaded-document.js';
import type { Heading } from './heading-path.js';

/** Default chunk size in characters: about 100–130 tokens of English, well inside MiniLM's 256-token window. */
export const DEFAULT_CHUNK_SIZE = 500;
/** Default overlap in characters: a sentence's worth, so an answer cut at a boundary survives in one chunk. */
export const DEFAULT_CHUNK_OVERLAP = 50;

export interface ChunkOptions {
  /**
   * Largest chunk in characters (default 500). Cross-encoders read up to 512 tokens per (query,
   * passage) pair, bi-encoders often 256; sensible range 200–2000.
   */
  chunkSize?: number;
  /** Characters shared by neighbouring chunks (default 50); must be below `chunkSize`. Sensible range 0–20% of the size. */
  chunkOverlap?: number;
  /** Markdown is split at headings first, then paragraphs; other formats at paragraphs, lines, words. */
  format?: DocumentFormat;
  /**
   * The document's headings (from the loader). When given, the text is cut at every heading first
   * and each section is split on its own, so a chunk never straddles two sections; a heading with
   * no text of its own before the next heading stays with that next section.
   */
  headings?: readonly Heading[] | undefined;
}

/** One piece of a document. */
export interface TextChunk {
  /** Position in the document, from 0. */
  index: number;
  text: string;
  /** Character offset of the chunk's first character in the document text. */
  start: number;
  /** Character offset just past the chunk's last character (`text === doc.slice(start, end)`). */
  end: number;
}

/** Validates chunking options, throwing INVALID_OPTION naming the option (`details.option`). */
export function resolveChunkOptions(options: ChunkOptions = {}): { chunkSize: number; chunkOverlap: number } {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const chunkOverlap = options.chunkOverlap ?? DEFAULT_CHUNK_OVERLAP;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new SiftError('INVALID_OPTION', `\`chunkSize\` must be a positive whole number, got ${chunkSize}`, {
      details: { option: 'chunkSize' },
    });
  }
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
    throw new SiftError(
      'INVALID_OPTION',
      `\`chunkOverlap\` must be a whole number from 0 to ${chunkSize - 1} (below \`chunkSize\`), got ${chunkOverlap}`,
      {
        details: { option: 'chunkOverlap' },
      },
    );
  }
  return { chunkSize, chunkOverlap };
}

/**
 * Splits text into overlapping chunks with LangChain's recursive character splitter (separators
 * tried in order: headings for Markdown, then blank lines, lines, spaces, characters), and finds each
 * chunk's character offsets in the source text. With `headings`, the text is first cut into sections
 * at each heading (structure first), then each section is split.
 *
 * @example
 * await chunkText('a b c d e f', { chunkSize: 5, chunkOverlap: 2 });
 * // [{ index: 0, text: 'a b c', start: 0, end: 5 }, { index: 1, text: 'c d e', start: 4, end: 9 }, …]
 */
export async function chunkText(text: string, options: ChunkOptions = {}): Promise<TextChunk[]> {
  const { chunkSize, chunkOverlap } = resolveChunkOptions(options);
  const params = { chunkSize, chunkOverlap };
  const splitter =
    options.format === 'md'
      ? RecursiveCharacterTextSplitter.fromLanguage('markdown', params)
      : new RecursiveCharacterTextSplitter(params);
  const chunks: TextChunk[] = [];
  for (const [from, to] of sections(text, options.headings ?? []))
    await chunkRange(splitter, text, from, to, chunkSize, chunkOverlap, chunks);
  return chunks;
}

/**
 * `[from, to)` ranges of the text cut at heading starts; a range holding only its heading line joins
 * the next one. Without headings: the whole text.
 */
function sections(text: string, headings: readonly Heading[]): [number, number][] {
  const cuts = [...new Set(headings.map((h) => h.start).filter((s) => s > 0 && s < text.length))].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    const piece = text.slice(from, cut);
    const firstLineEnd = piece.indexOf('\n');
    const body = firstLineEnd < 0 ? '' : piece.slice(firstLineEnd + 1);
    const headingOnly = headings.some((h) => h.start === from) && body.trim() === '';
    if (headingOnly && cut < text.length) continue; // keep the heading with the section it introduces
    ranges.push([from, cut]);
    from = cut;
  }
  return ranges;
}

/** Chunks `text[from, to)` and appends them with document offsets. */
async function chunkRange(
  splitter: RecursiveCharacterTextSplitter,
  text: string,
  from: number,
  to: number,
  chunkSize: number,
  chunkOverlap: number,
  chunks: TextChunk[],
): Promise<void> {
  const section = from === 0 && to === text.length ? text : text.slice(from, to);
  // Runs of non-space characters longer than a chunk (minified data, base64, one 50 MB "word") are
  // cut into fixed windows here, as the splitter's last resort (splitting into single characters)
  // would, because that last resort is superlinear: a 1 MB run took 0.7 s, a 5 MB run 68 s.
  let segmentStart = 0;
  for (const [runStart, runEnd] of longRuns(section, chunkSize)) {
    await splitSegment(splitter, text, from + segmentStart, from + runStart, chunks);
    for (let start = runStart; start < runEnd; start += chunkSize - chunkOverlap) {
      const stop = Math.min(start + chunkSize, runEnd);
      chunks.push({ index: chunks.length, text: section.slice(start, stop), start: from + start, end: from + stop });
      if (stop === runEnd) break;
    }
    segmentStart = runEnd;
  }
  await splitSegment(splitter, text, from + segmentStart, to, chunks);
}

/**
 * `[start, end)` of each run of non-space characters longer than `chunkSize`, found between matches
 * of `\s+` (a `\S{n,}` pattern overflows V8's regex stack on a 50 MB run).
 */
function* longRuns(text: string, chunkSize: number): Generator<[number, number]> {
  const space = /\s+/g;
  let runStart = 0;
  for (;;) {
    const match = space.exec(text);
    const runEnd = match ? match.index : text.length;
    if (runEnd - runStart > chunkSize) yield [runStart, runEnd];
    if (!match) return;
    runStart = match.index + match[0].length;
  }
}

/** Splits `text[from, to)` with the recursive splitter and appends its chunks with document offsets. */
async function splitSegment(
  splitter: RecursiveCharacterTextSplitter,
  text: string,
  from: number,
  to: number,
  chunks: TextChunk[],
): Promise<void> {
  const segment = text.slice(from, to);
  if (segment.trim().length === 0) return;
  const pieces = await splitter.splitText(segment);
  let at = 0;
  for (const piece of pieces) {
    if (piece.trim().length === 0) continue;
    // Pieces come in document order and each starts after the previous one's start, so searching
    // from there finds the right occurrence even when text repeats.
    let start = segment.indexOf(piece, at);
    if (start < 0) start = segment.indexOf(piece);
    if (start < 0) start = at; // the splitter changed the text (should not happen); keep offsets monotone
    chunks.push({ index: chunks.length, text: piece, start: from + start, end: from + start + piece.length });
    at = start + 1;
  }
}
