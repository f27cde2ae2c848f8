import type { Tokenizer } from './load-tokenizer.js';

/** Token ids of one text, without special tokens, cut to at most `maxTokens`. */
export interface EncodedText {
  ids: number[];
  /** True when the text had more than `maxTokens` tokens. */
  truncated: boolean;
}

/**
 * Characters tokenized per wanted token in the first attempt. English WordPiece averages about 4–5
 * characters per token; 6 makes one attempt enough for almost all prose while keeping the work
 * proportional to what the model will read, not to the document's length.
 */
const CHARS_PER_TOKEN = 6;

/**
 * Tokenizes `text` without special tokens. When `maxTokens` is given and the text is long, only a
 * prefix is tokenized: the prefix is cut at a whitespace character, and since every tokenizer sift
 * supports splits words at whitespace before sub-word tokenization (BERT WordPiece, SentencePiece
 * Metaspace, byte-level BPE), the tokens of the prefix equal the first tokens of the whole text.
 * A 1 MB passage then costs what a 3 KB one does. Texts with no whitespace in reach (long CJK runs,
 * base64) fall back to tokenizing the whole text, which is always exact.
 *
 * @example
 * encodeText(tok, 'Berlin is well known for its museums.', 4) // { ids: [4068, 2003, 2092, 2124], truncated: true }
 */
export function encodeText(tokenizer: Tokenizer, text: string, maxTokens?: number): EncodedText {
  if (maxTokens === undefined) return { ids: encodeAll(tokenizer, text), truncated: false };
  let window = Math.max(64, maxTokens * CHARS_PER_TOKEN);
  while (window < text.length) {
    const cut = lastWhitespaceBefore(text, window);
    if (cut <= 0) break;
    const ids = encodeAll(tokenizer, text.slice(0, cut));
    if (ids.length > maxTokens) return { ids: ids.slice(0, maxTokens), truncated: true };
    window *= 2;
  }
  const ids = encodeAll(tokenizer, text);
  return ids.length > maxTokens ? { ids: ids.slice(0, maxTokens), truncated: true } : { ids, truncated: false };
}

function encodeAll(tokenizer: Tokenizer, text: string): number[] {
  return tokenizer.encode(text, { add_special_tokens: false }).ids;
}

/** Index of the last whitespace character strictly before `end`, looking back at most 1,000 characters. */
function lastWhitespaceBefore(text: string, end: number): number {
  const stop = Math.max(0, end - 1000);
  for (let i = end - 1; i > stop; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0x3000 || c === 0xa0) return i;
  }
  return -1;
}
