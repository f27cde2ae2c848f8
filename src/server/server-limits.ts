import { SiftError } from '../errors.js';
import { DEFAULT_MAX_WINDOWS } from '../reranking/long-documents.js';

/** Request limits; each failure answers 400 (413 for the body size) naming the field and the limit. */
export interface ServerLimits {
  /** Most documents (or `texts`) per rerank request (default 1000, Cohere's limit). Range 1–10000. */
  maxDocuments: number;
  /**
   * Most characters per query or document (default 32768). The judge reads at most ~510 tokens of a
   * pair (~2000 characters of English); longer texts are cut, so this only bounds tokenization work.
   */
  maxTextChars: number;
  /** Most candidates a search may ask stage 1 for (default 200). */
  maxCandidates: number;
  /** Largest request body in bytes (default 8 MiB); larger bodies answer 413. */
  bodyLimitBytes: number;
  /**
   * Most windows the judge reads per document in long-document (window) mode (default 16, ~6,900
   * tokens of a 512-token model); a longer document is a 400 naming it. Range 1–256.
   */
  maxWindowsPerDocument: number;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  maxDocuments: 1000,
  maxTextChars: 32_768,
  maxCandidates: 200,
  bodyLimitBytes: 8 * 1024 * 1024,
  maxWindowsPerDocument: DEFAULT_MAX_WINDOWS,
};

/** The defaults with the given overrides, each checked. */
export function resolveLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new SiftError('INVALID_OPTION', `${name} must be a whole number >= 1, got ${String(value)}`);
  }
  return limits;
}
