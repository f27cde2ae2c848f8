/**
 * One error type for the whole library. Every failure a user can meet carries a typed `code`
 * (for programs and the HTTP layer) and a message that names the value at fault and the fix.
 *
 * Messages speak the library's language: an option is named as its options-object field in
 * backticks (`` `chunkSize` must be a whole number >= 1 ``), and the option at fault is also in
 * `details.option`. Each surface puts them in its own words when it prints them: the CLI as flags
 * (`--chunk-size`), the HTTP server and MCP as request fields (`top_k`); see `renameOptions`.
 */
export type SiftErrorCode =
  /** An option value is not acceptable (`details.option` names it: a library option, a CLI flag or a request field). */
  | 'INVALID_OPTION'
  /** Input data (documents, queries, files) is not acceptable. */
  | 'INVALID_INPUT'
  /** A query leaves no room for the passage within the model's maximum length. */
  | 'QUERY_TOO_LONG'
  /** A model name is neither known nor a folder. */
  | 'UNKNOWN_MODEL'
  /** Model files could not be found locally and could not (or may not) be downloaded. */
  | 'MODEL_NOT_FOUND'
  /** A folder or file is not a usable model (missing files, unexpected inputs or outputs, corrupt). */
  | 'MODEL_INVALID'
  /** A download from the model hub failed. */
  | 'DOWNLOAD_FAILED'
  /** Inference failed inside the runtime. */
  | 'INFERENCE_FAILED'
  /** The store does not exist, cannot be opened or cannot be written. */
  | 'STORE_ERROR'
  /** The store was built with another embedding model (or model dtype) than the one asked for. */
  | 'STORE_MODEL_MISMATCH'
  /** A file could not be loaded (unreadable, binary, broken, too large). */
  | 'LOAD_FAILED'
  /** A remote endpoint (LLM, reranker) answered with an error or not at all. */
  | 'REMOTE_ERROR'
  /** A remote endpoint refused the credentials. */
  | 'UNAUTHORIZED'
  /** An operation ran past its time limit. */
  | 'TIMEOUT'
  /** A bounded queue is full; try again later. */
  | 'QUEUE_FULL'
  /** The operation was aborted by the caller. */
  | 'ABORTED'
  /** A bug: something that should not happen. */
  | 'INTERNAL';

export interface SiftErrorOptions {
  cause?: unknown;
  /** Structured facts about the failure (paths tried, field names, limits), safe to print as JSON. */
  details?: Record<string, unknown>;
}

/**
 * The error sift throws.
 *
 * @example
 * throw new SiftError('MODEL_NOT_FOUND', `no model at ${dir}; run \`sift models pull ${name}\``);
 */
export class SiftError extends Error {
  readonly code: SiftErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: SiftErrorCode, message: string, options: SiftErrorOptions = {}) {
    super(message.startsWith('sift: ') ? message : `sift: ${message}`, { cause: options.cause });
    this.name = 'SiftError';
    this.code = code;
    this.details = options.details;
  }

  /** A plain object for `--json` output and HTTP bodies. */
  toJSON(): { code: SiftErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is a SiftError, optionally with the given code. */
export function isSiftError(err: unknown, code?: SiftErrorCode): err is SiftError {
  return err instanceof SiftError && (code === undefined || err.code === code);
}

/** Wraps any thrown value into a SiftError, keeping SiftErrors as they are. */
export function toSiftError(err: unknown, code: SiftErrorCode, context: string): SiftError {
  if (err instanceof SiftError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new SiftError(code, `${context}: ${reason}`, { cause: err });
}

/**
 * A message with its option names in a surface's words: every `` `name` `` whose name is in `names`
 * becomes `names[name]` (names not in the table keep their backticks).
 *
 * @example
 * renameOptions('sift: `topK` must be at most `candidates` (5)', { topK: '--top-k', candidates: '--candidates' });
 * // 'sift: --top-k must be at most --candidates (5)'
 */
export function renameOptions(message: string, names: Readonly<Record<string, string>>): string {
  return message.replace(/`([A-Za-z][A-Za-z0-9]*)`/g, (quoted, name: string) =>
    Object.hasOwn(names, name) ? names[name]! : quoted,
  );
}
