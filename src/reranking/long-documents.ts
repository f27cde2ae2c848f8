import { SiftError } from '../errors.js';
import type { PassageWindow } from '../tokenization/passage-windows.js';
import type { RerankOptions } from './reranker.js';

/**
 * How the judge reads a document longer than its passage budget:
 * - `truncate` (default): the first tokens that fit; the rest is never read.
 * - `window`: overlapping windows of the budget, every window scored, the document gets the best
 *   window's score (as Cohere's rerank does for long documents).
 */
export type LongDocuments = 'truncate' | 'window';

export const LONG_DOCUMENT_MODES: readonly LongDocuments[] = ['truncate', 'window'];

/**
 * Default tokens consecutive windows share (at most half a window): a sentence cut by one window's
 * edge is read whole by the next one when it is under ~64 tokens (~45 words), for ~15% more pairs
 * than windows without overlap at a 489-token budget.
 */
export const DEFAULT_WINDOW_OVERLAP = 64;

/**
 * Default most windows per document: 16 windows of a 512-token model read ~6,900 tokens (~27,000
 * characters of English), past Cohere's 4,096-token default; longer documents are refused rather
 * than let one of them hold the judge for many batches.
 */
export const DEFAULT_MAX_WINDOWS = 16;

/** The window a document's score came from, and how many windows were read. */
export interface WindowHit {
  /** Which window won (0-based). */
  index: number;
  /** Windows read for this document. */
  count: number;
  /** The winning window's tokens in the document's tokens, `[tokenStart, tokenEnd)` (no special tokens). */
  tokenStart: number;
  tokenEnd: number;
  /** The winning window's characters in the document's text, `[charStart, charEnd)`, widened to whole words. */
  charStart: number;
  charEnd: number;
}

/** One document's windows, as planned before scoring. */
export interface DocumentWindows {
  windows: PassageWindow[];
  /** True when the document's end was not read (past `maxDocumentTokens`). */
  truncated: boolean;
}

/** The window options of a call, checked, with their defaults. */
export interface WindowSettings {
  overlap: number;
  maxWindows: number;
  maxDocumentTokens: number | undefined;
}

/** Checks `longDocuments`; INVALID_OPTION names the value. */
export function longDocumentsMode(value: unknown): LongDocuments {
  if (value === undefined) return 'truncate';
  if (value === 'truncate' || value === 'window') return value;
  throw new SiftError(
    'INVALID_OPTION',
    `\`longDocuments\` must be "truncate" or "window", got ${JSON.stringify(value)}`,
    { details: { option: 'longDocuments' } },
  );
}

/** The window options of a call, each checked (INVALID_OPTION naming it). */
export function windowSettings(
  options: Pick<RerankOptions, 'windowOverlap' | 'maxWindows' | 'maxDocumentTokens'>,
): WindowSettings {
  const whole = (
    name: string,
    value: number | undefined,
    min: number,
    fallback: number | undefined,
  ): number | undefined => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min) {
      throw new SiftError('INVALID_OPTION', `\`${name}\` must be a whole number >= ${min}, got ${String(value)}`, {
        details: { option: name },
      });
    }
    return value;
  };
  return {
    overlap: whole('windowOverlap', options.windowOverlap, 0, DEFAULT_WINDOW_OVERLAP)!,
    maxWindows: whole('maxWindows', options.maxWindows, 1, DEFAULT_MAX_WINDOWS)!,
    maxDocumentTokens: whole('maxDocumentTokens', options.maxDocumentTokens, 1, undefined),
  };
}

/**
 * The overlap used for a passage budget: as asked, but at most half the budget, so windows always
 * advance by at least half a window (a 20-token overlap on a 30-token budget would need 3x the pairs).
 */
export function effectiveOverlap(overlap: number, budget: number): number {
  return Math.min(overlap, Math.floor(budget / 2));
}

/** The error for a document that needs more windows than allowed, naming it and the ways out. */
export function tooManyWindowsError(index: number, budget: number, overlap: number, maxWindows: number): SiftError {
  const reach = budget + (maxWindows - 1) * (budget - overlap);
  return new SiftError(
    'INVALID_INPUT',
    `document ${index} is longer than ${maxWindows} windows of ${budget} tokens can read (${reach} tokens with this query, the limit of windows per document); ` +
      `read fewer tokens of each document (maxDocumentTokens, or max_tokens_per_doc over HTTP, at most ${reach}), split the document, or allow more windows`,
    { details: { field: `documents[${index}]`, index, maxWindows, windowTokens: budget, maxTokens: reach } },
  );
}

/**
 * Per-document results from per-window scores: each document gets its best window (by logit; the
 * first of equal windows), in document order. `logits`/`scores` hold the windows of all documents
 * in plan order.
 */
export function bestWindows(
  plans: readonly DocumentWindows[],
  logits: ArrayLike<number>,
  scores: ArrayLike<number>,
): { logits: Float64Array; scores: Float64Array; truncated: boolean[]; windows: WindowHit[] } {
  const out = {
    logits: new Float64Array(plans.length),
    scores: new Float64Array(plans.length),
    truncated: plans.map((p) => p.truncated),
    windows: [] as WindowHit[],
  };
  let at = 0;
  plans.forEach((plan, d) => {
    let best = 0;
    for (let w = 1; w < plan.windows.length; w++) if (logits[at + w]! > logits[at + best]!) best = w;
    const win = plan.windows[best]!;
    out.logits[d] = logits[at + best]!;
    out.scores[d] = scores[at + best]!;
    out.windows.push({
      index: best,
      count: plan.windows.length,
      tokenStart: win.tokenStart,
      tokenEnd: win.tokenEnd,
      charStart: win.charStart,
      charEnd: win.charEnd,
    });
    at += plan.windows.length;
  });
  return out;
}
