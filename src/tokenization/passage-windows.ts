import type { Tokenizer } from './load-tokenizer.js';

/** One window of a long passage: the token ids the judge reads, and where they sit in the passage. */
export interface PassageWindow {
  /** The window's token ids, without special tokens. */
  ids: number[];
  /** First token of the window and the token after its last, counted in the passage's tokens. */
  tokenStart: number;
  tokenEnd: number;
  /**
   * The characters of the passage the window's tokens come from, `[charStart, charEnd)`. A window
   * that starts or ends inside a word (a word of several sub-word tokens) covers that whole word.
   */
  charStart: number;
  charEnd: number;
}

/** A passage split into windows. */
export interface WindowedPassage {
  /** At least one window; consecutive windows share exactly `overlap` tokens. */
  windows: PassageWindow[];
  /** True when the passage has more tokens than `maxTokens`, so its end was not read. */
  truncated: boolean;
  /** True when the passage needs more than `maxWindows` windows; `windows` is then empty. */
  overflow: boolean;
}

export interface PassageWindowOptions {
  /** Tokens per window: the passage budget of a (query, passage) pair. */
  size: number;
  /** Tokens consecutive windows share, from 0 to `size - 1`. */
  overlap: number;
  /** Read at most this many tokens of the passage (default: all of it). */
  maxTokens?: number | undefined;
  /** The most windows a passage may need; past it the result is `overflow` and tokenizing stops early. */
  maxWindows: number;
}

/**
 * Splits a passage into windows of `size` tokens that overlap by `overlap` tokens, so that a
 * passage longer than the model can read is read in full (Cohere's rerank and sentence-transformers
 * users do the same: score each window, keep the best). Window `k` starts at token `k * (size -
 * overlap)`; the last one ends at the passage's last token read and may be shorter than `size`.
 *
 * Tokens are counted per whitespace-separated word, each word tokenized on its own (memoized), which
 * gives every token the characters of its word. Every tokenizer sift supports splits at whitespace
 * before sub-word tokenization, so for WordPiece (BERT, MiniLM) and SentencePiece (XLM-RoBERTa, bge)
 * the word-by-word tokens equal those of the whole text; tokenizing stops once `maxTokens` or
 * `maxWindows` is reached, so a huge passage costs only what will be read.
 *
 * @example
 * passageWindows(tok, 'one two three four five', { size: 3, overlap: 1, maxWindows: 8 }).windows
 *   .map((w) => [w.tokenStart, w.tokenEnd, w.charStart, w.charEnd]) // [[0, 3, 0, 13], [2, 5, 8, 23]]
 */
export function passageWindows(tokenizer: Tokenizer, text: string, options: PassageWindowOptions): WindowedPassage {
  const { size, overlap, maxWindows } = options;
  const stride = size - overlap;
  // The most tokens `maxWindows` windows read; one more token than that means overflow.
  const windowReach = size + (maxWindows - 1) * stride;
  const maxTokens = options.maxTokens ?? Infinity;
  const stopAt = Math.min(maxTokens, windowReach) + 1;

  const ids: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const memo = new Map<string, number[]>();
  for (const match of text.matchAll(/\S+/g)) {
    const word = match[0];
    const wordIds = memo.get(word) ?? tokenizer.encode(word, { add_special_tokens: false }).ids;
    memo.set(word, wordIds);
    for (const id of wordIds) {
      ids.push(id);
      starts.push(match.index);
      ends.push(match.index + word.length);
    }
    if (ids.length >= stopAt) break;
  }

  const truncated = ids.length > maxTokens;
  const n = Math.min(ids.length, maxTokens);
  if (n > windowReach) return { windows: [], truncated, overflow: true };
  const windows: PassageWindow[] = [];
  for (let start = 0; ; start += stride) {
    const end = Math.min(start + size, n);
    windows.push({
      ids: ids.slice(start, end),
      tokenStart: start,
      tokenEnd: end,
      charStart: starts[start] ?? 0,
      charEnd: end > 0 ? ends[end - 1]! : 0,
    });
    if (end >= n) break;
  }
  return { windows, truncated, overflow: false };
}

/**
 * How many windows a passage of `tokens` tokens needs.
 *
 * @example windowCount(1000, 489, 64) // 3
 */
export function windowCount(tokens: number, size: number, overlap: number): number {
  return tokens <= size ? 1 : 1 + Math.ceil((tokens - size) / (size - overlap));
}
