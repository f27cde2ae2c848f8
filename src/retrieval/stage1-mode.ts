/** The stage-1 retrievers sift builds over a store. */
export const STAGE1_MODES = ['dense', 'bm25', 'hybrid'] as const;

/** `dense` (bi-encoder vectors), `bm25` (full-text index) or `hybrid` (both, fused by reciprocal rank). */
export type Stage1Mode = (typeof STAGE1_MODES)[number];

/** True when `value` names a stage-1 mode. */
export function isStage1Mode(value: string): value is Stage1Mode {
  return (STAGE1_MODES as readonly string[]).includes(value);
}
