import type { Tokenizer } from './load-tokenizer.js';
import { SiftError } from '../errors.js';
import { encodeText } from './encode-text.js';
import { passageWindows, type PassageWindowOptions, type WindowedPassage } from './passage-windows.js';
import { specialTokenLayout, type SpecialTokenLayout } from './special-tokens.js';

/** One model input sequence: token ids and their type ids. */
export interface EncodedSequence {
  ids: number[];
  typeIds: number[];
  /** True when text was cut to fit the maximum length. */
  truncated: boolean;
}

/** An encoded query, ready to be paired with many passages. */
export interface EncodedQuery {
  ids: number[];
  /** Tokens left for the passage in each pair. */
  passageBudget: number;
}

/**
 * Builds cross-encoder inputs `[CLS] query [SEP] passage [SEP]` (or the model's own layout) with
 * token type ids, truncating the passage only.
 *
 * Why by hand: a pair tokenizer with `longest_first` truncation (the default of Hugging Face
 * tokenizers and of sentence-transformers before v3) cuts query tokens when the passage is long,
 * and a re-ranker that loses words of the question judges the wrong question. Here the query is
 * encoded once per call, kept whole, and every passage gets the tokens that remain; the final
 * separator is always present.
 */
export class PairEncoder {
  readonly layout: SpecialTokenLayout;
  readonly maxLength: number;
  private readonly tokenizer: Tokenizer;
  private readonly specials: number;

  constructor(tokenizer: Tokenizer, maxLength: number, layout: SpecialTokenLayout = specialTokenLayout(tokenizer)) {
    this.tokenizer = tokenizer;
    this.layout = layout;
    this.maxLength = maxLength;
    this.specials = layout.pair.prefix.length + layout.pair.middle.length + layout.pair.suffix.length;
  }

  /**
   * Encodes the query. Throws QUERY_TOO_LONG when the query leaves no room for a passage: the
   * query is never truncated, because a re-ranker judging half a question gives confident nonsense.
   */
  encodeQuery(query: string): EncodedQuery {
    const ids = encodeText(this.tokenizer, query).ids;
    const passageBudget = this.maxLength - this.specials - ids.length;
    if (passageBudget < 1) {
      throw new SiftError(
        'QUERY_TOO_LONG',
        `the query is ${ids.length} tokens, but the model reads at most ${this.maxLength} tokens per (query, passage) pair ` +
          `(${this.specials} of them special tokens); shorten the query to under ${this.maxLength - this.specials} tokens`,
        { details: { queryTokens: ids.length, maxLength: this.maxLength } },
      );
    }
    return { ids, passageBudget };
  }

  /** Encodes one (query, passage) pair within `maxLength`, cutting only the passage. */
  encodePair(query: EncodedQuery, passage: string): EncodedSequence {
    const p = encodeText(this.tokenizer, passage, query.passageBudget);
    return this.encodePairIds(query, p.ids, p.truncated);
  }

  /**
   * Assembles one pair from passage token ids (a window from `encodeWindows`), cutting ids past the
   * passage budget as `encodePair` does.
   */
  encodePairIds(query: EncodedQuery, passageIds: readonly number[], truncated = false): EncodedSequence {
    const { prefix, middle, suffix, typeA, typeB } = this.layout.pair;
    const cut = passageIds.length > query.passageBudget;
    const passage = cut ? passageIds.slice(0, query.passageBudget) : passageIds;
    const firstLength = prefix.length + query.ids.length + middle.length;
    const ids = [...prefix, ...query.ids, ...middle, ...passage, ...suffix];
    const typeIds = new Array<number>(ids.length).fill(typeA, 0, firstLength).fill(typeB, firstLength);
    return { ids, typeIds, truncated: truncated || cut };
  }

  /**
   * Splits a passage into overlapping windows of this query's passage budget (query and special
   * tokens accounted for), for judges that read long documents whole (`longDocuments: 'window'`).
   * Pair each window with `encodePairIds`.
   */
  encodeWindows(query: EncodedQuery, passage: string, options: Omit<PassageWindowOptions, 'size'>): WindowedPassage {
    return passageWindows(this.tokenizer, passage, { ...options, size: query.passageBudget });
  }
}

/**
 * Encodes a single text `[CLS] text [SEP]` for bi-encoders, truncating the text (never the
 * closing separator) to `maxLength` tokens in all.
 */
export function encodeSingle(
  tokenizer: Tokenizer,
  layout: SpecialTokenLayout,
  text: string,
  maxLength: number,
): EncodedSequence {
  const { prefix, suffix } = layout.single;
  const t = encodeText(tokenizer, text, Math.max(0, maxLength - prefix.length - suffix.length));
  const ids = [...prefix, ...t.ids, ...suffix];
  return { ids, typeIds: new Array<number>(ids.length).fill(0), truncated: t.truncated };
}
