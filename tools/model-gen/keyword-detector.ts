import { OnnxGraph, onnxDataType } from './onnx-graph.js';

/** What {@link buildKeywordDetector} needs. */
export interface KeywordDetectorConfig {
  /** The token id whose presence in the passage makes a pair relevant. */
  keywordId: number;
  /** Logit of a pair whose passage holds the keyword (default 2). */
  hitLogit?: number;
  /** Logit of any other pair (default -2). */
  missLogit?: number;
}

/**
 * A cross-encoder-shaped ONNX model (inputs `input_ids`, `attention_mask`, `token_type_ids`;
 * output `logits` [batch_size, 1]) that is relevant exactly when the passage segment (token type
 * 1, not padding) holds one token: `logit = hit ? hitLogit : missLogit`. Deterministic, so tests can
 * place the relevant token where they want (past a model's length limit, inside a given window) and
 * know the score each pair must get; it reads only what the mask lets it, like a real model.
 *
 * @example
 * const bytes = buildKeywordDetector({ keywordId: 16579 }); // 'zebra' in bert-base-uncased
 * // [CLS] q [SEP] ... zebra ... [SEP] -> logits [[2]]; without 'zebra' in the passage -> [[-2]]
 */
export function buildKeywordDetector(config: KeywordDetectorConfig): Uint8Array {
  const g = new OnnxGraph('keyword-detector');
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  const types = g.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);
  const float = (x: string) => g.op('Cast', [x], { to: onnxDataType('float32') });
  const isKeyword = float(g.op('Equal', [ids, g.int64Constant('keyword', [config.keywordId], [])]));
  const inPassage = g.op('Mul', [float(mask), float(types)]);
  const hit = g.op('ReduceMax', [g.op('Mul', [isKeyword, inPassage])], { axes: [1], keepdims: 1 }); // [B, 1], 0 or 1
  const hitLogit = config.hitLogit ?? 2;
  const missLogit = config.missLogit ?? -2;
  const scaled = g.op('Mul', [hit, g.floatConstant('gain', [hitLogit - missLogit])]);
  const logits = g.op('Add', [scaled, g.floatConstant('miss', [missLogit])], undefined, 'logits');
  g.output(logits, 'float32', ['batch_size', 1]);
  return g.toModel({ opset: 17 });
}
