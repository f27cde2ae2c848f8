/**
 * Sentence splitting for extractive answers, by the Unicode sentence-boundary rules (UAX #29) that
 * `Intl.Segmenter` implements: abbreviations such as "e.g." and decimals such as "3.5" do not end a
 * sentence, and line breaks do (so headings and list items stand alone).
 */

export interface Sentence {
  /** The sentence with its whitespace collapsed. */
  text: string;
  /** Character offsets in the input: `[start, end)`. */
  start: number;
  end: number;
}

/** Pieces with fewer letters or digits than this are not sentences ("—", "2.", "* *"). */
const MIN_WORD_CHARS = 3;

const segmenters = new Map<string, Intl.Segmenter>();

/**
 * Splits text into sentences, dropping empty and near-empty pieces.
 *
 * @example
 * splitSentences('Berlin has 3.5 million people. It is the capital, e.g. of Germany.').map((s) => s.text)
 * // ['Berlin has 3.5 million people.', 'It is the capital, e.g. of Germany.']
 */
export function splitSentences(text: string, locale = 'en'): Sentence[] {
  let segmenter = segmenters.get(locale);
  if (!segmenter) {
    segmenter = new Intl.Segmenter(locale, { granularity: 'sentence' });
    segmenters.set(locale, segmenter);
  }
  const sentences: Sentence[] = [];
  for (const { segment, index } of segmenter.segment(text)) {
    const clean = segment.replace(/\s+/g, ' ').trim();
    if ((clean.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < MIN_WORD_CHARS) continue;
    const lead = segment.length - segment.trimStart().length;
    sentences.push({ text: clean, start: index + lead, end: index + segment.trimEnd().length });
  }
  return sentences;
}
