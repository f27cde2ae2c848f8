import type { Tokenizer } from '../../tokenization/load-tokenizer.js';
import { encodeSingle, PairEncoder } from '../../tokenization/pair-encoder.js';
import { specialTokenLayout } from '../../tokenization/special-tokens.js';
import type { CalibrationSequence } from './calibrate-activations.js';
import { CALIBRATION_PAIRS } from './calibration-pairs.js';

/**
 * sift's built-in calibration text as a model reads it: `texts`, each query and passage of
 * `CALIBRATION_PAIRS` alone (a bi-encoder), or `pairs`, each (query, passage) pair together (a
 * cross-encoder), tokenized by the model's tokenizer (512 tokens at most).
 */
export function calibrationSequences(tokenizer: Tokenizer, kind: 'texts' | 'pairs'): CalibrationSequence[] {
  const layout = specialTokenLayout(tokenizer);
  if (kind === 'pairs') {
    const encoder = new PairEncoder(tokenizer, 512, layout);
    return CALIBRATION_PAIRS.map(([query, passage]) => encoder.encodePair(encoder.encodeQuery(query), passage));
  }
  return CALIBRATION_PAIRS.flat().map((text) => encodeSingle(tokenizer, layout, text, 512));
}
