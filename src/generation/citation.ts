/** Citations: which numbered context blocks an answer rests on. */
import type { ContextBlock } from './build-context.js';

/** One cited source of an answer. */
export interface Citation {
  /** The number used in the answer text, `[n]`. */
  n: number;
  source: string;
  chunkId: string;
  /** The judge's relevance of the chunk in 0..1, or null when it was not re-ranked. */
  relevance: number | null;
}

/** The citation of a context block. */
export function citationOf(block: ContextBlock): Citation {
  return { n: block.n, source: block.source, chunkId: block.hit.chunk.id, relevance: block.relevance };
}

/**
 * The block numbers cited in a text, in first-cited order: `[1]`, `[2][3]`, `[1, 4]`; numbers with no
 * block (a model inventing `[9]` from 4 blocks) are ignored.
 *
 * @example
 * citedNumbers('Berlin has 3.7 million people [2][1]. It is large [2, 7].', 4) // [2, 1]
 */
export function citedNumbers(text: string, blocks: number): number[] {
  const seen = new Set<number>();
  for (const match of text.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
    for (const part of match[1]!.split(',')) {
      const n = Number(part.trim());
      if (n >= 1 && n <= blocks) seen.add(n);
    }
  }
  return [...seen];
}
