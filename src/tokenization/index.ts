export { loadTokenizer, type LoadedTokenizer } from './load-tokenizer.js';
export { specialTokenLayout, type SpecialTokenLayout } from './special-tokens.js';
export { encodeText, type EncodedText } from './encode-text.js';
export { PairEncoder, encodeSingle, type EncodedQuery, type EncodedSequence } from './pair-encoder.js';
export {
  passageWindows,
  windowCount,
  type PassageWindow,
  type PassageWindowOptions,
  type WindowedPassage,
} from './passage-windows.js';
