import type { Tokenizer } from './load-tokenizer.js';
import { SiftError } from '../errors.js';

/**
 * Where a model's special tokens go around one text or a pair of texts, learnt from the
 * tokenizer's own post-processor rather than assumed: BERT writes `[CLS] A [SEP] B [SEP]` with type
 * ids 0…0 1…1, XLM-RoBERTa writes `<s> A </s></s> B </s>` with no type ids.
 */
export interface SpecialTokenLayout {
  /** Single text: ids before and after it. */
  single: { prefix: number[]; suffix: number[] };
  /** Pair: ids before A, between A and B, after B; and the type id of each segment. */
  pair: {
    prefix: number[];
    middle: number[];
    suffix: number[];
    /** Type id of prefix + A + middle. */
    typeA: number;
    /** Type id of B + suffix. */
    typeB: number;
  };
}

/**
 * Derives the layout by encoding probe texts with and without special tokens and reading off what
 * the post-processor added. Throws MODEL_INVALID if the tokenizer does something else (for
 * example inserts tokens inside a segment), since pair truncation relies on the layout.
 */
export function specialTokenLayout(tokenizer: Tokenizer): SpecialTokenLayout {
  const a = tokenizer.encode('a', { add_special_tokens: false }).ids;
  const b = tokenizer.encode('b', { add_special_tokens: false }).ids;
  const single = tokenizer.encode('a', { add_special_tokens: true }).ids;
  const pair = tokenizer.encode('a', { text_pair: 'b', add_special_tokens: true, return_token_type_ids: true });

  const aAt = indexOfRun(single, a, 0);
  if (aAt < 0) throw layoutError('single');
  const singleLayout = { prefix: single.slice(0, aAt), suffix: single.slice(aAt + a.length) };

  const pa = indexOfRun(pair.ids, a, 0);
  const pb = pa < 0 ? -1 : indexOfRun(pair.ids, b, pa + a.length);
  if (pa < 0 || pb < 0) throw layoutError('pair');
  const types = pair.token_type_ids ?? [];
  return {
    single: singleLayout,
    pair: {
      prefix: pair.ids.slice(0, pa),
      middle: pair.ids.slice(pa + a.length, pb),
      suffix: pair.ids.slice(pb + b.length),
      typeA: types[pa] ?? 0,
      typeB: types[pb] ?? 0,
    },
  };
}

function indexOfRun(haystack: readonly number[], needle: readonly number[], from: number): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function layoutError(kind: string): SiftError {
  return new SiftError(
    'MODEL_INVALID',
    `the tokenizer's post-processor does not wrap a ${kind} of texts in special tokens the way sift expects`,
  );
}
